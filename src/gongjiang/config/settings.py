"""The one settings module. Everything that differs between machines comes from the environment:

- `DATABASE_URL`: e.g. `postgres://user@127.0.0.1:5432/gongjiang`; SQLite in the data dir when unset.
- `GONGJIANG_DATA_DIR`: where the SQLite file, the secret key and generated files live.
- `GONGJIANG_DEBUG`, `GONGJIANG_SECRET_KEY`, `GONGJIANG_ALLOWED_HOSTS`, `GONGJIANG_APPROVAL_DAYS`,
  `GONGJIANG_IMPORTS_IN_BACKGROUND`, `GONGJIANG_UPLOAD_MAX_MB`, `GONGJIANG_SHEET_READ_MEMORY_MB|SECONDS`,
  `GONGJIANG_SNAPSHOT_REFRESH_QUIET_SECONDS|MAX_SECONDS`, `GONGJIANG_EMAIL_HOST|PORT|FROM`,
  `GONGJIANG_TASKS_HEARTBEAT_SECONDS|STALE_SECONDS|KEEP_DAYS|WORKER_IN_SERVE`, `GONGJIANG_IMPORT_ERRORS_KEEP_HOURS`,
  `GONGJIANG_IMPORTS_PER_HOUR`, `GONGJIANG_IDENTITY_CORRECTIONS_PER_HOUR`, `GONGJIANG_CREDENTIALS_HOST`,
  `GONGJIANG_STATUS_LIST_VALID_HOURS`, `GONGJIANG_ASSESSMENT_SAMPLING_DAYS`, `GONGJIANG_CREDENTIALS_VERIFY_PER_MINUTE`,
  `GONGJIANG_CREDENTIALS_BATCH_PARTS`, `GONGJIANG_CREDENTIALS_BATCH_CHUNK`, `GONGJIANG_TODAY` (pins the day, `core.clock`).
- Sign-in and transport security (block at the end): `GONGJIANG_HTTPS`, `GONGJIANG_SESSION_HOURS`,
  `GONGJIANG_SESSION_EXPIRE_AT_BROWSER_CLOSE`, `GONGJIANG_SSL_REDIRECT`, `GONGJIANG_HSTS_SECONDS`,
  `GONGJIANG_HSTS_INCLUDE_SUBDOMAINS`, `GONGJIANG_BEHIND_PROXY`, `GONGJIANG_CSP`,
  `GONGJIANG_PASSWORD_MIN_LENGTH`, `GONGJIANG_SIGNIN_FAILURES_PER_ACCOUNT|PER_ADDRESS`,
  `GONGJIANG_SIGNIN_WINDOW_MINUTES`, `GONGJIANG_PASSWORD_LINK_HOURS`, `GONGJIANG_REQUIRE_2FA_FOR_BUREAU`.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from gongjiang.config.env import data_dir, env_bool, env_date, env_list, env_str, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("GONGJIANG_DEBUG", False)
ALLOWED_HOSTS = env_list("GONGJIANG_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "gongjiang.core",
    "gongjiang.refdata",
    "gongjiang.directory",
    "gongjiang.registry",
    "gongjiang.credentials",
    "gongjiang.assessment",
    "gongjiang.market",
    "gongjiang.insight",
    "gongjiang.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongjiang.portal.csp.ContentSecurityPolicyMiddleware",
    # Before any work on the request, after the CSP's nonce its 400 page needs.
    "gongjiang.core.bounds.InputGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongjiang.core.i18n.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongjiang.directory.middleware.ActorMiddleware",
    "gongjiang.portal.two_factor.EnrolmentRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it wraps the view alone, as ATOMIC_REQUESTS did (below).
    "gongjiang.core.transactions.WriteTransactionMiddleware",
]

ROOT_URLCONF = "gongjiang.config.urls"
WSGI_APPLICATION = "gongjiang.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongjiang.portal.context.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'gongjiang.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers outside a transaction run while a writer writes. Writes run in
    # transactions, and a deferred one that reads, then writes after another request has
    # committed, fails at once with "database is locked" (seen on /login/ with two users):
    # IMMEDIATE transactions take the write lock first and wait their turn, up to `timeout`
    # seconds. Reads take no transaction at all (below), so they never wait for the lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL;", transaction_mode="IMMEDIATE", timeout=30
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# One transaction per request that may write (POST, PUT, PATCH, DELETE): it either does all it
# set out to do or nothing. Reads (GET, HEAD, OPTIONS) run in autocommit. The middleware
# gongjiang.core.transactions does this instead of ATOMIC_REQUESTS, which wraps every request
# alike (ADR 0019).
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "directory.User"
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"


LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# The demo serves static files straight from the apps; production runs collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

X_FRAME_OPTIONS = "DENY"
# A refused CSRF check answers in the site's language, and in JSON on the API.
CSRF_FAILURE_VIEW = "gongjiang.portal.views.csrf_failure"

# The day every date rule takes as today (`core.clock.today()`), when set: a reproducible demo, a
# test run given one day. Unset in production: the real date in TIME_ZONE.
GONGJIANG_TODAY = env_date("GONGJIANG_TODAY")
# Days the bureau has to decide on a filing or a registration change before it shows as overdue.
GONGJIANG_APPROVAL_DAYS = int(env_str("GONGJIANG_APPROVAL_DAYS", "15"))
# Days the bureau may sample an assessment plan's submitted scores before the body may make them
# final without a sample (ADR 0027).
GONGJIANG_ASSESSMENT_SAMPLING_DAYS = int(env_str("GONGJIANG_ASSESSMENT_SAMPLING_DAYS", "5"))

# -- certificates (credentials/, ADR 0026) --
# The public host name credentials name (e.g. `jg.rst.example.gov.cn`): issuers are then
# `did:web:<host>:issuers:<code>` and status lists live at `https://<host>/…`. Empty: issuers
# are `did:key` and the URLs are those of a local server (the demo, tests).
CREDENTIALS_HOST = env_str("GONGJIANG_CREDENTIALS_HOST")
# How long a served status-list credential is valid: verifiers re-read it after that.
STATUS_LIST_VALID_HOURS = int(env_str("GONGJIANG_STATUS_LIST_VALID_HOURS", "24"))
# Public verification (page and API, ADR 0025): requests per client address and minute, counted in
# the database (`core.throttle`, ADR 0034), so that all server processes share one allowance.
CREDENTIALS_VERIFY_PER_MINUTE = int(env_str("GONGJIANG_CREDENTIALS_VERIFY_PER_MINUTE", "30"))
# A school's batch of diplomas (ADR 0034) is split into up to this many parts, each a task that a
# `gongjiang worker` process takes, so that as many workers issue it at once; a part has at least
# one chunk, the certificates signed and saved in one transaction.
CREDENTIALS_BATCH_PARTS = int(env_str("GONGJIANG_CREDENTIALS_BATCH_PARTS", "2"))
CREDENTIALS_BATCH_CHUNK = int(env_str("GONGJIANG_CREDENTIALS_BATCH_CHUNK", "1000"))

# -- background tasks (core/tasks.py, ADR 0021) --
# Web imports are tasks done by `gongjiang worker` so the page can show their progress; with False
# they run at once inside the upload request (the unit tests' choice: their data lives in the
# test's own transaction, which a worker's connection cannot see).
IMPORTS_IN_BACKGROUND = env_bool("GONGJIANG_IMPORTS_IN_BACKGROUND", True)
# A worker stamps its running task every HEARTBEAT seconds; a running task not stamped for STALE
# seconds has lost its worker and is retried or failed. Finished tasks are kept KEEP_DAYS days,
# an import's workbook of errors IMPORT_ERRORS_KEEP_HOURS hours after the import ended.
TASKS_HEARTBEAT_SECONDS = float(env_str("GONGJIANG_TASKS_HEARTBEAT_SECONDS", "5"))
TASKS_STALE_SECONDS = float(env_str("GONGJIANG_TASKS_STALE_SECONDS", "60"))
TASKS_KEEP_DAYS = int(env_str("GONGJIANG_TASKS_KEEP_DAYS", "30"))
IMPORT_ERRORS_KEEP_HOURS = float(env_str("GONGJIANG_IMPORT_ERRORS_KEEP_HOURS", "24"))
# `gongjiang serve` on SQLite runs a worker in its own process (one command for the demo); set
# False where a separate `gongjiang worker` runs.
TASKS_WORKER_IN_SERVE = env_bool("GONGJIANG_TASKS_WORKER_IN_SERVE", True)
# -- end background tasks --

# Imports (dry runs included) an organisation may make in an hour: each reads the register for the
# identity numbers it names, so a flood of them is slowed down (registry/import_guard.py).
IMPORTS_PER_HOUR = int(env_str("GONGJIANG_IMPORTS_PER_HOUR", "30"))
# Corrections of returned identity claims an organisation may make in an hour: each is a guess at
# a name checked against the register (registry/services/identity.py, ADR 0032).
IDENTITY_CORRECTIONS_PER_HOUR = int(env_str("GONGJIANG_IDENTITY_CORRECTIONS_PER_HOUR", "20"))

# Spreadsheet uploads (core/uploads.py, core/sheets.py): the largest file taken, stopped as it
# arrives and checked again while it is copied for reading; the address space and seconds the
# child process that parses it may use. Django keeps uploads above 2.5 MB in a temporary file, never
# in memory (FILE_UPLOAD_MAX_MEMORY_SIZE), and a request's other fields to 2.5 MB.
UPLOAD_MAX_BYTES = int(env_str("GONGJIANG_UPLOAD_MAX_MB", "50")) * 1024 * 1024
SHEET_READ_MEMORY_BYTES = int(env_str("GONGJIANG_SHEET_READ_MEMORY_MB", "2048")) * 1024 * 1024
SHEET_READ_SECONDS = float(env_str("GONGJIANG_SHEET_READ_SECONDS", "180"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "gongjiang.core.uploads.BoundedUploadHandler",  # stops a file over UPLOAD_MAX_BYTES as it arrives
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Where the pages compute indicators: "duckdb" (a snapshot of the register, rebuilt after writes,
# on request and by `gongjiang indicators --refresh`) or "db" (the live database, always current, slower).
INSIGHT_ENGINE = env_str("GONGJIANG_INSIGHT_ENGINE", "duckdb")

# The worker rebuilds the snapshot by itself once the register has been quiet this many seconds
# after a write, and at the latest this many seconds after the first write not yet in it
# (insight/tasks.py); a quiet period of 0 leaves rebuilding to the bureau's button.
SNAPSHOT_REFRESH_QUIET_SECONDS = int(env_str("GONGJIANG_SNAPSHOT_REFRESH_QUIET_SECONDS", "120"))
SNAPSHOT_REFRESH_MAX_SECONDS = int(env_str("GONGJIANG_SNAPSHOT_REFRESH_MAX_SECONDS", "900"))

# Push e-mails (`gongjiang send-mail`): SMTP when a host is given, else files in the data
# directory, so a demo never sends mail by accident.
EMAIL_HOST = env_str("GONGJIANG_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env_str("GONGJIANG_EMAIL_PORT", "25"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"
DEFAULT_FROM_EMAIL = env_str("GONGJIANG_EMAIL_FROM", "gongjiang@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("GONGJIANG_LOG_LEVEL", "WARNING")},
}

# ---------------------------------------------------------------------------------------------
# Sign-in, accounts and transport security (issue 16 item 8, ADR 0020). All deployment choices
# come from the environment; `GONGJIANG_HTTPS=true` turns on everything that needs HTTPS (off in
# the demo, which is served on http://127.0.0.1).

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "gongjiang.directory.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(env_str("GONGJIANG_PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Throttling (directory.services.signin_*): this many refused sign-ins within the window lock the
# account name, or the client address, until the oldest of them leaves the window.
SIGNIN_FAILURES_PER_ACCOUNT = int(env_str("GONGJIANG_SIGNIN_FAILURES_PER_ACCOUNT", "5"))
SIGNIN_FAILURES_PER_ADDRESS = int(env_str("GONGJIANG_SIGNIN_FAILURES_PER_ADDRESS", "20"))
SIGNIN_WINDOW_SECONDS = int(env_str("GONGJIANG_SIGNIN_WINDOW_MINUTES", "15")) * 60

# A working day rather than Django's two weeks; optionally ended when the browser closes.
SESSION_COOKIE_AGE = int(env_str("GONGJIANG_SESSION_HOURS", "8")) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("GONGJIANG_SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SAMESITE = "Lax"

HTTPS = env_bool("GONGJIANG_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("GONGJIANG_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = int(env_str("GONGJIANG_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GONGJIANG_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
# Only behind a proxy that sets this header itself (and strips it from clients): then Django
# knows the original request came over HTTPS.
if env_bool("GONGJIANG_BEHIND_PROXY", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy sent on every response (portal/csp.py); "{nonce}" is replaced by the
# request's nonce, which the pages' own inline scripts carry.
CONTENT_SECURITY_POLICY = env_str(
    "GONGJIANG_CSP",
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)

# Two-factor sign-in (TOTP) is optional for everyone; with this, bureau accounts must enrol and
# then always give a code after the password.
REQUIRE_2FA_FOR_BUREAU = env_bool("GONGJIANG_REQUIRE_2FA_FOR_BUREAU", False)

# The set-password link of an invitation or a reset stays valid this long.
PASSWORD_RESET_TIMEOUT = int(env_str("GONGJIANG_PASSWORD_LINK_HOURS", "72")) * 3600
# End of the sign-in and accounts block.
