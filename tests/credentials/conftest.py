"""Fixtures for certificates: a key directory of the test's own, filed bodies, graduates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.test import override_settings

from gongjiang.core.actors import Actor
from gongjiang.credentials import issuers, services
from gongjiang.credentials.models import BodyKind, Filing
from gongjiang.directory.models import Organisation, Person
from gongjiang.registry import services as registry
from gongjiang.registry.models import Registration, RegistrationEvent, SchoolClass
from tests.registry.conftest import cnc_class, new_person  # noqa: F401  (fixtures used here)

LATHE = "6-18-01-07"  # 车工, an occupation of the 数控加工 major


@contextmanager
def issuer_keys_in(data_dir: Path) -> Iterator[Path]:
    """Issuer keys kept in `data_dir` (also for a live server in this process), forgotten afterwards."""
    with override_settings(DATA_DIR=data_dir):
        issuers._loaded.clear()
        yield data_dir / "issuer-keys"
        issuers._loaded.clear()


@pytest.fixture(autouse=True)
def key_dir(tmp_path: Path) -> Iterator[Path]:
    """Each test's issuer keys in its own directory, forgotten afterwards."""
    with issuer_keys_in(tmp_path) as keys:
        yield keys


@pytest.fixture
def evaluator_filing(actor_of: Callable[[str], Actor], world: dict[str, Organisation]) -> Filing:
    return services.filing_create(
        actor=actor_of("bureau"), organisation=world["evaluator"], body_kind=BodyKind.EVALUATION_ORGANISATION,
        occupations={LATHE: 3}, valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2030, 12, 31),
    )  # fmt: skip


@pytest.fixture
def graduates(
    actor_of: Callable[[str], Actor],
    cnc_class: SchoolClass,  # noqa: F811
    new_person: Callable[..., Person],  # noqa: F811
) -> list[Registration]:
    """Three graduates of school 1's senior 数控 class, graduation approved."""
    school, bureau = actor_of("school"), actor_of("bureau")
    registrations = [
        registry.registration_create(
            actor=school, school_class=cnc_class, person=new_person(name=name), enrolled_on=dt.date(2025, 9, 1)
        )
        for name in ("甲同学", "乙同学", "丙同学")
    ]
    events = RegistrationEvent.objects.filter(registration__in=registrations).values_list("pk", flat=True)
    registry.registration_decide_many(actor=bureau, event_ids=list(events), approve=True)
    registrations = list(Registration.objects.filter(pk__in=[r.pk for r in registrations]).order_by("pk"))
    requests = registry.registration_request_many(
        actor=school,
        requests=[{"registration": r, "kind": "graduate", "effective_on": dt.date(2026, 6, 30)} for r in registrations],
    )
    registry.registration_decide_many(actor=bureau, event_ids=[e.pk for e in requests], approve=True)
    return list(Registration.objects.filter(pk__in=[r.pk for r in registrations]).order_by("pk"))
