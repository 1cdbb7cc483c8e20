"""Writes to organisations, people and accounts: validated, atomic, audited."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import audit
from gongjiang.core.actors import PUBLIC, Actor
from gongjiang.core.bulk import insert_many
from gongjiang.core.policies import require
from gongjiang.core.validators import normalise_text, parse_resident_id, validate_uscc
from gongjiang.directory import policies as _policies  # noqa: F401  (registers the rules)
from gongjiang.directory.models import (
    IdType,
    Membership,
    Organisation,
    OrganisationKind,
    Ownership,
    Person,
    Role,
    SchoolTier,
    SignInFailure,
    TwoFactor,
    User,
)
from gongjiang.directory.selectors import actor_for_user, signin_window_start
from gongjiang.refdata.selectors import id_region_valid, region_get

ORGANISATION_FIELDS = ("name", "region_code", "tier", "ownership", "uscc", "parent_id", "is_active")


def _audit_organisation(actor: Actor, action: str, org: Organisation, before: dict[str, Any] | None) -> None:
    audit.record(
        actor=actor,
        action=action,
        entity=org,
        before=before,
        after=audit.snapshot(org),
        owner=org,
    )


def _clean_organisation(org: Organisation) -> None:
    org.name = org.name.strip()
    if not org.name:
        raise ValidationError({"name": _("机构名称不能为空。")})
    if region_get(org.region_code) is None:
        raise ValidationError({"region_code": _("行政区划代码“%(code)s”不存在。") % {"code": org.region_code}})
    if org.kind == OrganisationKind.SCHOOL:
        if org.tier not in SchoolTier.values:
            raise ValidationError({"tier": _("技工院校必须填写院校层次（技师学院、高级技工学校或技工学校）。")})
        if org.ownership not in Ownership.values:
            raise ValidationError({"ownership": _("技工院校必须填写举办性质。")})
    elif org.tier:
        raise ValidationError({"tier": _("只有技工院校有院校层次。")})
    if org.uscc:
        try:
            org.uscc = validate_uscc(org.uscc)
        except ValidationError as exc:
            raise ValidationError({"uscc": exc.messages}) from exc
    if org.parent is not None and org.parent.kind != OrganisationKind.BUREAU:
        raise ValidationError({"parent": _("上级机构必须是人社部门。")})


def organisation_create(
    *,
    actor: Actor,
    code: str,
    kind: str,
    name: str,
    region_code: str,
    tier: str = "",
    ownership: str = "",
    uscc: str = "",
    parent: Organisation | None = None,
) -> Organisation:
    require(actor, "organisation.create", region_code)
    if kind not in OrganisationKind.values:
        raise ValidationError({"kind": _("机构类型“%(kind)s”未知。") % {"kind": kind}})
    org = Organisation(
        code=normalise_text(code),
        kind=kind,
        name=name,
        region_code=normalise_text(region_code),
        tier=tier,
        ownership=ownership,
        uscc=uscc,
        parent=parent,
    )
    _clean_organisation(org)
    if Organisation.objects.filter(code=org.code).exists():
        raise ValidationError({"code": _("机构代码“%(code)s”已被使用。") % {"code": org.code}})
    with transaction.atomic():
        org.save()
        _audit_organisation(actor, "organisation.create", org, None)
    return org


def organisation_update(*, actor: Actor, organisation: Organisation, **changes: Any) -> Organisation:
    require(actor, "organisation.update", organisation)
    unknown = set(changes) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    if "region_code" in changes:
        require(actor, "organisation.create", changes["region_code"])
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = audit.snapshot(org)
        for field, value in changes.items():
            setattr(org, field, value)
        _clean_organisation(org)
        if audit.snapshot(org) == before:
            return org
        org.save()
        _audit_organisation(actor, "organisation.update", org, before)
    return org


def person_create(
    *,
    actor: Actor,
    name: str,
    id_number: str,
    id_type: str = IdType.RESIDENT_ID,
    phone: str = "",
    claims: Person | None = None,
    claimed_by_id: int | None = None,
    **facts: Any,
) -> Person:
    """Register a natural person. For a 身份证 the birth date and sex come from the number; if
    given as well they must agree. With `claims`, the person is an organisation's claim on a
    registered person (`registry.services.identity`)."""
    require(actor, "person.create")
    person = _new_person(
        region_known=id_region_valid, name=name, id_number=id_number, id_type=id_type, phone=phone, **facts
    )
    person.claims, person.claimed_by_id = claims, claimed_by_id
    with transaction.atomic():
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError as exc:
            raise ValidationError({"id_number": _("该证件号码已登记。")}) from exc
        audit.record(actor=actor, action="person.create", entity=person, after=audit.snapshot(person, PERSON_HIDDEN))
    return person


# Left out of the audit's picture of a person: whether a row is a claim on someone registered
# elsewhere is the bureau's to know, and the entry is shown to the organisation that wrote it.
PERSON_HIDDEN = (*audit.DEFAULT_EXCLUDE, "claims", "claimed_by", "merged_at")


def person_create_many(*, actor: Actor, people: Sequence[Mapping[str, Any]]) -> list[Person]:
    """Register many people at once (a training class, an enterprise's apprentices), each checked
    as `person_create` checks one (the same keyword arguments); one invalid or already registered
    person refuses the whole batch."""
    require(actor, "person.create")
    # The region check is a catalogue lookup; a batch repeats the same few codes.
    region_known = functools.cache(id_region_valid)
    built = [_new_person(region_known=region_known, **fields) for fields in people]
    if len({(p.id_type, p.id_number) for p in built}) < len(built):
        raise ValidationError({"id_number": _("同一批中有重复的证件号码。")})
    with transaction.atomic():
        try:
            with transaction.atomic():
                created = list(insert_many(built))
        except IntegrityError as exc:
            raise ValidationError({"id_number": _("该证件号码已登记。")}) from exc
        audit.record_many(
            audit.entry_values(actor=actor, action="person.create", entity=p, after=audit.snapshot(p, PERSON_HIDDEN))
            for p in created
        )
    return created


def _new_person(
    *,
    region_known: Callable[[str], bool],
    name: str,
    id_number: str,
    id_type: str = IdType.RESIDENT_ID,
    phone: str = "",
    **facts: Any,
) -> Person:
    """An unsaved, checked person: the rules of `person_create` and `person_create_many`."""
    person = Person(
        name=name.strip(), id_type=id_type, id_number=normalise_text(id_number).upper(), phone=normalise_text(phone)
    )
    if not person.name:
        raise ValidationError({"name": _("姓名不能为空。")})
    if id_type == IdType.RESIDENT_ID:
        try:
            parsed = parse_resident_id(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
        if not region_known(parsed.region_code):
            raise ValidationError(
                {"id_number": _("身份证号前六位“%(code)s”不是有效的行政区划代码。") % {"code": parsed.region_code}}
            )
        given_birth, given_sex = facts.get("birth_date"), facts.get("sex")
        if given_birth and given_birth != parsed.birth_date:
            raise ValidationError(
                {"birth_date": _("出生日期与身份证号不一致（身份证号为%(date)s）。") % {"date": parsed.birth_date}}
            )
        if given_sex and given_sex != parsed.sex:
            raise ValidationError({"sex": _("性别与身份证号不一致。")})
        person.id_number, person.birth_date, person.sex = parsed.number, parsed.birth_date, parsed.sex
    else:
        if id_type not in IdType.values or not person.id_number:
            raise ValidationError({"id_number": _("请填写证件类型和证件号码。")})
        person.birth_date = facts.get("birth_date")
        person.sex = facts.get("sex", "")
    return person


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str | None,
    display_name: str = "",
    person: Person | None = None,
    email: str = "",
) -> User:
    require(actor, "account.create")
    username = normalise_text(username)
    if not username:
        raise ValidationError({"username": _("用户名不能为空。")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名“%(name)s”已被使用。") % {"name": username}})
    user = User(username=username, first_name=display_name[:150], email=email, person=person)
    if password is None:
        user.set_unusable_password()
    else:
        validate_new_password(password, user)
        user.set_password(password)
    with transaction.atomic():
        user.save()
        audit.record(actor=actor, action="account.create", entity=user, after=audit.snapshot(user))
    return user


def membership_grant(*, actor: Actor, user: User, organisation: Organisation, role: str = Role.STAFF) -> Membership:
    require(actor, "membership.grant", organisation)
    if role not in Role.values:
        raise ValidationError({"role": _("角色“%(role)s”未知。") % {"role": role}})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
        before = None if created else audit.snapshot(membership)
        if not created and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
        elif not created:
            return membership
        audit.record(
            actor=actor,
            action="membership.grant",
            entity=membership,
            entity_label=f"{user.username} @ {organisation.code}",
            before=before,
            after=audit.snapshot(membership),
            owner=organisation,
        )
    return membership


def validate_new_password(password: str, user: User | None = None) -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), on every path that sets
    a password: their messages are in Chinese under the field `password`."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


# ---------------------------------------------------------------------------------------------
# Sign-in throttling. A locked name or address is refused before the password is checked, with
# the message the login form gives for a wrong password's lockout whether the account exists or
# not: failures are counted per name as typed, known or unknown alike.


def _organisation_of_account(username: str) -> Organisation | None:
    """The organisation whose admins and bureau see what happens to an account, if any."""
    membership = Membership.objects.filter(user__username=username).select_related("organisation").first()
    return membership.organisation if membership else None


def signin_failed(*, username: str, address: str | None) -> bool:
    """Record a refused sign-in; return True when it locks the name (audited as `account.lock`)."""
    username = username[:150]
    owner = _organisation_of_account(username)
    with transaction.atomic():
        failure = SignInFailure.objects.create(username=username, address=address or None)
        audit.record(
            actor=PUBLIC,
            action="account.sign_in_failed",
            entity=failure,
            after=audit.snapshot(failure),
            owner=owner,
        )
        count = SignInFailure.objects.filter(username=username, at__gte=signin_window_start(), cleared=False).count()
        locked = count == settings.SIGNIN_FAILURES_PER_ACCOUNT
        if locked:
            audit.record(
                actor=PUBLIC,
                action="account.lock",
                entity=failure,
                entity_label=username,
                after={"username": username, "failures": count, "minutes": settings.SIGNIN_WINDOW_SECONDS // 60},
                owner=owner,
            )
    return locked


def signin_succeeded(*, user: User) -> None:
    """A right password while not locked: the account's count starts again."""
    SignInFailure.objects.filter(username=user.username, cleared=False).update(cleared=True)


def account_unlock(*, actor: Actor, user: User) -> int:
    """Let a locked account sign in again before its lock runs out (its admin's or bureau's call)."""
    require(actor, "account.manage", user)
    with transaction.atomic():
        cleared = SignInFailure.objects.filter(username=user.username, cleared=False).update(cleared=True)
        audit.record(
            actor=actor,
            action="account.unlock",
            entity=user,
            after={"username": user.username, "cleared_failures": cleared},
            owner=_organisation_of_account(user.username),
        )
    return cleared


# ---------------------------------------------------------------------------------------------
# Accounts managed by an organisation's admin (portal: 账号管理). Set-password links are Django's
# password-reset tokens: single use (they change with the password), valid for
# settings.PASSWORD_RESET_TIMEOUT, sent by e-mail and never shown on a page.


def _send_password_link(*, user: User, link_base: str, invitation: bool) -> None:
    """E-mail `user` a one-time link to set a password; `link_base` is the site's address."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "portal:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    if invitation:
        subject = _("工匠平台：请设置您的登录密码")
        opening = _("您已被邀请使用工匠平台，用户名为 %(username)s。") % {"username": user.username}
    else:
        subject = _("工匠平台：重设登录密码")
        opening = _("管理员为您的账号 %(username)s 发起了密码重设。") % {"username": user.username}
    body = "\n\n".join(
        [
            opening,
            _("请在 %(hours)s 小时内打开下面的链接设置密码（只能使用一次）：") % {"hours": hours},
            link_base.rstrip("/") + path,
            _("如果您不知道此事，请忽略这封邮件。"),
        ]
    )
    send_mail(str(subject), body, None, [user.email])


def _require_email(email: str) -> str:
    from django.core.validators import validate_email

    email = normalise_text(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("请填写有效的电子邮箱，设置密码的链接会发到这个邮箱。")}) from exc
    return email


def account_invite(
    *,
    actor: Actor,
    organisation: Organisation,
    username: str,
    email: str,
    display_name: str = "",
    role: str = Role.STAFF,
    link_base: str,
) -> Membership:
    """A new member: an account without a usable password, its membership, and an e-mailed
    one-time link to set the password."""
    require(actor, "account.invite", organisation)
    if role not in Role.values:
        raise ValidationError({"role": _("角色“%(role)s”未知。") % {"role": role}})
    username = normalise_text(username)
    if not username:
        raise ValidationError({"username": _("用户名不能为空。")})
    email = _require_email(email)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名“%(name)s”已被使用，请换一个。") % {"name": username}})
    with transaction.atomic():
        user = User(username=username, first_name=normalise_text(display_name)[:150], email=email)
        user.set_unusable_password()
        user.save()
        audit.record(actor=actor, action="account.invite", entity=user, after=audit.snapshot(user), owner=organisation)
        membership = Membership.objects.create(user=user, organisation=organisation, role=role)
        audit.record(
            actor=actor,
            action="membership.grant",
            entity=membership,
            entity_label=f"{user.username} @ {organisation.code}",
            after=audit.snapshot(membership),
            owner=organisation,
        )
        _send_password_link(user=user, link_base=link_base, invitation=True)
    return membership


def _other_active_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.ADMIN, user__is_active=True)
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_role_set(*, actor: Actor, membership: Membership, role: str) -> Membership:
    """Change a member's role; an organisation always keeps at least one active admin."""
    require(actor, "account.invite", membership.organisation)
    if role not in Role.values:
        raise ValidationError({"role": _("角色“%(role)s”未知。") % {"role": role}})
    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("user", "organisation").get(pk=membership.pk)
        if locked.role == role:
            return locked
        if locked.role == Role.ADMIN and not _other_active_admins(locked):
            raise ValidationError({"role": _("这是本单位唯一的管理员，不能改为其他角色。请先指定另一位管理员。")})
        before = audit.snapshot(locked)
        locked.role = role
        locked.save(update_fields=["role"])
        audit.record(
            actor=actor,
            action="membership.role",
            entity=locked,
            entity_label=f"{locked.user.username} @ {locked.organisation.code}",
            before=before,
            after=audit.snapshot(locked),
            owner=locked.organisation,
        )
    return locked


def _end_sessions(user: User) -> int:
    """Delete the user's sessions, so a deactivated account is signed out everywhere at once."""
    from django.contrib.auth import SESSION_KEY

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def account_set_active(*, actor: Actor, user: User, active: bool) -> User:
    """Deactivate (it cannot sign in and its sessions end) or reactivate a member's account."""
    require(actor, "account.manage", user)
    if user.pk == actor.user_id and not active:
        raise ValidationError({"is_active": _("不能停用自己的账号。")})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return locked
        if not active:
            for membership in locked.memberships.filter(role=Role.ADMIN):
                if not _other_active_admins(membership):
                    raise ValidationError({"is_active": _("这是本单位唯一的管理员，不能停用。请先指定另一位管理员。")})
        before = audit.snapshot(locked)
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="account.activate" if active else "account.deactivate",
            entity=locked,
            before=before,
            after=audit.snapshot(locked),
            owner=_organisation_of_account(locked.username),
        )
        if not active:
            _end_sessions(locked)
    return locked


def account_send_reset(*, actor: Actor, user: User, link_base: str) -> None:
    """E-mail a member a one-time link to set a new password; no password is ever shown."""
    require(actor, "account.manage", user)
    if not user.email:
        raise ValidationError({"email": _("该账号没有登记电子邮箱，无法发送重设链接。请先为其登记邮箱。")})
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="account.reset_link",
            entity=user,
            after={"username": user.username, "email": user.email},
            owner=_organisation_of_account(user.username),
        )
        _send_password_link(user=user, link_base=link_base, invitation=False)


def password_set(*, actor: Actor, user: User, password: str) -> User:
    """A user sets their own password (changing it, or through a one-time link), validated."""
    if actor.user_id != user.pk:
        require(actor, "account.manage", user)
    validate_new_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(
            actor=actor,
            action="account.password",
            entity=user,
            after={"username": user.username},
            owner=_organisation_of_account(user.username),
        )
        SignInFailure.objects.filter(username=user.username, cleared=False).update(cleared=True)
    return user


# ---------------------------------------------------------------------------------------------
# Two-factor sign-in (TOTP, RFC 6238, pyotp): optional for everyone, required for bureau accounts
# when settings.REQUIRE_2FA_FOR_BUREAU. Secrets and codes never enter the audit trail.

RECOVERY_CODES = 10


def _hash_code(code: str) -> str:
    # Recovery codes are 10 random base32 characters (50 bits): a plain digest is enough, and
    # unlike a password hasher it can be looked up.
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def _audit_two_factor(actor: Actor, action: str, device: TwoFactor) -> None:
    audit.record(
        actor=actor,
        action=action,
        entity=device,
        after={"username": device.user.username, "confirmed": device.confirmed_at is not None},
        owner=_organisation_of_account(device.user.username),
    )


def totp_enrol_start(*, actor: Actor, user: User) -> TwoFactor:
    """A new, unconfirmed secret for the user (replacing an unconfirmed one); an already confirmed
    authenticator must be switched off first."""
    if actor.user_id != user.pk:
        raise PermissionDenied(_("只能为自己的账号设置两步验证。"))
    with transaction.atomic():
        device = TwoFactor.objects.select_for_update().filter(user=user).first()
        if device is not None and device.confirmed_at is not None:
            raise ValidationError(_("两步验证已经启用。"))
        if device is None:
            device = TwoFactor(user=user)
        device.secret = pyotp.random_base32()
        device.last_step = 0
        device.recovery_codes = []
        device.save()
        _audit_two_factor(actor, "account.totp_enrol", device)
    return device


def _totp_step_accepted(device: TwoFactor, code: str) -> int | None:
    """The time step `code` belongs to (this one or a neighbour, for clock drift), if new."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    for drift in (0, -1, 1):
        at = now + dt.timedelta(seconds=30 * drift)
        if totp.verify(code, for_time=at, valid_window=0):
            step = int(at.timestamp()) // 30
            return step if step > device.last_step else None
    return None


def totp_confirm(*, actor: Actor, user: User, code: str) -> list[str]:
    """Switch two-factor sign-in on with a first code from the authenticator; returns the recovery
    codes, shown to the user once and kept only hashed."""
    if actor.user_id != user.pk:
        raise PermissionDenied(_("只能为自己的账号设置两步验证。"))
    with transaction.atomic():
        device = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
        if device is None:
            raise ValidationError(_("请先开始设置两步验证。"))
        step = _totp_step_accepted(device, code)
        if step is None:
            raise ValidationError({"code": _("验证码不正确。请输入验证器中当前显示的 6 位数字，并确认手机时间准确。")})
        codes = [secrets.token_hex(5).upper() for _n in range(RECOVERY_CODES)]
        device.recovery_codes = [_hash_code(c) for c in codes]
        device.confirmed_at = timezone.now()
        device.last_step = step
        device.save()
        _audit_two_factor(actor, "account.totp_confirm", device)
    return codes


def totp_verify(*, user: User, code: str, address: str | None) -> bool:
    """The second step of signing in: a fresh authenticator code, or an unused recovery code
    (then spent). A wrong code counts as a refused sign-in of the name."""
    with transaction.atomic():
        device = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            return False
        step = _totp_step_accepted(device, code)
        if step is not None:
            device.last_step = step
            device.save(update_fields=["last_step"])
            _audit_two_factor(actor_for_self(user), "account.totp_sign_in", device)
            return True
        hashed = _hash_code(code)
        if hashed in device.recovery_codes:
            device.recovery_codes = [h for h in device.recovery_codes if h != hashed]
            device.save(update_fields=["recovery_codes"])
            _audit_two_factor(actor_for_self(user), "account.totp_recovery_code", device)
            return True
    signin_failed(username=user.username, address=address)
    return False


def totp_disable(*, actor: Actor, user: User) -> None:
    """Switch two-factor sign-in off: the user themself (already signed in with it), or the
    organisation's admin for a member who lost the authenticator and the recovery codes."""
    if actor.user_id != user.pk:
        require(actor, "account.manage", user)
    with transaction.atomic():
        device = TwoFactor.objects.select_for_update().filter(user=user).first()
        if device is None:
            return
        _audit_two_factor(actor, "account.totp_disable", device)
        device.delete()


def actor_for_self(user: User) -> Actor:
    """The user acting on their own account, even with no organisation or person (an invited
    account whose organisation was deactivated, or a sign-in not yet complete)."""
    actor = actor_for_user(user)
    return actor if actor.user_id == user.pk else Actor(kind=PUBLIC.kind, username=user.username, user_id=user.pk)
