"""Test settings: the real settings, with a fast password hasher (hashing is not under test)
and web imports run inside the request."""

from gongjiang.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Unit tests hold their data in an open transaction that a background thread cannot see; the
# browser tests (committed data, a live server) turn background imports back on.
IMPORTS_IN_BACKGROUND = False
# Pages compute on the test database itself: a snapshot file would outlive each test's rollback.
INSIGHT_ENGINE = "db"
# Many tests verify from one address within a minute; the limit itself is tested with its own
# setting (tests/credentials/test_public_verify.py).
CREDENTIALS_VERIFY_PER_MINUTE = 10_000
