"""The assessment pages: what each role is offered, refusals shown in words, the score import's
report, and the bureau's conferral."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjiang.assessment import services
from gongjiang.assessment.models import AssessmentPlan, SignUp
from gongjiang.core.actors import Actor
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import services as registry
from gongjiang.registry.models import SchoolClass, SkillAssessment
from tests.assessment.conftest import TODAY, WELDER
from tests.assessment.test_assessment import enrol, sat


def test_a_refused_class_is_named_learner_by_learner_on_the_page(
    client_for: Any,
    publish: Callable[..., AssessmentPlan],
    actor_of: Callable[[str], Actor],
    senior_class: SchoolClass,
    new_person: Callable[..., Person],
) -> None:
    for i, name in enumerate(["韩", "杨"]):
        enrol(actor_of, senior_class, new_person(name=name, birth=dt.date(2006, 6, i + 1)))
    plan = publish(skill_level=2)
    page = client_for("school").post(
        f"/assessment/plans/{plan.pk}/", {"form": "class", "school_class": senior_class.pk}
    )
    text = page.content.decode()
    assert page.status_code == 200 and "不符合技师的申报条件" in text and "韩（" in text and "杨（" in text
    assert not SignUp.objects.filter(plan=plan).exists()
    # Another school is not offered this school's class, and cannot name it.
    other = client_for("school2").post(
        f"/assessment/plans/{plan.pk}/", {"form": "class", "school_class": senior_class.pk}
    )
    assert other.status_code == 200 and not SignUp.objects.filter(plan=plan).exists()


def test_the_score_import_names_the_bad_row_and_the_learner_reads_only_final_scores(
    client_for: Any,
    publish: Callable[..., AssessmentPlan],
    actor_of: Callable[[str], Actor],
    senior_class: SchoolClass,
    new_person: Callable[..., Person],
) -> None:
    person = new_person(name="郑", birth=dt.date(2006, 7, 1))
    enrol(actor_of, senior_class, person)
    plan = publish()
    services.signup_class(actor=actor_of("school"), plan=plan, school_class=senior_class)
    plan = sat(plan)
    book = openpyxl.Workbook()
    book.active.append(["身份证号", "姓名", "理论成绩", "实操成绩"])
    book.active.append([person.id_number, "郑", "95", "-3"])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("成绩.xlsx", data.getvalue())
    page = client_for("evaluator").post(f"/assessment/plans/{plan.pk}/", {"form": "upload", "file": upload})
    text = page.content.decode()
    assert "实操成绩" in text and "超出0到100" in text and "未导入任何成绩" in text
    assert SignUp.objects.get(plan=plan).theory_score is None
    # Identity numbers are masked on the page, for the body as for the school.
    assert person.id_number not in text and person.id_number[-4:] in text
    school_page = client_for("school").get(f"/assessment/plans/{plan.pk}/").content.decode()
    assert person.id_number not in school_page and person.id_number[-4:] in school_page


def test_the_bureau_confers_a_level_on_a_world_medal_from_its_page(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation], filed: Organisation,
    new_person: Callable[..., Person],
) -> None:  # fmt: skip
    medal = registry.award_record(
        actor=actor_of("bureau"), recorded_by=world["bureau"], person=new_person(name="世赛选手", birth=dt.date(2001, 2, 2)),
        competition="世界技能大赛", level="world", rank="优胜奖", awarded_on=TODAY - dt.timedelta(days=60),
        occupation_code=WELDER,
    )  # fmt: skip
    listing = client_for("bureau").get("/assessment/awards/").content.decode()
    assert "世赛选手" in listing and "技师" in listing
    assert "世赛选手" not in client_for("bureau_other").get("/assessment/awards/").content.decode()
    refused = client_for("bureau").post("/assessment/awards/", {"award": medal.pk, "evaluator_code": "NO-SUCH"})
    assert "没有机构代码为" in refused.content.decode()
    done = client_for("bureau").post("/assessment/awards/", {"award": medal.pk, "evaluator_code": filed.code})
    assert done.status_code == 302
    conferred = SkillAssessment.objects.get(award=medal)
    assert (conferred.skill_level, conferred.evaluator_id) == (2, filed.pk)


def test_the_api_signs_up_a_learner_and_scores_them(
    client_for: Any, publish: Callable[..., AssessmentPlan], actor_of: Callable[[str], Actor], filed: Organisation
) -> None:
    learner = actor_of("student")
    registry.assessment_record(
        actor=actor_of("u-v150000001"), evaluator=filed, person=Person.objects.get(pk=learner.person_id),
        occupation_code=WELDER, skill_level=4, assessed_on=TODAY - dt.timedelta(days=2000), result="passed",
        certificate_no="S-9",
    )  # fmt: skip
    plan = publish()
    refused = client_for("student").post(
        f"/api/v1/assessment/plans/{plan.pk}/signups", {"years_in_trade": "3"}, content_type="application/json"
    )
    reason = refused.json()["detail"]["__all__"][0]
    assert refused.status_code == 422 and "申报的从事本职业年限为3年" in reason
    made = client_for("student").post(
        f"/api/v1/assessment/plans/{plan.pk}/signups", {"years_in_trade": "5"}, content_type="application/json"
    )
    assert made.status_code == 201 and "*" in made.json()["id_number"]
    signup_id = made.json()["id"]
    sat(plan)
    body = client_for("evaluator")
    out_of_range = body.post(
        f"/api/v1/assessment/signups/{signup_id}/scores", {"theory_score": "101"}, content_type="application/json"
    )
    assert out_of_range.status_code == 422
    scored = body.post(
        f"/api/v1/assessment/signups/{signup_id}/scores",
        {"theory_score": "72.5", "practice_score": "81"},
        content_type="application/json",
    )
    assert scored.status_code == 200 and scored.json()["theory_score"] == "72.5"
    # Before the results are final the learner does not see the scores.
    mine = client_for("student").get("/api/v1/assessment/signups").json()
    assert [(s["id"], s["theory_score"]) for s in mine] == [(signup_id, None)]


def test_the_blank_score_sheet_has_the_headers_the_import_reads(client_for: Any) -> None:
    response = client_for("evaluator").get("/assessment/scores-template/")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [cell.value for cell in next(book.worksheets[0].iter_rows(max_row=1))]
    assert [h.rstrip("*") for h in headers if h] == ["身份证号", "姓名", "理论成绩", "实操成绩"]
