"""Sign-in throttling (issue 16 item 8): per account name and per client address, the same answer
for unknown names, a success clears the count, lockouts audited and unlocked by the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings

from gongjiang.core.models import AuditEntry
from gongjiang.directory import services
from gongjiang.directory.models import Organisation, User
from gongjiang.directory.selectors import actor_for_user
from tests.conftest import PASSWORD

LOCKED = "登录失败次数过多"
WRONG = "用户名或密码不正确"


def sign_in(username: str, password: str, address: str = "10.0.0.1") -> Any:
    return Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password})


def signed_in(response: Any) -> bool:
    return response.status_code == 302


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_for_the_right_one() -> None:
    for _ in range(5):
        answer = sign_in("school", "wrong-password-123")
        assert WRONG in answer.content.decode()
    answer = sign_in("school", PASSWORD)
    assert not signed_in(answer)
    assert LOCKED in answer.content.decode()
    # From another address too: the lock is on the account.
    assert not signed_in(sign_in("school", PASSWORD, address="10.9.9.9"))
    # Another account from the first address is not affected (5 < the address limit).
    assert signed_in(sign_in("school2", PASSWORD))
    lock = AuditEntry.objects.get(action="account.lock")
    assert lock.after["username"] == "school"
    assert lock.scope_organisation_code == User.objects.get(username="school").memberships.get().organisation.code


@pytest.mark.django_db
def test_an_unknown_name_gets_the_same_answers_as_a_real_one() -> None:
    real = [sign_in("school", "wrong-password-123").content.decode() for _ in range(6)]
    ghost = [sign_in("nobody-here", "wrong-password-123", address="10.0.0.2").content.decode() for _ in range(6)]

    def message(page: str) -> str:
        return page.split('role="alert">', 1)[1].split("</div>", 1)[0]

    assert [message(p) for p in real] == [message(p) for p in ghost]
    assert LOCKED in message(ghost[-1]) and WRONG in message(ghost[0])


@pytest.mark.django_db
@override_settings(SIGNIN_FAILURES_PER_ADDRESS=8)
def test_one_address_trying_many_names_is_locked_out() -> None:
    for n in range(8):
        sign_in(f"guess{n}", "wrong-password-123", address="10.6.6.6")
    assert LOCKED in sign_in("school", PASSWORD, address="10.6.6.6").content.decode()
    assert signed_in(sign_in("school", PASSWORD, address="10.7.7.7"))


@pytest.mark.django_db
def test_a_success_before_the_limit_starts_the_count_again() -> None:
    for _ in range(4):
        sign_in("school", "wrong-password-123")
    assert signed_in(sign_in("school", PASSWORD))
    for _ in range(4):
        sign_in("school", "wrong-password-123")
    assert signed_in(sign_in("school", PASSWORD))


@pytest.mark.django_db
def test_the_organisation_admin_unlocks_a_member_and_nobody_else_can(world: dict[str, Organisation]) -> None:
    for _ in range(5):
        sign_in("school", "wrong-password-123")
    user = User.objects.get(username="school")
    with pytest.raises(PermissionDenied):
        services.account_unlock(actor=actor_for_user(User.objects.get(username="school2")), user=user)
    assert not signed_in(sign_in("school", PASSWORD))
    services.account_unlock(actor=actor_for_user(user), user=user)
    assert AuditEntry.objects.filter(action="account.unlock", entity_id=str(user.pk)).exists()
    assert signed_in(sign_in("school", PASSWORD))
