"""Returning an identity claim and correcting it (ADR 0032): the bureau returns a claim with a
reason that reaches the writer's inbox; the writer corrects its records' name or number; the
correction is checked as a new write is and goes back to the bureau, whatever the register holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.directory.models import Organisation, Person
from gongjiang.market.models import Notification
from gongjiang.registry import selectors, services
from gongjiang.registry.models import ClaimReturn, CompetitionAward
from tests.conftest import PERSONA_USERS
from tests.test_identity_oracle import REGISTERED_NAME, TYPED_NAME, foreign, new_number  # noqa: F401  (a fixture)

OTHER_NAME = "乙某某"


def _award(actor: Actor, school: Organisation, name: str, number: str) -> CompetitionAward:
    """School 1 records an award for the person it names: filed under a claim when the number is
    held by someone it may not read."""
    return services.award_record(
        actor=actor, recorded_by=school,
        person=services.person_find_or_register(actor=actor, name=name, id_number=number),
        competition="全区技能大赛", level="provincial", rank="一等奖", awarded_on=dt.date(2026, 5, 20),
    )  # fmt: skip


@pytest.fixture
def returned(world: dict[str, Organisation], actor_of: Callable[[str], Actor], foreign: Person) -> ClaimReturn:  # noqa: F811
    award = _award(actor_of("school"), world["school"], TYPED_NAME, foreign.id_number)
    return services.claim_return(actor=actor_of("bureau"), claim=award.person, reason="姓名与证件不符")


def _bureau_list(actor: Actor) -> dict[str, selectors.OpenClaim]:
    return {c.claim.name: c for c in selectors.open_claims(actor=actor)}


def test_the_bureau_returns_a_claim_to_the_writers_inbox(
    returned: ClaimReturn,
    world: dict[str, Organisation],
    actor_of: Callable[[str], Actor],
    foreign: Person,  # noqa: F811
) -> None:
    school = world["school"]
    assert returned.organisation == school and returned.corrected_at is None
    # Off the bureau's list while the writer corrects it, on the writer's own.
    assert TYPED_NAME not in _bureau_list(actor_of("bureau"))
    (mine,) = selectors.returned_claims(actor=actor_of("school"))
    assert (mine.name, mine.claim_return.reason, mine.records) == (TYPED_NAME, "姓名与证件不符", {"技能竞赛获奖": 1})
    assert selectors.returned_claims(actor=actor_of("school2")) == []
    message = Notification.objects.get(organisation=school)
    assert TYPED_NAME in message.title and "姓名与证件不符" in message.body
    assert REGISTERED_NAME not in message.title + message.body and foreign.id_number not in message.body
    assert message.link == "/registry/identities/returned/"
    entry = AuditEntry.objects.get(action="person.claim_return")
    assert entry.scope_organisation_id == school.pk and REGISTERED_NAME not in str(entry.after)
    # Returned once at a time.
    with pytest.raises(ValidationError, match="已退回"):
        services.claim_return(actor=actor_of("bureau"), claim=returned.claim, reason="再退一次")


@pytest.mark.parametrize("reason", ["", "   ", "过长" * 151, "换行\n原因", "控制\x07字符"])
def test_a_return_needs_a_bounded_reason(
    reason: str,
    world: dict[str, Organisation],
    actor_of: Callable[[str], Actor],
    foreign: Person,  # noqa: F811
) -> None:
    award = _award(actor_of("school"), world["school"], TYPED_NAME, foreign.id_number)
    with pytest.raises(ValidationError) as refused:
        services.claim_return(actor=actor_of("bureau"), claim=award.person, reason=reason)
    assert "reason" in refused.value.message_dict
    assert not ClaimReturn.objects.exists() and not Notification.objects.exists()


def test_only_the_bureau_over_the_writer_returns(
    world: dict[str, Organisation],
    actor_of: Callable[[str], Actor],
    foreign: Person,  # noqa: F811
) -> None:
    award = _award(actor_of("school"), world["school"], TYPED_NAME, foreign.id_number)
    for persona in ("bureau_other", "school", "school2"):
        with pytest.raises(Exception) as refused:
            services.claim_return(actor=actor_of(PERSONA_USERS[persona]), claim=award.person, reason="无权退回")
        assert refused.type.__name__ == "PermissionDenied"
    assert not ClaimReturn.objects.exists()


def test_a_correction_with_the_registered_name_goes_back_to_the_bureau(
    returned: ClaimReturn,
    actor_of: Callable[[str], Actor],
    foreign: Person,  # noqa: F811
) -> None:
    clerk = actor_of("school")
    services.claim_correct(actor=clerk, claim_return=returned, name=REGISTERED_NAME, expected_version=1)
    award = CompetitionAward.objects.get()
    # Held for the bureau under a claim with the corrected name: not yet the registered person,
    # so the writer reads nothing new.
    assert award.person_id not in (foreign.pk, returned.claim_id) and award.person.name == REGISTERED_NAME
    assert foreign.pk not in services.persons_readable(clerk, [foreign.pk])
    assert selectors.returned_claims(actor=clerk) == []
    listed = _bureau_list(actor_of("bureau"))
    assert TYPED_NAME not in listed, "the claim its records left is no longer the bureau's business"
    assert listed[REGISTERED_NAME].resubmitted
    services.claim_decide(actor=actor_of("bureau"), claim=listed[REGISTERED_NAME].claim)
    award.refresh_from_db()
    assert award.person_id == foreign.pk


def test_a_correction_with_another_wrong_name_goes_back_to_the_bureau_alike(
    returned: ClaimReturn,
    actor_of: Callable[[str], Actor],
    foreign: Person,  # noqa: F811
) -> None:
    services.claim_correct(actor=actor_of("school"), claim_return=returned, name=OTHER_NAME, expected_version=1)
    award = CompetitionAward.objects.get()
    assert award.person.name == OTHER_NAME and award.person.claims_id == foreign.pk
    listed = _bureau_list(actor_of("bureau"))
    assert listed[OTHER_NAME].resubmitted and listed[OTHER_NAME].registered_name == REGISTERED_NAME
    # The bureau may return it again.
    again = services.claim_return(actor=actor_of("bureau"), claim=listed[OTHER_NAME].claim, reason="仍不符")
    assert [r.claim_return.pk for r in selectors.returned_claims(actor=actor_of("school"))] == [again.pk]


def test_a_correction_of_the_number_to_a_new_one_registers_that_person(
    returned: ClaimReturn, actor_of: Callable[[str], Actor]
) -> None:
    number = new_number()
    services.claim_correct(
        actor=actor_of("school"), claim_return=returned, name=TYPED_NAME, id_number=number, expected_version=1
    )
    award = CompetitionAward.objects.get()
    assert (award.person.id_number, award.person.claims_id, award.person.name) == (number, None, TYPED_NAME)
    assert _bureau_list(actor_of("bureau")) == {}
    entry = AuditEntry.objects.get(action="person.claim_correct")
    assert entry.before["name"] == TYPED_NAME and entry.after["id_number"] == number


def test_a_correction_names_its_version_and_is_made_once(
    returned: ClaimReturn, actor_of: Callable[[str], Actor]
) -> None:
    clerk = actor_of("school")
    with pytest.raises(ValidationError, match="版本"):
        services.claim_correct(actor=clerk, claim_return=returned, name=OTHER_NAME, expected_version=None)
    services.claim_correct(actor=clerk, claim_return=returned, name=OTHER_NAME, expected_version=1)
    returned.refresh_from_db()
    with pytest.raises(ValidationError):
        services.claim_correct(actor=clerk, claim_return=returned, name=TYPED_NAME, expected_version=2)
    with pytest.raises(Http404):
        selectors.returned_claim_get(actor=clerk, return_id=returned.pk)


def test_a_bad_correction_changes_nothing(returned: ClaimReturn, actor_of: Callable[[str], Actor]) -> None:
    with pytest.raises(ValidationError) as refused:
        services.claim_correct(
            actor=actor_of("school"), claim_return=returned, name=OTHER_NAME, id_number="123", expected_version=1
        )
    assert "id_number" in refused.value.message_dict
    returned.refresh_from_db()
    assert returned.corrected_at is None and CompetitionAward.objects.get().person_id == returned.claim_id


def test_only_the_writer_corrects(returned: ClaimReturn, actor_of: Callable[[str], Actor]) -> None:
    for persona in ("school2", "bureau", "enterprise"):
        with pytest.raises(Http404):
            selectors.returned_claim_get(actor=actor_of(persona), return_id=returned.pk)
        with pytest.raises(Exception) as refused:
            services.claim_correct(actor=actor_of(persona), claim_return=returned, name=OTHER_NAME, expected_version=1)
        assert refused.type.__name__ == "PermissionDenied"


def test_corrections_are_limited_per_organisation_and_hour(
    settings: Any,
    world: dict[str, Organisation],
    actor_of: Callable[[str], Actor],
    foreign: Person,  # noqa: F811
) -> None:
    settings.IDENTITY_CORRECTIONS_PER_HOUR = 1
    clerk, bureau = actor_of("school"), actor_of("bureau")
    first = services.claim_return(
        actor=bureau, claim=_award(clerk, world["school"], TYPED_NAME, foreign.id_number).person, reason="不符"
    )
    second = services.claim_return(
        actor=bureau, claim=_award(clerk, world["school"], OTHER_NAME, foreign.id_number).person, reason="不符"
    )
    assert services.correction_refusal(actor=clerk) == ""
    services.claim_correct(actor=clerk, claim_return=first, name="丙某某", expected_version=1)
    assert "上限" in services.correction_refusal(actor=clerk)
    with pytest.raises(ValidationError, match="上限"):
        services.claim_correct(actor=clerk, claim_return=second, name="丁某某", expected_version=1)
    second.refresh_from_db()
    assert second.corrected_at is None


def test_the_pages_return_and_correct(
    client_for: Any, returned: ClaimReturn, world: dict[str, Organisation], actor_of: Callable[[str], Actor]
) -> None:
    page = client_for("school").get("/registry/identities/returned/").content.decode()
    assert TYPED_NAME in page and "姓名与证件不符" in page and REGISTERED_NAME not in page
    assert TYPED_NAME not in client_for("school2").get("/registry/identities/returned/").content.decode()
    answer = client_for("school").post(
        "/registry/identities/returned/",
        {"claim_return": returned.pk, "version": 1, "name": OTHER_NAME, "id_number": ""},
        follow=True,
    )
    assert [str(m) for m in answer.context["messages"]] == ["已重新提交，由人社部门核对。"]
    bureau_page = client_for("bureau").get("/registry/identities/").content.decode()
    assert OTHER_NAME in bureau_page and "退回后重新提交" in bureau_page
    claim = CompetitionAward.objects.get().person
    client_for("bureau").post("/registry/identities/", {"claim": claim.pk, "action": "return", "reason": "请核对证件"})
    assert ClaimReturn.objects.filter(claim=claim, reason="请核对证件", corrected_at__isnull=True).exists()
