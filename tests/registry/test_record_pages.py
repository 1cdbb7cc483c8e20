"""The record pages: a clerk adds teachers, practice, training, placements, destinations and
awards through the web forms; refusals show on the form and write nothing; the bureau sees its
region's records and the flagged internships; each party sees only its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.core.validators import resident_id_check_digit
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import services
from gongjiang.registry.models import (
    Apprenticeship,
    CompetitionAward,
    Destination,
    EnterprisePractice,
    Internship,
    Registration,
    SchoolClass,
    SkillAssessment,
    Teacher,
    TrainingProgramme,
    TrainingRecord,
)


def _id(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


def _enrolled(actor_of: Callable[[str], Actor], cnc_class: SchoolClass, name: str, first17: str) -> Registration:
    school = actor_of("school")
    person = services.person_find_or_register(actor=school, name=name, id_number=_id(first17))
    registration = services.registration_create(
        actor=school, school_class=cnc_class, person=person, enrolled_on=dt.date(2025, 9, 1)
    )
    services.registration_decide(actor=actor_of("bureau"), event=registration.events.get(), approve=True)
    registration.refresh_from_db()
    return registration


def test_a_clerk_registers_a_teacher_and_a_refusal_writes_nothing(client_for: Any) -> None:
    client = client_for("school")
    form = {
        "form": "teacher", "name": "王建国", "id_number": _id("15020319800101001"), "category": "specialist",
        "hired_on": "2015-09-01", "full_time": "on", "dual_qualified": "on", "dual_evidence": "", "major_code": "0102",
    }  # fmt: skip
    response = client.post("/registry/teachers/", form)
    # A 双师型 teacher needs the evidence: the service's refusal shows on that field, nothing is kept.
    assert response.status_code == 200
    assert "认定为双师型教师须填写依据" in response.content.decode()
    assert not Person.objects.filter(name="王建国").exists()
    response = client.post("/registry/teachers/", {**form, "dual_evidence": "数控车工高级技师证书"})
    assert response.status_code == 302
    teacher = Teacher.objects.get(person__name="王建国")
    assert teacher.dual_qualified and teacher.major_code == "0102"
    assert AuditEntry.objects.filter(action="teacher.add", entity_id=str(teacher.pk)).exists()
    listing = client.get("/registry/teachers/?q=王建").content.decode()
    assert "王建国" in listing


def test_a_bad_identity_number_is_shown_on_its_field(client_for: Any) -> None:
    response = client_for("school").post(
        "/registry/teachers/",
        {
            "form": "teacher",
            "name": "李四",
            "id_number": "150203198001010010",
            "category": "general",
            "hired_on": "2015-09-01",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "身份证号校验位不正确" in body
    assert not Teacher.objects.filter(person__name="李四").exists()


def test_teacher_edit_refuses_a_stale_version_and_records_practice(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    school = actor_of("school")
    teacher = services.teacher_add(
        actor=school,
        school=world["school"],
        person=services.person_find_or_register(actor=school, name="赵老师", id_number=_id("15020319800101003")),
        category="specialist",
        hired_on=dt.date(2015, 9, 1),
    )
    client = client_for("school")
    page = f"/registry/teachers/{teacher.pk}/"
    edit = {"form": "edit", "version": teacher.version, "category": "specialist", "integrated": "on"}
    assert client.post(page, edit).status_code == 302
    # A second clerk who opened the page before that save still holds the old version.
    stale = client.post(page, {**edit, "integrated": ""})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    teacher.refresh_from_db()
    assert teacher.integrated and teacher.version == 2
    practice = {
        "form": "practice",
        "enterprise_name": "包头北方重工",
        "started_on": "2024-07-01",
        "ended_on": "2024-12-31",
    }
    assert client.post(page, practice).status_code == 302
    assert EnterprisePractice.objects.get(teacher=teacher).months > 5
    upside_down = client.post(page, {**practice, "started_on": "2025-01-01"})
    assert "结束日期不能早于开始日期" in upside_down.content.decode()
    # Another school's clerk may not even see the teacher.
    assert client_for("school2").get(page).status_code == 404


def test_training_programme_and_its_trainees(client_for: Any) -> None:
    client = client_for("school")
    response = client.post(
        "/registry/training/",
        {
            "form": "programme", "name": "电工中级培训", "occupation_code": "6-31-01-03", "skill_level": "4",
            "hours": "120", "funding": "subsidised", "funding_source": "就业补助资金",
            "starts_on": "2025-03-01", "ends_on": "2025-05-30",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    programme = TrainingProgramme.objects.get(name="电工中级培训")
    page = f"/registry/training/{programme.pk}/"
    trainee = {"form": "trainee", "name": "孙丽", "id_number": _id("15020319950101002"), "outcome": "certified"}
    refused = client.post(page, {**trainee, "finished_on": "2025-05-30"})
    assert "取证须填写证书编号" in refused.content.decode()
    assert not TrainingRecord.objects.exists()
    assert client.post(page, {**trainee, "finished_on": "2025-05-30", "certificate_no": "S2025001"}).status_code == 302
    assert TrainingRecord.objects.get(programme=programme).certificate_no == "S2025001"
    assert "孙丽" in client_for("bureau").get(page).content.decode()
    assert client_for("school2").get(page).status_code == 404


def test_internships_without_insurance_are_flagged_to_the_bureau(
    client_for: Any, actor_of: Callable[[str], Actor], cnc_class: SchoolClass, world: dict[str, Organisation]
) -> None:
    registration = _enrolled(actor_of, cnc_class, "周实习", "15020320070101001")
    client = client_for("school")
    internship = {
        "form": "internship", "registration": registration.pk, "enterprise": world["enterprise"].code,
        "post": "数控操作工", "starts_on": "2026-03-01", "ends_on": "2026-06-30", "insurance_policy_no": "",
        "fee_charged": "300",
    }  # fmt: skip
    assert client.post("/registry/placements/", internship).status_code == 302
    assert Internship.objects.get(registration=registration).fee_charged == 300
    bureau_page = client_for("bureau").get("/registry/placements/?flagged=1").content.decode()
    assert "周实习" in bureau_page and "无实习保险" in bureau_page and "收取费用" in bureau_page
    assert "周实习" not in client_for("bureau_other").get("/registry/placements/").content.decode()
    # Another school's registration number is refused, naming the field.
    other = client_for("school2").post("/registry/placements/", internship)
    assert "没有编号为" in other.content.decode()


def test_either_party_records_an_apprenticeship(client_for: Any, world: dict[str, Organisation]) -> None:
    form = {
        "form": "apprenticeship", "name": "钱学徒", "id_number": _id("15020319990101004"),
        "enterprise": world["enterprise"].code, "school": world["school"].code, "occupation_code": "6-18-02-04",
        "enterprise_tutor": "李师傅", "school_tutor": "王老师", "plan": "焊接工艺一年", "starts_on": "2025-09-01",
        "ends_on": "2026-08-31",
    }  # fmt: skip
    assert client_for("enterprise").post("/registry/placements/", form).status_code == 302
    assert Apprenticeship.objects.get(apprentice__name="钱学徒").school == world["school"]
    assert "钱学徒" in client_for("school").get("/registry/placements/").content.decode()
    unknown = client_for("enterprise").post("/registry/placements/", {**form, "school": "NO-SUCH"})
    assert "没有找到机构代码" in unknown.content.decode()


def test_destinations_and_awards_and_assessments(
    client_for: Any, actor_of: Callable[[str], Actor], cnc_class: SchoolClass, world: dict[str, Organisation]
) -> None:
    registration = _enrolled(actor_of, cnc_class, "吴毕业", "15020320060101003")
    services.registration_request(
        actor=actor_of("school"), registration=registration, kind="graduate", effective_on=dt.date(2026, 6, 30)
    )
    services.registration_decide(
        actor=actor_of("bureau"), event=registration.events.get(decision="pending"), approve=True
    )
    client = client_for("school")
    page = client.get("/registry/destinations/").content.decode()
    assert f"{registration.pk} · 吴毕业" in page  # listed among graduates without a destination
    destination = {
        "form": "destination", "registration": registration.pk, "census_date": "2026-12-31", "kind": "employed",
        "employer": world["enterprise"].code, "occupation_code": "6-18-01-01", "in_field": "true", "monthly_pay": "5200",
    }  # fmt: skip
    assert client.post("/registry/destinations/", destination).status_code == 302
    assert Destination.objects.get(registration=registration).in_field is True
    award = {
        "form": "award", "name": "吴毕业", "id_number": registration.person.id_number, "competition": "全区技能大赛",
        "level": "provincial", "rank": "一等奖", "awarded_on": "2026-05-20",
    }  # fmt: skip
    assert client.post("/registry/skills/", award).status_code == 302
    assert CompetitionAward.objects.get(person=registration.person).rank == "一等奖"
    assessment = {
        "form": "assessment", "name": "吴毕业", "id_number": registration.person.id_number,
        "occupation_code": "6-18-01-01", "skill_level": "3", "assessed_on": "2026-06-01", "result": "passed",
        "certificate_no": "Y2026-0001",
    }  # fmt: skip
    # Only an evaluation body records assessments: the school's post changes nothing.
    client.post("/registry/skills/", assessment)
    assert not SkillAssessment.objects.exists()
    assert client_for("evaluator").post("/registry/skills/", assessment).status_code == 302
    assert SkillAssessment.objects.get(person=registration.person).certificate_no == "Y2026-0001"


def test_templates_and_imports_of_every_kind_from_the_web(client_for: Any, world: dict[str, Organisation]) -> None:
    import io

    from openpyxl import Workbook, load_workbook

    client = client_for("school")
    for kind, first in (
        ("registrations", "姓名"),
        ("teachers", "姓名"),
        ("training", "培训项目"),
        ("destinations", "姓名"),
    ):
        response = client.get(f"/registry/import/template/{kind}/")
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.worksheets[0].cell(row=1, column=1).value == first
        # Every column is text, so that Excel keeps a 身份证号's digits and a code's leading zero.
        assert workbook.worksheets[0].column_dimensions["B"].number_format == "@"
        notes = list(workbook.worksheets[1].iter_rows(values_only=True))
        assert any(required == "必填" for _name, required, _note in notes[1:])
    assert client.get("/registry/import/template/nothing/").status_code == 404
    # A teachers workbook through the web page, with one bad row: nothing written, the error named.
    sheet_book = Workbook()
    sheet = sheet_book.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号", "教师类别", "聘用日期"])
    sheet.append(["郑老师", _id("15020319800101005"), "专业课教师", "2016-09-01"])
    sheet.append(["冯老师", _id("15020319800101007"), "体育老师", "2016-09-01"])
    buffer = io.BytesIO()
    sheet_book.save(buffer)

    def upload(dry_run: str = "") -> str:
        buffer.seek(0)
        buffer.name = "教师.xlsx"
        return client.post(
            "/registry/import/", {"kind": "teachers", "file": buffer, "dry_run": dry_run}
        ).content.decode()

    page = upload()
    assert "体育老师" in page and "未写入任何数据" in page
    assert not Teacher.objects.filter(person__name="郑老师").exists()
    sheet.delete_rows(3)
    buffer.seek(0)
    buffer.truncate()
    sheet_book.save(buffer)
    page = upload()
    assert "新增 1" in page
    assert Teacher.objects.filter(person__name="郑老师", school=world["school"]).exists()
    exported = client.get("/registry/export/?kind=teachers")
    assert load_workbook(io.BytesIO(exported.content)).worksheets[0].cell(row=2, column=1).value == "郑老师"


def test_the_school_adds_a_missing_insurance_policy(
    client_for: Any, actor_of: Callable[[str], Actor], cnc_class: SchoolClass, world: dict[str, Organisation]
) -> None:
    registration = _enrolled(actor_of, cnc_class, "郑补保", "15020320070101003")
    internship = services.internship_create(
        actor=actor_of("school"), registration=registration, enterprise=world["enterprise"], post="装配工",
        starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 6, 30),
    )  # fmt: skip
    client = client_for("school")
    assert 'data-testid="insure-form"' in client.get("/registry/placements/?flagged=1").content.decode()
    client.post(
        "/registry/placements/?flagged=1", {"form": "insure", "internship": internship.pk, "insurance_policy_no": ""}
    )
    internship.refresh_from_db()
    assert internship.insurance_policy_no == ""
    client.post(
        "/registry/placements/?flagged=1",
        {"form": "insure", "internship": internship.pk, "insurance_policy_no": "PICC2026-001"},
    )
    internship.refresh_from_db()
    assert internship.insurance_policy_no == "PICC2026-001"
    assert "郑补保" not in client_for("bureau").get("/registry/placements/?flagged=1").content.decode()
    # Another school cannot touch it.
    other = client_for("school2").post(
        "/registry/placements/", {"form": "insure", "internship": internship.pk, "insurance_policy_no": "X"}
    )
    assert other.status_code == 404


def test_the_skills_page_filters_awards_as_well_as_assessments(
    client_for: Any, actor_of: Callable[[str], Actor], cnc_class: SchoolClass, world: dict[str, Organisation]
) -> None:
    first = _enrolled(actor_of, cnc_class, "郑获奖", "15020320060101011")
    second = _enrolled(actor_of, cnc_class, "钱获奖", "15020320060101013")
    for registration in (first, second):
        services.award_record(
            actor=actor_of("school"), recorded_by=world["school"], person=registration.person,
            competition="全区技能大赛", level="provincial", rank="二等奖", awarded_on=dt.date(2026, 5, 20),
        )  # fmt: skip
    client = client_for("school")
    page = client.get("/registry/skills/", {"q": "郑获奖"}).content.decode()
    assert "郑获奖" in page and "钱获奖" not in page
