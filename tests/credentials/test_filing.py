"""Filing of evaluation bodies: the bureau files, suspends and ends; `filing_covers` answers h3's
question; refusals are named and change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.credentials import selectors, services
from gongjiang.credentials.models import BodyKind, Filing, FilingEvent, FilingStatus
from gongjiang.directory.models import Organisation

pytestmark = pytest.mark.django_db
LATHE = "6-18-01-07"
DAY = dt.date(2026, 9, 1)


def _file(actor: Actor, org: Organisation, kind: str = BodyKind.EVALUATION_ORGANISATION, **over: object) -> Filing:
    values: dict[str, object] = {
        "organisation": org, "body_kind": kind, "occupations": {LATHE: 3},
        "valid_from": dt.date(2026, 1, 1), "valid_until": dt.date(2028, 12, 31),
    }  # fmt: skip
    values.update(over)
    return services.filing_create(actor=actor, **values)  # type: ignore[arg-type]


def test_bureau_files_an_evaluator_and_the_filing_covers_levels_up_to_its_highest(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    filing = _file(actor_of("bureau"), world["evaluator"])
    assert filing.status == FilingStatus.ACTIVE and filing.filed_by == world["bureau"]
    assert AuditEntry.objects.filter(action="filing.create", entity_id=str(filing.pk)).exists()
    ev = world["evaluator"]
    assert selectors.filing_covers(ev, LATHE, 3, DAY) == filing
    assert selectors.filing_covers(ev, LATHE, 5, DAY) == filing
    assert selectors.filing_covers(ev, LATHE, 2, DAY) is None  # 技师 is above what was filed
    assert selectors.filing_covers(ev, "4-01-01-01", 4, DAY) is None  # an occupation not filed
    assert selectors.filing_covers(ev, LATHE, 4, dt.date(2029, 1, 1)) is None  # after the window
    assert selectors.filing_covers(world["school"], LATHE, 4, DAY) is None  # another organisation


def test_suspended_and_ended_filings_cover_nothing_and_keep_their_history(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    bureau = actor_of("bureau")
    filing = _file(bureau, world["school"], BodyKind.SCHOOL)
    filing = services.filing_suspend(actor=bureau, filing=filing, version=1, reason="抽查发现考务不规范")
    assert selectors.filing_covers(world["school"], LATHE, 4, DAY) is None
    filing = services.filing_reinstate(actor=bureau, filing=filing, version=2, reason="整改完成")
    assert selectors.filing_covers(world["school"], LATHE, 4, DAY) == filing
    filing = services.filing_end(actor=bureau, filing=filing, version=3, reason="机构申请注销")
    assert selectors.filing_covers(world["school"], LATHE, 4, DAY) is None
    assert list(FilingEvent.objects.filter(filing=filing).values_list("kind", flat=True)) == [
        "file", "suspend", "reinstate", "end",
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="不能这样变更"):
        services.filing_reinstate(actor=bureau, filing=filing, version=4, reason="再议")


def test_refusals_are_named_and_change_nothing(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    bureau = actor_of("bureau")
    before = Filing.objects.count()
    with pytest.raises(ValidationError, match="不是职业分类大典"):
        _file(bureau, world["evaluator"], occupations={"9-99-99-99": 3})
    with pytest.raises(ValidationError, match="不能备案为"):
        _file(bureau, world["enterprise"], BodyKind.SCHOOL)
    with pytest.raises(ValidationError, match="最高等级"):
        _file(bureau, world["evaluator"], occupations={LATHE: 7})
    with pytest.raises(ValidationError, match="晚于"):
        _file(bureau, world["evaluator"], valid_until=dt.date(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        _file(actor_of("school"), world["school"], BodyKind.SCHOOL)
    # A city bureau files only within its city.
    with pytest.raises(PermissionDenied):
        _file(actor_of("u-bur-150400"), world["school"], BodyKind.SCHOOL)
    filing = _file(bureau, world["evaluator"])
    with pytest.raises(ValidationError, match="原因"):
        services.filing_suspend(actor=bureau, filing=filing, version=1, reason="  ")
    assert Filing.objects.count() == before + 1


def test_the_registry_is_public_to_every_persona(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    from gongjiang.core.actors import PUBLIC

    filing = _file(actor_of("bureau"), world["evaluator"])
    for actor in (PUBLIC, actor_of("student"), actor_of("school2"), actor_of("enterprise")):
        assert filing in selectors.filing_list(actor=actor)
        assert selectors.filing_get(actor=actor, number=filing.number) == filing
