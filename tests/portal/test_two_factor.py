"""Two-factor sign-in with real TOTP codes (issue 16 item 8): enrol, confirm, then a code after
the password; recovery codes work once; codes are not replayed; bureau accounts must enrol when
GONGJIANG_REQUIRE_2FA_FOR_BUREAU is on."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from django.test import Client, override_settings

from gongjiang.core.models import AuditEntry
from gongjiang.directory.models import Membership, TwoFactor, User
from tests.conftest import PASSWORD


def enrol(client: Client) -> tuple[str, list[str]]:
    """Set up an authenticator through the page, as a user would; the secret and recovery codes."""
    page = client.post("/account/2fa/", {"action": "start"}).content.decode()
    uri = re.search(r'data-testid="otpauth-uri">([^<]+)<', page)
    assert uri is not None and uri.group(1).startswith("otpauth://totp/")
    secret = pyotp.parse_uri(uri.group(1).replace("&amp;", "&")).secret
    wrong = client.post("/account/2fa/", {"action": "confirm", "code": "000000"}).content.decode()
    assert "验证码不正确" in wrong
    done = client.post("/account/2fa/", {"action": "confirm", "code": pyotp.TOTP(secret).now()}).content.decode()
    codes = re.findall(r"<li><code>([0-9A-F]{10})</code></li>", done)
    assert len(codes) == 10
    return secret, codes


def password_step(username: str = "school2", address: str = "10.1.1.1") -> tuple[Client, Any]:
    client = Client(REMOTE_ADDR=address)
    return client, client.post("/login/", {"username": username, "password": PASSWORD})


def is_signed_in(client: Client) -> bool:
    return client.get("/password/").status_code == 200


@pytest.mark.django_db
def test_after_enrolment_a_code_is_asked_after_the_password() -> None:
    owner = Client()
    owner.force_login(User.objects.get(username="school2"))
    secret, codes = enrol(owner)
    device = TwoFactor.objects.get(user__username="school2")
    assert device.confirmed_at is not None and codes[0] not in str(device.recovery_codes)
    assert AuditEntry.objects.filter(action="account.totp_confirm").exists()
    assert secret not in str(list(AuditEntry.objects.values_list("after", flat=True)))

    client, answer = password_step()
    assert answer["Location"] == "/login/code/"
    assert not is_signed_in(client)  # the password alone is not enough
    assert "验证码不正确" in client.post("/login/code/", {"code": "123456"}).content.decode()
    # The code of the next time step (allowed for clock drift): the current one was spent on
    # confirming, and a code is good once.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert client.post("/login/code/", {"code": code}).status_code == 302
    assert is_signed_in(client)
    # The same code cannot be used again.
    again, _ = password_step()
    assert again.post("/login/code/", {"code": code}).status_code == 200
    assert not is_signed_in(again)


@pytest.mark.django_db
def test_a_recovery_code_works_once() -> None:
    owner = Client()
    owner.force_login(User.objects.get(username="school2"))
    _secret, codes = enrol(owner)
    first, _ = password_step()
    assert first.post("/login/code/", {"code": codes[3]}).status_code == 302
    assert is_signed_in(first)
    second, _ = password_step(address="10.1.1.2")
    assert second.post("/login/code/", {"code": codes[3]}).status_code == 200
    assert not is_signed_in(second)


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_lock() -> None:
    owner = Client()
    owner.force_login(User.objects.get(username="school2"))
    secret, _codes = enrol(owner)
    client, _ = password_step()
    for _n in range(5):
        client.post("/login/code/", {"code": "000000"})
    answer = client.post("/login/code/", {"code": pyotp.TOTP(secret).now()})
    assert "登录失败次数过多" in answer.content.decode()
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_the_second_step_expires() -> None:
    owner = Client()
    owner.force_login(User.objects.get(username="school2"))
    secret, _codes = enrol(owner)
    client, _ = password_step()
    session = client.session
    session["gj_2fa_pending"]["at"] = time.time() - 3600
    session.save()
    assert client.post("/login/code/", {"code": pyotp.TOTP(secret).now()})["Location"] == "/login/"
    assert not is_signed_in(client)


@pytest.mark.django_db
@override_settings(REQUIRE_2FA_FOR_BUREAU=True)
def test_bureau_accounts_must_enrol_when_required() -> None:
    client, answer = password_step(username="bureau")
    assert answer["Location"] == "/account/2fa/"
    assert client.get("/insight/")["Location"] == "/account/2fa/"
    assert client.get("/api/v1/directory/me").status_code == 403
    _secret, _codes = enrol(client)
    assert client.get("/insight/").status_code == 200
    # Cannot be switched off, and the next sign-in asks for a code.
    client.post("/account/2fa/", {"action": "disable"})
    assert TwoFactor.objects.filter(user__username="bureau", confirmed_at__isnull=False).exists()
    _fresh, answer = password_step(username="bureau", address="10.1.1.3")
    assert answer["Location"] == "/login/code/"
    # A school's account is not forced.
    _school, answer = password_step(username="school", address="10.1.1.4")
    assert answer.status_code == 302 and answer["Location"] == "/"


@pytest.mark.django_db
def test_the_admin_switches_off_a_members_lost_authenticator_and_no_one_elses() -> None:
    owner = Client()
    owner.force_login(User.objects.get(username="school2"))
    enrol(owner)
    membership = Membership.objects.get(user__username="school2")
    stranger = Client()
    stranger.force_login(User.objects.get(username="school"))
    assert stranger.post(f"/accounts/{membership.pk}/", {"action": "totp_off"}).status_code == 404
    assert TwoFactor.objects.filter(user__username="school2").exists()
    # school2 is its school's only admin here: it switches its own off from its account page.
    page = owner.get("/accounts/").content.decode()
    assert 'value="totp_off"' in page
    owner.post(f"/accounts/{membership.pk}/", {"action": "totp_off"})
    assert not TwoFactor.objects.filter(user__username="school2").exists()
    assert AuditEntry.objects.filter(action="account.totp_disable").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example"])
def test_the_code_step_does_not_follow_next_off_the_site(target: str) -> None:
    owner = Client()
    owner.force_login(User.objects.get(username="school2"))
    secret, _codes = enrol(owner)
    client = Client()
    client.post("/login/", {"username": "school2", "password": PASSWORD, "next": target})
    answer = client.post("/login/code/", {"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert answer.status_code == 302 and answer["Location"] == "/"
