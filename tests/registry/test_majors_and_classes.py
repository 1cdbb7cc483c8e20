from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation
from gongjiang.registry import selectors, services
from gongjiang.registry.models import Decision, MajorOffering, OfferingStatus, SchoolClass, SchoolProfile
from gongjiang.registry.views import CLASSES_PER_PAGE
from tests.registry.conftest import file_major


def test_a_major_is_applied_for_filed_by_the_bureau_and_its_history_kept(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    school = world["school"]
    application = services.major_apply(
        actor=actor_of("school"),
        school=school,
        major_code="0115",
        kind="add",
        class_levels=["senior", "preparatory_technician"],
        reason="工业机器人企业用工需求",
    )
    offering = application.offering
    assert offering.status == OfferingStatus.APPLIED and offering.major_name == "工业机器人应用与维护"
    queue = selectors.approval_queue(actor=actor_of("bureau"))
    assert any(item.kind == "major" and item.pk == application.pk for item in queue)
    services.major_decide(actor=actor_of("bureau"), application=application, approve=True)
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.FILED
    assert offering.class_levels == ["senior", "preparatory_technician"]
    adjust = services.major_apply(
        actor=actor_of("school"), school=school, major_code="0115", kind="adjust", class_levels=["senior"]
    )
    with pytest.raises(ValidationError, match="正在审核"):
        services.major_apply(actor=actor_of("school"), school=school, major_code="0115", kind="stop")
    services.major_decide(actor=actor_of("bureau"), application=adjust, approve=False, reason="师资不足")
    offering.refresh_from_db()
    assert offering.class_levels == ["senior", "preparatory_technician"]  # a returned adjustment changes nothing
    assert [a.decision for a in offering.applications.order_by("id")] == [Decision.APPROVED, Decision.RETURNED]


def test_returning_needs_a_reason_and_only_the_schools_bureau_decides(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    application = services.major_apply(
        actor=actor_of("school"), school=world["school"], major_code="0401", kind="add", class_levels=["intermediate"]
    )
    with pytest.raises(ValidationError, match="必须说明理由"):
        services.major_decide(actor=actor_of("bureau"), application=application, approve=False)
    with pytest.raises(PermissionDenied):
        services.major_decide(actor=actor_of("u-bur-150400"), application=application, approve=True)
    with pytest.raises(PermissionDenied):
        services.major_decide(actor=actor_of("school"), application=application, approve=True)
    with pytest.raises(ValidationError, match="已开设或已申请该专业"):
        services.major_apply(
            actor=actor_of("school"), school=world["school"], major_code="0401", kind="add", class_levels=["senior"]
        )


@pytest.mark.parametrize(
    ("code", "levels", "message"),
    [
        ("9999", ["intermediate"], "不在专业目录中"),
        ("0111", ["intermediate"], "专业目录不允许该专业开设：中级工班"),
        ("0101", [], "至少选择一个班级层次"),
    ],
)
def test_bad_applications_are_refused(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], code: str, levels: list[str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        services.major_apply(
            actor=actor_of("school"), school=world["school"], major_code=code, kind="add", class_levels=levels
        )
    assert not MajorOffering.objects.filter(school=world["school"], major_code=code).exists()


def test_a_technical_school_runs_senior_classes_only_in_a_major_approved_for_them(
    actor_of: Callable[[str], Actor], technical_school: Organisation
) -> None:
    clerk = "u-s15010309"
    application = services.major_apply(
        actor=actor_of(clerk),
        school=technical_school,
        major_code="0401",
        kind="add",
        class_levels=["intermediate", "senior"],
    )
    item = next(i for i in selectors.approval_queue(actor=actor_of("bureau")) if i.pk == application.pk)
    assert item.beyond_tier == ("senior",)  # the bureau sees that 高级工班 exceeds the tier
    services.major_decide(actor=actor_of("bureau"), application=application, approve=True)
    file_major(actor_of, technical_school, clerk, "0501", ["intermediate"])
    senior = services.class_create(
        actor=actor_of(clerk),
        school=technical_school,
        major_code="0401",
        name="汽修高级1班",
        class_level="senior",
        form="full_time",
        cohort_year=2025,
        planned_years=3,
    )
    assert senior.class_level == "senior"
    with pytest.raises(ValidationError, match="未备案高级工班"):
        services.class_create(
            actor=actor_of(clerk),
            school=technical_school,
            major_code="0501",
            name="烹饪高级1班",
            class_level="senior",
            form="full_time",
            cohort_year=2025,
            planned_years=3,
        )


def test_class_rules(actor_of: Callable[[str], Actor], world: dict[str, Organisation]) -> None:
    school = world["school"]
    file_major(actor_of, school, "school", "0106", ["intermediate", "senior"])

    def make(**overrides: object) -> object:
        fields: dict[str, object] = {
            "actor": actor_of("school"),
            "school": school,
            "major_code": "0106",
            "name": "焊接1班",
            "class_level": "intermediate",
            "form": "part_time",
            "cohort_year": 2025,
            "planned_years": 1,
        }
        fields.update(overrides)
        return services.class_create(**fields)  # type: ignore[arg-type]

    with pytest.raises(ValidationError, match="非全日制学制不少于1年"):
        make(planned_years="0.5")
    with pytest.raises(ValidationError, match="未在本校备案"):
        make(major_code="0101")
    with pytest.raises(ValidationError, match="合作方必须是企业"):
        make(partner=world["school2"])
    order_class = make(name="北方重工焊接订单班", partner=world["enterprise"])
    assert order_class.partner == world["enterprise"]  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="已有名为"):
        make(name="北方重工焊接订单班")
    with pytest.raises(PermissionDenied):
        make(actor=actor_of("school2"))


def test_the_classes_page_shows_a_school_with_many_classes_a_page_at_a_time(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], client_for: Callable[[str], Any]
) -> None:
    school = world["school"]
    file_major(actor_of, school, "school", "0106", ["intermediate"])
    before = SchoolClass.objects.filter(school=school).count()
    for n in range(CLASSES_PER_PAGE + 5 - before):
        services.class_create(
            actor=actor_of("school"), school=school, major_code="0106", name=f"焊接{n:03d}班",
            class_level="intermediate", form="full_time", cohort_year=2025, planned_years=3,
        )  # fmt: skip
    client = client_for("school")
    first = client.get("/registry/classes/").content.decode()
    second = client.get("/registry/classes/?page=2").content.decode()
    rows = re.compile(r"<tr><td>\d+</td>")
    assert len(rows.findall(first)) == CLASSES_PER_PAGE and len(rows.findall(second)) == 5
    assert "第 1 / 2 页" in first and "?page=2" in first


def test_two_clerks_editing_the_school_facts_the_second_is_refused(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    school = world["school"]
    first = services.school_profile_update(
        actor=actor_of("school"), school=school, expected_version=SchoolProfile.objects.filter(school=school).values_list("version", flat=True).first(),
        land_area_m2="120000",
    )  # fmt: skip
    read_version = first.version
    services.school_profile_update(actor=actor_of("school"), school=school, expected_version=read_version, books=150000)
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.school_profile_update(actor=actor_of("bureau"), school=school, expected_version=read_version, books=1)
    profile = SchoolProfile.objects.get(school=school)
    assert profile.books == 150000 and str(profile.land_area_m2) == "120000.00"
    with pytest.raises(ValidationError, match="不能为负数"):
        services.school_profile_update(actor=actor_of("school"), school=school, expected_version=3, books=-1)
    # An edit that does not say which version it was based on is refused: it could undo another's.
    with pytest.raises(ValidationError, match="须带上所依据的版本号"):
        services.school_profile_update(actor=actor_of("school"), school=school, expected_version=None, books=1)
