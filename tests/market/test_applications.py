"""Applications: a learner applies, the publisher moves it on, an accepted offer lands in the
register (an internship at the learner's school, an apprenticeship), and a school's agreement to
an order class opens the class with the enterprise as partner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.directory.models import Organisation, Person
from gongjiang.market import services
from gongjiang.market.models import Application, Posting
from gongjiang.registry import services as registry
from gongjiang.registry.models import Apprenticeship, Internship, Registration, SchoolClass
from tests.registry.conftest import file_major


def _posting(actor_of: Callable[[str], Actor], world: dict[str, Organisation], kind: str, **extra: Any) -> Posting:
    posting = services.posting_create(
        actor=actor_of("enterprise"), owner=world["enterprise"], kind=kind, title=f"数控{kind}岗位",
        description="数控车床操作", region_code="150203", deadline=clock.today() + dt.timedelta(days=20),
        starts_on=clock.today() + dt.timedelta(days=30), ends_on=clock.today() + dt.timedelta(days=210),
        **extra,
    )  # fmt: skip
    return services.posting_moderate(actor=actor_of("bureau"), posting=posting, publish=True)


def test_an_accepted_internship_offer_lands_in_the_register(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    posting = _posting(actor_of, world, "internship")
    student = client_for("student")
    assert student.post(f"/market/postings/{posting.pk}/", {"form": "apply", "message": "想学数控"}).status_code == 302
    application = Application.objects.get(posting=posting)
    with pytest.raises(ValidationError, match="已申请过"):
        services.application_submit(actor=actor_of("student"), posting=posting)
    enterprise = client_for("enterprise")
    # The publisher's menu and its list of postings say an application waits for them.
    home = enterprise.get("/market/mine/")
    assert home.context["new_applications"] == 1 and 'data-testid="new-applicants"' in home.content.decode()
    assert client_for("school").get("/market/mine/").context["new_applications"] == 0  # not the school's posting
    assert ("待处理的申请", 1, "/market/mine/") in enterprise.get("/").context["todo"]
    page = enterprise.get(f"/market/postings/{posting.pk}/applications/").content.decode()
    assert "想学数控" in page and application.applicant.id_number not in page  # the number is masked
    # What the applicant studies, to judge by.
    assert enrolled_student.school.name in page and enrolled_student.school_class.offering.major_name in page
    assert client_for("school").get(f"/market/postings/{posting.pk}/applications/").status_code in (403, 404)
    with pytest.raises(ValidationError, match="不能改为"):
        services.application_advance(actor=actor_of("enterprise"), application=application, to="accepted")
    enterprise.post(f"/market/postings/{posting.pk}/applications/", {"application": application.pk, "to": "offer"})
    application.refresh_from_db()
    assert application.status == "offer"
    # Acted on, it no longer waits.
    assert enterprise.get("/market/mine/").context["new_applications"] == 0
    assert "接受" in student.get("/market/applications/").content.decode()
    student.post("/market/applications/", {"application": application.pk, "action": "accept"})
    internship = Internship.objects.get(registration=enrolled_student)
    assert internship.enterprise == world["enterprise"] and internship.post == posting.title
    assert AuditEntry.objects.filter(action="internship.create", entity_id=str(internship.pk)).exists()
    # Without a policy number the bureau sees it flagged until the school adds one.
    assert "无实习保险" in client_for("bureau").get("/registry/placements/?flagged=1").content.decode()


def test_only_published_open_places_take_applications(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    posting = _posting(actor_of, world, "job")
    Posting.objects.filter(pk=posting.pk).update(deadline=clock.today() - dt.timedelta(days=1))
    posting.refresh_from_db()
    with pytest.raises(ValidationError, match="已过截止日期"):
        services.application_submit(actor=actor_of("student"), posting=posting)
    cooperation = _posting(actor_of, world, "cooperation")
    with pytest.raises(ValidationError, match="不接受个人申请"):
        services.application_submit(actor=actor_of("student"), posting=cooperation)
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=actor_of("enterprise"), posting=cooperation)
    assert not Application.objects.exists()


def test_a_withdrawn_application_may_be_made_again_while_the_posting_is_open(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    posting = _posting(actor_of, world, "internship")
    student = client_for("student")
    student.post(f"/market/postings/{posting.pk}/", {"form": "apply", "message": "第一次"})
    application = Application.objects.get(posting=posting)
    mine = student.get("/market/applications/").content.decode()
    assert "确定撤回这份申请吗" in mine  # withdrawing asks first
    student.post("/market/applications/", {"application": application.pk, "action": "withdraw"})
    page = student.get(f"/market/postings/{posting.pk}/").content.decode()
    assert 'data-testid="withdrawn-before"' in page and 'data-testid="apply-form"' in page
    student.post(f"/market/postings/{posting.pk}/", {"form": "apply", "message": "想清楚了"})
    application.refresh_from_db()
    assert (application.status, application.message) == ("applied", "想清楚了")
    assert Application.objects.filter(posting=posting).count() == 1
    assert AuditEntry.objects.filter(action="application.resubmit", entity_id=str(application.pk)).exists()
    with pytest.raises(ValidationError, match="已申请过"):  # not while it stands
        services.application_submit(actor=actor_of("student"), posting=posting)


def test_an_accepted_apprenticeship_place_records_the_apprenticeship(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation], enrolled_student: Registration
) -> None:
    enterprise = actor_of("enterprise")
    earlier = Person.objects.get(pk=actor_of("student").person_id)
    registry.apprenticeship_create(
        actor=enterprise, enterprise=world["enterprise"], school=world["school"], apprentice=earlier,
        occupation_code="6-18-01-01", enterprise_tutor="李师傅", school_tutor="王老师", plan="一年",
        starts_on=dt.date(2024, 3, 1), ends_on=dt.date(2025, 2, 28), status="completed",
    )  # fmt: skip
    posting = _posting(actor_of, world, "apprenticeship", occupation_code="6-18-01-01")
    application = services.application_submit(actor=actor_of("student"), posting=posting)
    services.application_advance(actor=enterprise, application=application, to="offer")
    services.application_respond(actor=actor_of("student"), application=application, accept=True)
    assert Apprenticeship.objects.filter(apprentice=earlier, starts_on__gte=clock.today()).count() == 1


def test_a_school_agrees_to_an_order_class(
    client_for: Any, actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    file_major(actor_of, world["school"], "school", "0102", ["intermediate", "senior"])
    posting = _posting(actor_of, world, "order_class", headcount=40)
    page = client_for("school").get(f"/market/postings/{posting.pk}/").content.decode()
    assert 'data-testid="agree-form"' in page
    response = client_for("school").post(
        f"/market/postings/{posting.pk}/",
        {"form": "agree", "major_code": "0102", "name": "北方重工订单班", "class_level": "senior",
         "cohort_year": clock.today().year, "planned_years": 3},
    )  # fmt: skip
    assert response.status_code == 302
    school_class = SchoolClass.objects.get(name="北方重工订单班")
    assert school_class.partner == world["enterprise"] and school_class.school == world["school"]
    assert "order_class.agree" in AuditEntry.objects.values_list("action", flat=True)
