"""The credentials pages: filing from the page, the public registry and its JSON, issuing from the
page, the holder's downloads, printing and share links, and what a share link opens."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from gongjiang.core.actors import Actor
from gongjiang.credentials.models import Certificate, Filing, ShareLink, ShareUse
from gongjiang.credentials.services import certificates as issue
from gongjiang.directory.models import Organisation, User
from gongjiang.registry import services as registry
from tests.credentials.conftest import LATHE

pytestmark = pytest.mark.django_db


def test_the_bureau_files_from_the_page_and_everyone_reads_the_registry(
    client_for: Callable[[str], Client], world: dict[str, Organisation]
) -> None:
    bureau = client_for("bureau")
    form = {
        "organisation_code": world["evaluator"].code, "body_kind": "evaluation_organisation",
        "occupations": f"{LATHE} 3\n", "valid_from": "2026-01-01", "valid_until": "2028-12-31",
    }  # fmt: skip
    bad = bureau.post("/credentials/registry/new/", {**form, "occupations": "车工 三级"})
    assert "应为“职业代码 最高等级”" in bad.content.decode()
    done = bureau.post("/credentials/registry/new/", form)
    assert done.status_code == 302
    filing = Filing.objects.get(organisation=world["evaluator"])
    anonymous = client_for("anonymous")
    assert filing.number in anonymous.get("/credentials/registry/").content.decode()
    data = anonymous.get("/credentials/registry.json").json()
    assert data["filings"][0]["occupations"] == [{"code": LATHE, "highestLevel": 3}]
    suspended = bureau.post(
        f"/credentials/registry/{filing.number}/", {"action": "suspend", "reason": "年检未通过", "version": 1}
    )
    assert suspended.status_code == 302
    page = anonymous.get(f"/credentials/registry/{filing.number}/").content.decode()
    assert "年检未通过" in page and 'data-testid="filing-status-form"' not in page
    assert (
        client_for("school")
        .post(f"/credentials/registry/{filing.number}/", {"action": "end", "reason": "x", "version": 2})
        .status_code
        == 403
    )


def _student_certificate(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], filing: Filing
) -> Certificate:
    person = User.objects.get(username="student").person
    assessment = registry.assessment_record(
        actor=actor_of("u-v150000001"), evaluator=world["evaluator"], person=person, occupation_code=LATHE,
        skill_level=4, assessed_on=dt.date(2026, 5, 20), result="passed", certificate_no="S000000000009",
    )  # fmt: skip
    return issue.certificate_issue_for_assessment(actor=actor_of("u-v150000001"), assessment=assessment)


def test_the_evaluator_issues_from_the_page(
    actor_of: Callable[[str], Actor], client_for: Callable[[str], Client], world: dict[str, Organisation],
    evaluator_filing: Filing,
) -> None:  # fmt: skip
    person = User.objects.get(username="student").person
    assessment = registry.assessment_record(
        actor=actor_of("u-v150000001"), evaluator=world["evaluator"], person=person, occupation_code=LATHE,
        skill_level=4, assessed_on=dt.date(2026, 5, 20), result="passed", certificate_no="S000000000010",
    )  # fmt: skip
    evaluator = client_for("evaluator")
    assert "awaiting-table" in evaluator.get("/credentials/certificates/").content.decode()
    evaluator.post("/credentials/certificates/", {"form": "assessment", "assessment": assessment.pk})
    certificate = Certificate.objects.get(assessment=assessment)
    again = evaluator.post(
        "/credentials/certificates/", {"form": "assessment", "assessment": assessment.pk}, follow=True
    )
    assert "已签发过证书" in again.content.decode()
    # Another evaluator's assessment cannot be reached at all.
    assert client_for("school").post(
        "/credentials/certificates/", {"form": "assessment", "assessment": assessment.pk}
    ).status_code in (302, 404)
    assert Certificate.objects.filter(assessment=assessment).count() == 1
    # The learner's home lists it.
    assert certificate.number in client_for("student").get("/").content.decode()


def test_the_holder_downloads_prints_shares_and_revokes_a_link(
    actor_of: Callable[[str], Actor], client_for: Callable[[str], Client], world: dict[str, Organisation],
    evaluator_filing: Filing,
) -> None:  # fmt: skip
    certificate = _student_certificate(actor_of, world, evaluator_filing)
    student = client_for("student")
    page = f"/credentials/certificates/{certificate.number}/"
    downloaded = student.get(page + "credential.json")
    assert json.loads(downloaded.content)["id"].endswith(certificate.number)
    for persona in ("school2", "enterprise", "anonymous"):
        assert client_for(persona).get(page).status_code in (302, 404)
    pdf = student.post(page + "print/", {"days": 90})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert student.post(page, {"form": "share", "days": 400}).status_code == 200  # refused by the form
    made = student.post(page, {"form": "share", "days": 30, "label": "应聘某公司"})
    link = made.context["new_link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    opened: Any = client_for("anonymous").get(f"/credentials/shared/{token}/")
    assert opened.status_code == 200 and certificate.number in opened.content.decode()
    assert opened.context["verified"] and 'data-verified="true"' in opened.content.decode()
    assert ShareUse.objects.filter(link__label="应聘某公司").count() == 1
    assert "应聘某公司" in student.get(page).content.decode()
    shared = ShareLink.objects.get(label="应聘某公司")
    assert client_for("school").post(f"/credentials/shares/{shared.pk}/revoke/").status_code == 404
    student.post(f"/credentials/shares/{shared.pk}/revoke/")
    refused = client_for("anonymous").get(f"/credentials/shared/{token}/")
    assert refused.status_code == 404 and "已撤回" in refused.content.decode()
    ShareLink.objects.filter(pk=shared.pk).update(revoked_at=None, expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert "已过期" in client_for("anonymous").get(f"/credentials/shared/{token}/").content.decode()


def test_the_status_list_and_revocation_from_the_page(
    actor_of: Callable[[str], Actor], client_for: Callable[[str], Client], world: dict[str, Organisation],
    evaluator_filing: Filing,
) -> None:  # fmt: skip
    certificate = _student_certificate(actor_of, world, evaluator_filing)
    entry = certificate.credential["credentialStatus"][0]
    path = entry["statusListCredential"].removeprefix("http://localhost:8000")
    served = client_for("anonymous").get(path).json()
    assert served["credentialSubject"]["statusPurpose"] == "revocation"
    evaluator = client_for("evaluator")
    page = f"/credentials/certificates/{certificate.number}/"
    evaluator.post(page, {"form": "status", "status": "revoked", "reason": "考试作弊"})
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.status_reason == "考试作弊"
    assert served != client_for("anonymous").get(path).json()
    assert client_for("student").post(page, {"form": "status", "status": "active", "reason": "x"}).status_code == 403


def test_a_school_issues_its_diplomas_as_a_batch_with_progress(
    client_for: Callable[[str], Client], world: dict[str, Organisation], graduates: list[Any]
) -> None:
    from gongjiang.core import tasks
    from gongjiang.core.models import Task
    from gongjiang.credentials.models import IssuingBatch

    school = client_for("school")
    page = school.get("/credentials/certificates/").content.decode()
    assert "batch-form" in page
    school.post("/credentials/certificates/", {"form": "batch"})
    batch = IssuingBatch.objects.get(school=world["school"])
    assert 'data-testid="batch-bar"' in school.get(f"/credentials/certificates/batches/{batch.pk}/").content.decode()
    again = school.post("/credentials/certificates/", {"form": "batch"}, follow=True)
    assert "正在签发" in again.content.decode()  # one batch at a time
    tasks.run_now(Task.objects.get(name="credentials.issue_diplomas"))
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.total) == ("done", 3, 3)
    assert Certificate.objects.filter(kind="diploma", issuer=world["school"]).count() == 3
    assert "上一批已完成" in school.get(f"/credentials/certificates/batches/{batch.pk}/").content.decode()
    assert client_for("school2").get(f"/credentials/certificates/batches/{batch.pk}/").status_code == 404
