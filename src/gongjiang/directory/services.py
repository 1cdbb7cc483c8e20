"""Writes to organisations, people and accounts: validated, atomic, audited."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongjiang.core import audit
from gongjiang.core.actors import Actor
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
    User,
)
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
    with transaction.atomic():
        user = User(username=username, first_name=display_name[:150], email=email, person=person)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
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
