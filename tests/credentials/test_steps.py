"""The steps of issue 17 that had services only, now from the pages and the API: filings written
through the API, the bureau's 一体化 switch, 双证书 linked by the school, and a level conferred on
an award winner issued as a certificate. Every refusal is named and leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.credentials.models import Certificate, DualCertificate, Filing, FilingEvent, IntegratedEquivalence
from gongjiang.credentials.services import certificates as issue
from gongjiang.directory.models import Organisation, Person, User
from gongjiang.registry import services as registry
from gongjiang.registry.models import CompetitionAward, Registration, SkillAssessment
from tests.credentials.conftest import LATHE

pytestmark = pytest.mark.django_db
API = "/api/v1/credentials"
JSON = "application/json"


def _detail(response: object) -> str:
    return str(response.json()["detail"])  # type: ignore[attr-defined]


# -- filings through the API ------------------------------------------------------------------------


def test_the_bureau_files_suspends_reinstates_and_ends_through_the_api(
    client_for: Callable[[str], Client], world: dict[str, Organisation]
) -> None:
    bureau = client_for("bureau")
    body = {
        "organisation": world["evaluator"].code, "body_kind": "evaluation_organisation",
        "occupations": [{"code": LATHE, "highest_level": 3}], "valid_from": "2026-01-01", "valid_until": "2028-12-31",
    }  # fmt: skip
    twice = bureau.post(f"{API}/filings", {**body, "occupations": [*body["occupations"]] * 2}, JSON)
    assert twice.status_code == 422 and "重复填写" in _detail(twice)
    backwards = bureau.post(f"{API}/filings", {**body, "valid_until": "2025-12-31"}, JSON)
    assert backwards.status_code == 422 and "有效期止应晚于有效期起" in _detail(backwards)
    assert not Filing.objects.exists()
    # An organisation outside the caller's region is not found, like one that does not exist.
    assert client_for("bureau_other").post(f"{API}/filings", body, JSON).status_code == 404
    assert client_for("evaluator").post(f"{API}/filings", body, JSON).status_code == 403

    made = bureau.post(f"{API}/filings", body, JSON)
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    assert made.json()["occupations"] == [{"code": LATHE, "highest_level": 3}]
    assert [e["kind"] for e in made.json()["events"]] == ["file"]

    no_reason = bureau.post(f"{API}/filings/{number}/suspend", {"version": 1, "reason": " "}, JSON)
    assert no_reason.status_code == 422 and "请填写原因" in _detail(no_reason)
    stale = bureau.post(f"{API}/filings/{number}/suspend", {"version": 7, "reason": "年检"}, JSON)
    assert stale.status_code == 422
    assert Filing.objects.get(number=number).status == "active" and FilingEvent.objects.count() == 1
    assert (
        client_for("school").post(f"{API}/filings/{number}/end", {"version": 1, "reason": "x"}, JSON).status_code == 403
    )

    suspended = bureau.post(f"{API}/filings/{number}/suspend", {"version": 1, "reason": "年检未通过"}, JSON)
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    again = bureau.post(f"{API}/filings/{number}/suspend", {"version": 2, "reason": "再次"}, JSON)
    assert again.status_code == 422 and "不能这样变更" in _detail(again)
    reinstated = bureau.post(f"{API}/filings/{number}/reinstate", {"version": 2, "reason": "整改完成"}, JSON)
    assert reinstated.json()["status"] == "active"
    ended = bureau.post(f"{API}/filings/{number}/end", {"version": 3, "reason": "机构注销"}, JSON)
    assert ended.json()["status"] == "ended"

    # Anyone reads the registry, a page at a time, with each filing's history.
    anonymous = client_for("anonymous")
    listed = anonymous.get(f"{API}/filings", {"status": "ended", "size": 1}).json()
    assert [f["number"] for f in listed["items"]] == [number] and listed["count"] == 1
    history = anonymous.get(f"{API}/filings/{number}").json()["events"]
    assert [(e["kind"], e["reason"]) for e in history] == [
        ("file", ""), ("suspend", "年检未通过"), ("reinstate", "整改完成"), ("end", "机构注销"),
    ]  # fmt: skip


# -- the 一体化 switch ---------------------------------------------------------------------------------


def test_the_bureau_switches_the_integrated_rule_on_the_page_with_a_reason_and_its_history(
    client_for: Callable[[str], Client], actor_of: Callable[[str], Actor], world: dict[str, Organisation],
    graduates: list[Registration],
) -> None:  # fmt: skip
    bureau = client_for("bureau")
    page = bureau.get("/credentials/equivalence/").content.decode()
    assert "尚未启用该规则" in page and 'data-testid="equivalence-form"' in page
    no_reason = bureau.post(
        "/credentials/equivalence/", {"enabled": "1", "effective_on": "2026-01-01", "reason": ""}
    ).content.decode()
    assert "请填写原因" in no_reason or "这个字段是必填项" in no_reason
    assert not IntegratedEquivalence.objects.exists()
    done = bureau.post(
        "/credentials/equivalence/", {"enabled": "1", "effective_on": "2026-01-01", "reason": "依002号文第18条"}
    )
    assert done.status_code == 302
    page = bureau.get("/credentials/equivalence/").content.decode()
    assert "已启用" in page and "依002号文第18条" in page
    same = bureau.post(
        "/credentials/equivalence/", {"enabled": "1", "effective_on": "2026-03-01", "reason": "再次启用"}
    ).content.decode()
    assert "无需再切换" in same and IntegratedEquivalence.objects.count() == 1
    assert AuditEntry.objects.filter(action="equivalence.switch").count() == 1
    # A school reads neither the page nor may switch; a city bureau under it reads the rule it
    # inherits and switches its own city, which leaves the province's rule as it was.
    assert client_for("school").get("/credentials/equivalence/").status_code == 403
    assert "已启用" in client_for("bureau_other").get("/credentials/equivalence/").content.decode()
    city = client_for("bureau_other").post(
        "/credentials/equivalence/", {"enabled": "0", "effective_on": "2026-02-01", "reason": "本市暂缓"}
    )
    assert city.status_code == 302
    assert "本市暂缓" in bureau.get("/credentials/equivalence/").content.decode()
    assert (
        'data-testid="equivalence-in-force"><span class="status status-active">'
        in bureau.get("/credentials/equivalence/").content.decode()
    )

    # The school, filed for the occupation, issues under the rule now switched on.
    issue_filing = {"occupations": {LATHE: 3}, "valid_from": dt.date(2025, 1, 1), "valid_until": dt.date(2030, 1, 1)}
    from gongjiang.credentials import services

    services.filing_create(actor=actor_of("bureau"), organisation=world["school"], body_kind="school", **issue_filing)
    made = issue.certificate_issue_integrated(
        actor=actor_of("school"), registration=graduates[0], occupation_code=LATHE
    )
    assert made.basis == "integrated"

    # Through the API: switched off from a later date, the history public.
    off = bureau.post(
        f"{API}/equivalence", {"enabled": False, "effective_on": "2026-09-01", "reason": "试点结束"}, JSON
    )
    assert off.status_code == 201 and off.json()["enabled"] is False
    blank = bureau.post(f"{API}/equivalence", {"enabled": True, "effective_on": "2026-10-01", "reason": ""}, JSON)
    assert blank.status_code == 422 and "请填写原因" in _detail(blank)
    assert client_for("school").post(f"{API}/equivalence", {"enabled": True, "effective_on": "2026-10-01",
                                                             "reason": "x"}, JSON).status_code == 403  # fmt: skip
    history = client_for("anonymous").get(f"{API}/equivalence").json()["items"]
    assert [(s["enabled"], s["reason"]) for s in history] == [
        (False, "试点结束"), (False, "本市暂缓"), (True, "依002号文第18条"),
    ]  # fmt: skip


# -- 双证书 -----------------------------------------------------------------------------------------


def _passed(actor_of: Callable[[str], Actor], world: dict[str, Organisation], person: Person, no: str) -> Certificate:
    assessment = registry.assessment_record(
        actor=actor_of("u-v150000001"), evaluator=world["evaluator"], person=person, occupation_code=LATHE,
        skill_level=4, assessed_on=dt.date(2026, 5, 20), result="passed", certificate_no=no,
    )  # fmt: skip
    return issue.certificate_issue_for_assessment(actor=actor_of("u-v150000001"), assessment=assessment)


def test_the_school_links_a_diploma_with_its_graduates_skill_certificate(
    client_for: Callable[[str], Client], actor_of: Callable[[str], Actor], world: dict[str, Organisation],
    evaluator_filing: Filing, graduates: list[Registration],
) -> None:  # fmt: skip
    school = client_for("school")
    diploma = issue.certificate_issue_diploma(actor=actor_of("school"), registration=graduates[0])
    other_diploma = issue.certificate_issue_diploma(actor=actor_of("school"), registration=graduates[1])
    own = _passed(actor_of, world, graduates[0].person, "S000000000031")
    foreign = _passed(actor_of, world, graduates[1].person, "S000000000032")

    # Another learner's certificate, and a number that does not exist, get the same named refusal.
    for number in (foreign.number, "Z26NOSUCHNUMBER"):
        refused = school.post(f"{API}/certificates/{diploma.number}/dual", {"skills": [number]}, JSON)
        assert refused.status_code == 422 and "不是该毕业生的职业技能等级证书" in _detail(refused)
    assert client_for("evaluator").post(
        f"{API}/certificates/{diploma.number}/dual", {"skills": [own.number]}, JSON
    ).status_code == 404  # fmt: skip
    assert not DualCertificate.objects.exists()

    # The page: the school sees its diplomas, the graduate's certificates to choose from.
    page = school.get("/credentials/dual/", {"linked": "no"}).content.decode()
    assert diploma.number in page and own.number in page and foreign.number in page  # each beside its own diploma
    none = school.post("/credentials/dual/", {"form": "dual", "diploma": diploma.number})
    assert "请至少选择一张职业技能等级证书" in school.get(none["Location"]).content.decode()
    linked = school.post("/credentials/dual/", {"form": "dual", "diploma": diploma.number, "skills": [own.number]})
    assert linked.status_code == 302
    dual = DualCertificate.objects.get(diploma=diploma)
    assert list(dual.skills.all()) == [own]
    assert AuditEntry.objects.filter(action="dual.link", entity_id=str(dual.pk)).exists()
    again = school.post(f"{API}/certificates/{diploma.number}/dual", {"skills": [own.number]}, JSON)
    assert again.status_code == 422 and "已登记双证书" in _detail(again)

    # Shown on the diploma's page, in the API, and on the holder's certificate and home page.
    assert own.number in school.get(f"/credentials/certificates/{diploma.number}/").content.decode()
    assert school.get(f"{API}/certificates/{diploma.number}").json()["dual_with"] == [own.number]
    listed = school.get(f"{API}/duals", {"linked": True}).json()["items"]
    assert [(d["diploma_number"], [s["number"] for s in d["skills"]]) for d in listed] == [
        (diploma.number, [own.number])
    ]
    # The evaluator reads its own certificate but not the diploma it was linked with.
    assert client_for("evaluator").get(f"{API}/certificates/{own.number}").json()["dual_with"] == []

    # Through the API the other diploma is linked too; a revoked certificate cannot be.
    issue.certificate_set_status(actor=actor_of("u-v150000001"), certificate=foreign, status="revoked", reason="替考")
    revoked = school.post(f"{API}/certificates/{other_diploma.number}/dual", {"skills": [foreign.number]}, JSON)
    assert revoked.status_code == 422 and not DualCertificate.objects.filter(diploma=other_diploma).exists()


def test_the_holder_sees_the_link_on_the_home_page_and_the_certificate(
    client_for: Callable[[str], Client], actor_of: Callable[[str], Actor], world: dict[str, Organisation],
    evaluator_filing: Filing, graduates: list[Registration],
) -> None:  # fmt: skip
    student = User.objects.get(username="student")
    Registration.objects.filter(pk=graduates[0].pk).update(person=student.person)
    graduates[0].refresh_from_db()
    diploma = issue.certificate_issue_diploma(actor=actor_of("school"), registration=graduates[0])
    skill = _passed(actor_of, world, student.person, "S000000000033")
    issue.dual_link(actor=actor_of("school"), diploma=diploma, skills=[skill])
    learner = client_for("student")
    home = learner.get("/").content.decode()
    assert f"{diploma.number}</a>" in home and f'<td data-testid="dual-cell">{skill.number}</td>' in home
    detail = learner.get(f"/credentials/certificates/{skill.number}/").content.decode()
    assert 'data-testid="dual-with"' in detail and diploma.number in detail


# -- awards ---------------------------------------------------------------------------------------


def test_the_bureau_confers_a_level_on_an_award_and_the_body_issues_the_certificate(
    client_for: Callable[[str], Client], actor_of: Callable[[str], Actor], world: dict[str, Organisation],
    evaluator_filing: Filing, new_person: Callable[..., Person],
) -> None:  # fmt: skip
    def award(name: str, occupation: str = LATHE) -> CompetitionAward:
        return registry.award_record(
            actor=actor_of("school"), recorded_by=world["school"], person=new_person(name=name),
            competition="全国技能大赛", level="national", rank="优胜奖", awarded_on=dt.date(2026, 4, 1),
            occupation_code=occupation,
        )  # fmt: skip

    winner, unfiled = award("孙冠军"), award("周选手", "6-18-02-04")
    bureau = client_for("bureau")
    page = bureau.get("/assessment/awards/").content.decode()
    assert 'data-testid="confer-form"' in page and world["evaluator"].code in page
    assert "没有备案覆盖该职业和等级的评价机构" in page  # the unfiled occupation offers no body

    listed = {a["id"]: a for a in bureau.get("/api/v1/assessment/awards").json()["items"]}
    assert listed[winner.pk]["confers_level"] == 3 and listed[winner.pk]["evaluators"] == [world["evaluator"].code]
    outside = bureau.post(
        f"/api/v1/assessment/awards/{unfiled.pk}/confer", {"evaluator": world["evaluator"].code}, JSON
    )
    assert outside.status_code == 422 and "未备案评价" in _detail(outside)
    assert client_for("evaluator").post(
        f"/api/v1/assessment/awards/{winner.pk}/confer", {"evaluator": world["evaluator"].code}, JSON
    ).status_code == 404  # fmt: skip
    conferred = bureau.post(
        f"/api/v1/assessment/awards/{winner.pk}/confer", {"evaluator": world["evaluator"].code}, JSON
    )
    assert conferred.status_code == 201 and conferred.json()["skill_level"] == 3
    twice = bureau.post(f"/api/v1/assessment/awards/{winner.pk}/confer", {"evaluator": world["evaluator"].code}, JSON)
    assert twice.status_code == 422 and "请勿重复认定" in _detail(twice)
    assert SkillAssessment.objects.filter(award__in=[winner, unfiled]).count() == 1

    # The body finds it awaiting a certificate and issues it from its page; the bureau sees the number.
    evaluator = client_for("evaluator")
    assessment_id = conferred.json()["assessment_id"]
    assert f'value="{assessment_id}"' in evaluator.get("/credentials/certificates/").content.decode()
    issued = evaluator.post("/credentials/certificates/", {"form": "assessment", "assessment": assessment_id})
    assert issued.status_code == 302
    certificate = Certificate.objects.get(assessment_id=assessment_id)
    assert certificate.basis == "award" and certificate.award == winner
    row = bureau.get("/assessment/awards/").content.decode()
    assert certificate.number in row


def test_the_school_issues_under_the_integrated_rule_from_its_page_once_the_bureau_switched_it_on(
    client_for: Callable[[str], Client], actor_of: Callable[[str], Actor], world: dict[str, Organisation],
    graduates: list[Registration],
) -> None:  # fmt: skip
    from gongjiang.credentials import services

    services.filing_create(
        actor=actor_of("bureau"), organisation=world["school"], body_kind="school", occupations={LATHE: 3},
        valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2030, 12, 31),
    )  # fmt: skip
    school = client_for("school")
    page = school.get("/credentials/integrated/").content.decode()
    assert "本辖区现在没有启用该规则" in page and f'<option value="{LATHE}">' in page
    form = {"registration": graduates[0].pk, "occupation_code": LATHE}
    refused = school.post("/credentials/integrated/", form)
    assert "未由人社部门启用" in school.get(refused["Location"]).content.decode()
    assert not Certificate.objects.filter(basis="integrated").exists()

    services.equivalence_switch(
        actor=actor_of("bureau"), enabled=True, effective_on=dt.date(2026, 1, 1), reason="依002号文第18条"
    )
    assert school.post("/credentials/integrated/", form).status_code == 302
    made = Certificate.objects.get(basis="integrated", registration=graduates[0])
    assert made.skill_level == 3 and made.occupation_code == LATHE
    page = school.get("/credentials/integrated/").content.decode()
    assert f'data-registration="{graduates[0].pk}"' not in page and f'data-registration="{graduates[1].pk}"' in page
    # Through the API: another graduate; twice is refused, named; another school meets 404.
    api = f"{API}/registrations/{graduates[1].pk}/integrated"
    issued = school.post(api, {"occupation_code": LATHE}, JSON)
    assert issued.status_code == 200 and issued.json()["basis"] == "integrated"
    twice = school.post(api, {"occupation_code": LATHE}, JSON)
    assert twice.status_code == 422 and "重复签发" in _detail(twice)
    wrong = school.post(f"{API}/registrations/{graduates[2].pk}/integrated", {"occupation_code": "6-18-02-04"}, JSON)
    assert wrong.status_code == 422 and "不对应" in _detail(wrong)
    assert client_for("school2").post(api, {"occupation_code": LATHE}, JSON).status_code == 404
    assert client_for("bureau").get("/credentials/integrated/").status_code == 403
