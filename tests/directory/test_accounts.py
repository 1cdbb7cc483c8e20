"""Accounts an organisation's admin manages (issue 16 item 8): invite with an e-mailed one-time
link, roles, deactivation that ends sessions, reset links, the last admin kept; each write
policy-checked and audited; another school's members answer 404."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from gongjiang.core.actors import system_actor
from gongjiang.core.models import AuditEntry
from gongjiang.directory import services
from gongjiang.directory.models import Membership, Organisation, Role, User
from gongjiang.directory.selectors import actor_for_user
from tests.conftest import PASSWORD


def link_in(mail: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/password/set/[^\s]+/)", mail.body)
    assert found is not None, mail.body
    return found.group(1)


def invite(client: Client, username: str = "new-clerk", role: str = Role.STAFF) -> Any:
    return client.post(
        "/accounts/",
        {"username": username, "display_name": "新职员", "email": f"{username}@school.example", "role": role},
    )


def test_an_admin_invites_a_member_who_sets_a_password_through_the_link(
    client_for: Any, mailoutbox: list[Any], world: dict[str, Organisation]
) -> None:
    admin = client_for("school")
    assert invite(admin).status_code == 302
    user = User.objects.get(username="new-clerk")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).organisation == world["school"]
    assert AuditEntry.objects.filter(action="account.invite", entity_id=str(user.pk)).exists()
    (mail,) = mailoutbox
    assert mail.to == ["new-clerk@school.example"]
    link = link_in(mail)
    assert link not in admin.get("/accounts/").content.decode()  # never shown on the page
    newcomer = Client()
    form = newcomer.get(link, follow=True)
    assert form.status_code == 200
    target = form.redirect_chain[-1][0]
    weak = newcomer.post(target, {"new_password1": "12345678901", "new_password2": "12345678901"})
    assert "全部为数字" in weak.content.decode() or "常见" in weak.content.decode()
    done = newcomer.post(target, {"new_password1": "turbine-lathe-73", "new_password2": "turbine-lathe-73"})
    assert done.status_code == 302
    assert newcomer.post("/login/", {"username": "new-clerk", "password": "turbine-lathe-73"}).status_code == 302
    # Used once: the link no longer works.
    assert "已失效" in Client().get(link, follow=True).content.decode()


def test_another_schools_member_is_not_found(client_for: Any) -> None:
    other = Membership.objects.get(user__username="school2")
    for action in ("deactivate", "reset", "unlock", "role"):
        answer = client_for("school").post(f"/accounts/{other.pk}/", {"action": action, "role": "viewer"})
        assert answer.status_code == 404
    assert User.objects.get(username="school2").is_active


def test_a_learner_has_no_account_pages(client_for: Any) -> None:
    assert client_for("student").get("/accounts/").status_code == 403


def test_deactivation_ends_the_members_sessions_and_sign_in(client_for: Any) -> None:
    admin = actor_for_user(User.objects.get(username="school"))
    school = admin.organisation_id
    clerk = services.user_create(actor=system_actor(), username="clerk-x", password="turbine-lathe-73")
    organisation = Organisation.objects.get(pk=school)
    membership = services.membership_grant(actor=admin, user=clerk, organisation=organisation, role=Role.STAFF)
    services.membership_role_set(actor=admin, membership=membership, role=Role.VIEWER)
    assert Membership.objects.get(pk=membership.pk).role == Role.VIEWER
    session = Client()
    assert session.post("/login/", {"username": "clerk-x", "password": "turbine-lathe-73"}).status_code == 302
    assert session.get("/password/").status_code == 200
    response = client_for("school").post(f"/accounts/{membership.pk}/", {"action": "deactivate"})
    assert response.status_code == 302
    assert session.get("/password/").status_code == 302  # signed out
    assert Client().post("/login/", {"username": "clerk-x", "password": "turbine-lathe-73"}).status_code == 200
    assert AuditEntry.objects.filter(action="account.deactivate", entity_id=str(clerk.pk)).exists()
    client_for("school").post(f"/accounts/{membership.pk}/", {"action": "activate"})
    assert Client().post("/login/", {"username": "clerk-x", "password": "turbine-lathe-73"}).status_code == 302


def test_the_last_admin_cannot_demote_or_deactivate_themself(client_for: Any) -> None:
    user = User.objects.get(username="school")
    admin = actor_for_user(user)
    own = Membership.objects.get(user=user)
    with pytest.raises(ValidationError, match="唯一的管理员"):
        services.membership_role_set(actor=admin, membership=own, role=Role.STAFF)
    with pytest.raises(ValidationError, match="不能停用自己"):
        services.account_set_active(actor=admin, user=user, active=False)
    page = client_for("school").post(f"/accounts/{own.pk}/", {"action": "role", "role": "staff"}, follow=True)
    assert "唯一的管理员" in page.content.decode()
    assert Membership.objects.get(pk=own.pk).role == Role.ADMIN


def test_a_staff_member_cannot_manage_accounts(world: dict[str, Organisation]) -> None:
    clerk = services.user_create(actor=system_actor(), username="clerk-y", password="turbine-lathe-73")
    admin = actor_for_user(User.objects.get(username="school"))
    membership = services.membership_grant(actor=admin, user=clerk, organisation=world["school"], role=Role.STAFF)
    staff = actor_for_user(clerk)
    with pytest.raises(PermissionDenied):
        services.membership_role_set(actor=staff, membership=membership, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.account_invite(
            actor=staff,
            organisation=world["school"],
            username="z",
            email="z@example.com",
            link_base="http://testserver",
        )


def test_a_reset_link_is_mailed_never_shown(client_for: Any, mailoutbox: list[Any]) -> None:
    user = User.objects.get(username="school")
    clerk = services.user_create(
        actor=system_actor(), username="clerk-z", email="clerk-z@school.example", password="turbine-lathe-73"
    )
    admin = actor_for_user(user)
    membership = services.membership_grant(
        actor=admin, user=clerk, organisation=Membership.objects.get(user=user).organisation
    )
    page = client_for("school").post(f"/accounts/{membership.pk}/", {"action": "reset"}, follow=True)
    assert "已向 clerk-z 的邮箱发送" in page.content.decode()
    (mail,) = mailoutbox
    assert link_in(mail) not in page.content.decode()
    assert AuditEntry.objects.filter(action="account.reset_link", entity_id=str(clerk.pk)).exists()


def test_users_change_their_own_password_with_the_old_one_and_the_validators(client_for: Any) -> None:
    client = Client()
    client.force_login(User.objects.get(username="school2"))
    wrong_old = client.post(
        "/password/", {"old_password": "nope", "new_password1": "turbine-lathe-73", "new_password2": "turbine-lathe-73"}
    )
    assert wrong_old.status_code == 200
    weak = client.post("/password/", {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"})
    assert "密码太短" in weak.content.decode()
    good = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "turbine-lathe-73", "new_password2": "turbine-lathe-73"},
    )
    assert good.status_code == 302
    assert client.get("/password/").status_code == 200  # still signed in
    assert User.objects.get(username="school2").check_password("turbine-lathe-73")
    assert AuditEntry.objects.filter(action="account.password", actor_username="school2").exists()


def test_a_forgotten_password_answer_does_not_tell_whether_the_address_exists(db: None, mailoutbox: list[Any]) -> None:
    User.objects.filter(username="school2").update(email="school2@school.example")
    known = Client().post("/password/reset/", {"email": "school2@school.example"}, follow=True)
    unknown = Client().post("/password/reset/", {"email": "nobody@nowhere.example"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain

    def without_tokens(page: Any) -> str:
        # The CSRF token and the CSP nonce differ on every response.
        return re.sub(r'(value|nonce)="[^"]*"|"inlineScriptNonce": "[^"]*"', "", page.content.decode())

    assert without_tokens(known) == without_tokens(unknown)
    assert len(mailoutbox) == 1
    client = Client()
    form = client.get(link_in(mailoutbox[0]), follow=True)
    target = form.redirect_chain[-1][0]
    assert (
        client.post(target, {"new_password1": "turbine-lathe-73", "new_password2": "turbine-lathe-73"}).status_code
        == 302
    )
    assert User.objects.get(username="school2").check_password("turbine-lathe-73")
