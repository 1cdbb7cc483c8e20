from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.core.scope import ActorKind
from gongjiang.directory import services
from gongjiang.directory.models import Organisation, OrganisationKind, Ownership, Person, SchoolTier, User
from gongjiang.directory.selectors import actor_for_user


def bureau_actor(world: dict[str, Organisation], key: str = "bureau") -> Actor:
    return actor_for_user(User.objects.get(username={"bureau": "bureau", "bureau_other": "u-bur-150400"}[key]))


def test_bureau_registers_a_school_and_the_write_is_audited(world: dict[str, Organisation]) -> None:
    actor = bureau_actor(world)
    org = services.organisation_create(
        actor=actor,
        code="S15020299",
        kind=OrganisationKind.SCHOOL,
        name="包头测试技工学校",
        region_code="150202",
        tier=SchoolTier.TECHNICAL_SCHOOL,
        ownership=Ownership.PUBLIC,
    )
    entry = AuditEntry.objects.get(action="organisation.create", entity_id=str(org.pk))
    assert entry.actor_username == "bureau"
    assert entry.before is None
    assert entry.after["name"] == "包头测试技工学校"
    assert entry.scope_region_code == "150202"


def test_update_records_before_and_after(world: dict[str, Organisation]) -> None:
    school = world["school"]
    actor = actor_for_user(User.objects.get(username="school"))
    services.organisation_update(actor=actor, organisation=school, name="包头机电技师学院（新名）")
    entry = AuditEntry.objects.filter(action="organisation.update", entity_id=str(school.pk)).latest("id")
    assert entry.before["name"] == "包头机电技师学院"
    assert entry.after["name"] == "包头机电技师学院（新名）"
    assert entry.changed_fields() == ["name"]


def test_unknown_region_code_is_refused_in_chinese_and_nothing_changes(world: dict[str, Organisation]) -> None:
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            actor=Actor(kind=ActorKind.OPERATOR, username="op"),
            code="X1",
            kind=OrganisationKind.ENTERPRISE,
            name="某公司",
            region_code="159999",
        )
    assert "行政区划代码“159999”不存在" in exc.value.message_dict["region_code"][0]
    assert Organisation.objects.count() == before


def test_a_city_bureau_cannot_register_outside_its_city(world: dict[str, Organisation]) -> None:
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=bureau_actor(world, "bureau_other"),
            code="S1",
            kind=OrganisationKind.SCHOOL,
            name="越权学校",
            region_code="150202",
            tier=SchoolTier.TECHNICAL_SCHOOL,
            ownership=Ownership.PUBLIC,
        )


def test_a_school_cannot_edit_another_school(world: dict[str, Organisation]) -> None:
    actor = actor_for_user(User.objects.get(username="school2"))
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=actor, organisation=world["school"], name="改名")


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"tier": ""}, "tier"), ({"uscc": "91110000600037341M"}, "uscc"), ({"name": "  "}, "name")],
)
def test_invalid_school_facts_are_refused(world: dict[str, Organisation], changes: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.organisation_update(actor=bureau_actor(world), organisation=world["school"], **changes)
    assert field in exc.value.message_dict
    world["school"].refresh_from_db()
    assert world["school"].tier


def test_person_from_resident_id_derives_birth_and_sex(world: dict[str, Organisation]) -> None:
    actor = actor_for_user(User.objects.get(username="school"))
    person = services.person_create(actor=actor, name="测试", id_number="15020319491231002x")
    assert person.id_number == "15020319491231002X"
    assert person.sex == "F"
    assert str(person.birth_date) == "1949-12-31"
    with pytest.raises(ValidationError, match="已登记"):
        services.person_create(actor=actor, name="测试", id_number="15020319491231002X")


def test_person_with_conflicting_birth_date_or_unknown_region_is_refused(world: dict[str, Organisation]) -> None:
    import datetime as dt

    actor = actor_for_user(User.objects.get(username="school"))
    with pytest.raises(ValidationError) as exc:
        services.person_create(actor=actor, name="测试", id_number="15020319491231002X", birth_date=dt.date(1950, 1, 1))
    assert "出生日期与身份证号不一致" in exc.value.message_dict["birth_date"][0]
    # 990000 is no region at all, current or historical.
    from gongjiang.core.validators import resident_id_check_digit

    first17 = "99000020050101001"
    with pytest.raises(ValidationError, match="行政区划"):
        services.person_create(actor=actor, name="测试", id_number=first17 + resident_id_check_digit(first17))
    assert not Person.objects.filter(name="测试").exists()


def test_learners_may_not_register_people(world: dict[str, Organisation]) -> None:
    with pytest.raises(PermissionDenied):
        services.person_create(
            actor=actor_for_user(User.objects.get(username="student")), name="某人", id_number="15020319491231002X"
        )


def test_actor_resolution(world: dict[str, Organisation]) -> None:
    assert actor_for_user(User.objects.get(username="student")).kind == ActorKind.LEARNER
    school_actor = actor_for_user(User.objects.get(username="school"))
    assert school_actor.kind == ActorKind.SCHOOL
    assert school_actor.organisation_id == world["school"].pk
    assert school_actor.role == "admin"
