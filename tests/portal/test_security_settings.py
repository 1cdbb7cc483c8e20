"""Transport security and the Content-Security-Policy (issue 16 item 8), and `next` targets that
leave the site are not followed."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django.conf import settings


def settings_with(monkeypatch: pytest.MonkeyPatch, **environment: str) -> Any:
    """The settings module as it reads the given environment."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    import gongjiang.config.settings as module

    return importlib.reload(module)


def test_https_turns_on_secure_cookies_hsts_and_the_redirect(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        on = settings_with(monkeypatch, GONGJIANG_HTTPS="true", GONGJIANG_SESSION_HOURS="4")
        assert on.SESSION_COOKIE_SECURE and on.CSRF_COOKIE_SECURE and on.SECURE_SSL_REDIRECT
        assert on.SECURE_HSTS_SECONDS >= 31_536_000
        assert on.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
        assert on.SESSION_COOKIE_AGE == 4 * 3600
        monkeypatch.delenv("GONGJIANG_HTTPS")
        monkeypatch.delenv("GONGJIANG_SESSION_HOURS")
        off = settings_with(monkeypatch)
        assert not off.SESSION_COOKIE_SECURE and not off.SECURE_SSL_REDIRECT and off.SECURE_HSTS_SECONDS == 0
        assert off.SESSION_COOKIE_AGE == 8 * 3600  # a working day, not Django's two weeks
    finally:
        monkeypatch.undo()
        import gongjiang.config.settings as module

        importlib.reload(module)


@pytest.mark.django_db
def test_headers_when_https_is_on(client_for: Any) -> None:
    from django.test import override_settings

    with override_settings(
        SECURE_SSL_REDIRECT=True,
        SECURE_HSTS_SECONDS=31_536_000,
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
    ):
        anonymous = client_for("anonymous")
        assert anonymous.get("/login/").status_code == 301  # to https
        page = anonymous.get("/login/", secure=True)
        assert page["Strict-Transport-Security"].startswith("max-age=31536000")
        assert page["X-Content-Type-Options"] == "nosniff"
        assert page["Referrer-Policy"] == "same-origin"
        assert page.cookies["csrftoken"]["secure"]


@pytest.mark.django_db
def test_every_page_has_a_csp_and_its_inline_scripts_carry_the_nonce(client_for: Any) -> None:
    assert settings.CONTENT_SECURITY_POLICY
    page = client_for("bureau").get("/insight/")
    policy = page["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    html = page.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce.group(1)}"' in attributes for attributes in inline)
    assert not re.search(r"\son(change|click|submit|load)=", html)
    assert "javascript:" not in html
    # A new nonce on every response.
    assert client_for("bureau").get("/insight/")["Content-Security-Policy"] != policy
    assert "Content-Security-Policy" in client_for("anonymous").get("/no-such-page/")


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "https:evil.example"])
def test_the_snapshot_refresh_does_not_follow_next_off_the_site(client_for: Any, target: str) -> None:
    response = client_for("bureau").post("/insight/refresh/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/insight/"


@pytest.mark.django_db
def test_the_snapshot_refresh_still_goes_back_to_the_page_it_came_from(client_for: Any) -> None:
    response = client_for("bureau").post("/insight/refresh/", {"next": "/insight/?year=2024"})
    assert response["Location"] == "/insight/?year=2024"


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example"])
def test_login_logout_and_language_do_not_follow_next_off_the_site(client_for: Any, target: str) -> None:
    from tests.conftest import PASSWORD

    anonymous = client_for("anonymous")
    signed = anonymous.post("/login/", {"username": "school", "password": PASSWORD, "next": target})
    assert signed.status_code == 302 and "evil" not in signed["Location"]
    language = anonymous.post("/i18n/setlang/", {"language": "en", "next": target})
    assert "evil" not in language["Location"]
    out = anonymous.post("/logout/", {"next": target})
    assert "evil" not in out["Location"]
