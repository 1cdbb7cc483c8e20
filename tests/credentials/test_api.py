"""Certificates through the JSON API: the evaluator issues on a passed assessment and the school a
diploma, each lists and reads what it issued, the holder shares and withdraws a link, and a
status change needs a reason; other callers meet 404 as for a number that does not exist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client

from gongjiang.core.actors import Actor
from gongjiang.credentials.models import Filing
from gongjiang.directory.models import Organisation, User
from gongjiang.registry import services as registry
from gongjiang.registry.models import Registration
from tests.credentials.conftest import LATHE

API = "/api/v1/credentials"


def test_issue_read_share_and_revoke_through_the_api(
    actor_of: Callable[[str], Actor], client_for: Callable[[str], Client], world: dict[str, Organisation],
    evaluator_filing: Filing, graduates: list[Registration],
) -> None:  # fmt: skip
    evaluator, school, student = client_for("evaluator"), client_for("school"), client_for("student")
    assessment = registry.assessment_record(
        actor=actor_of("u-v150000001"), evaluator=world["evaluator"], person=User.objects.get(username="student").person,
        occupation_code=LATHE, skill_level=4, assessed_on=dt.date(2026, 5, 20), result="passed", certificate_no="S000000000011",
    )  # fmt: skip
    issued = evaluator.post(f"{API}/assessments/{assessment.pk}/certificate")
    assert issued.status_code == 200, issued.content
    number = issued.json()["number"]
    again = evaluator.post(f"{API}/assessments/{assessment.pk}/certificate")
    assert again.status_code in (404, 422)  # issued once only; no longer awaiting a certificate

    diploma = school.post(f"{API}/registrations/{graduates[0].pk}/diploma")
    assert diploma.status_code == 200 and diploma.json()["kind"] == "diploma"
    assert [c["number"] for c in school.get(f"{API}/certificates").json()["items"]] == [diploma.json()["number"]]
    assert school.get(f"{API}/certificates/{number}").status_code == 404

    mine = student.get(f"{API}/certificates", {"kind": "skill"}).json()
    assert [c["number"] for c in mine["items"]] == [number] and mine["count"] == 1
    detail = student.get(f"{API}/certificates/{number}").json()
    assert detail["credential"]["id"].endswith(number)

    link = student.post(f"{API}/certificates/{number}/shares", {"days": 30, "label": "应聘"}, "application/json")
    assert link.status_code == 200 and "/credentials/shared/" in link.json()["url"]
    assert student.post(f"{API}/certificates/{number}/shares", {"days": 400}, "application/json").status_code == 422
    listed = student.get(f"{API}/certificates/{number}/shares").json()
    assert [s["url"] for s in listed] == [None]  # the token is given once, at creation
    assert client_for("school2").post(f"{API}/shares/{listed[0]['id']}/revoke").status_code == 404
    withdrawn = student.post(f"{API}/shares/{listed[0]['id']}/revoke")
    assert withdrawn.status_code == 200 and withdrawn.json()["revoked_at"]

    no_reason = evaluator.post(
        f"{API}/certificates/{number}/status", {"status": "revoked", "reason": " "}, "application/json"
    )
    assert no_reason.status_code == 422
    revoked = evaluator.post(
        f"{API}/certificates/{number}/status", {"status": "revoked", "reason": "认定材料不实"}, "application/json"
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert student.get(f"{API}/certificates/{number}").json()["status_reason"] == "认定材料不实"
