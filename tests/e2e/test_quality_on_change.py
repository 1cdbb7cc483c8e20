"""Data-quality rules run when a school's data changes: with writes queuing checks (as the web
processes do) and a task worker running, a committed write for a school has its rules re-run and the result kept, and the
school's page shows it; a correction clears the finding. Committed data, so on the live-server
database (`site`); no browser needed."""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

import pytest
from django.test import Client

from gongjiang.core.models import Task
from gongjiang.demo.generator import make_resident_id
from gongjiang.directory.models import Organisation, User
from gongjiang.directory.selectors import actor_for_user
from gongjiang.insight import quality
from gongjiang.insight import tasks as insight_tasks
from gongjiang.insight.models import QualityCheck
from gongjiang.registry.models import SchoolProfile
from gongjiang.registry.services import person_find_or_register, school_profile_update
from gongjiang.registry.services.records import teacher_add
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def resident_id(region: str, year: int) -> str:
    return make_resident_id(random.Random(7), region, year, "M")


def _checked_after(school: Organisation, mark: int, timeout: float = 120) -> QualityCheck:
    """The school's kept check once it covers the register up to `mark`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check = QualityCheck.objects.filter(school=school).first()
        if check is not None and check.audit_mark >= mark:
            return check
        time.sleep(0.2)
    raise AssertionError(f"no check of {school.code} after audit entry {mark} within {timeout} s")


def test_rules_rerun_in_the_background_after_a_school_writes(site: str) -> None:
    user = User.objects.get(username="school")
    school = user.memberships.get().organisation
    actor = actor_for_user(user)
    assert not QualityCheck.objects.filter(school=school).exists()
    insight_tasks.listen()
    try:
        person = person_find_or_register(actor=actor, name="王建国", id_number=resident_id("150203", 1980))
        teacher_add(actor=actor, school=school, person=person, category="specialist", hired_on=dt.date(2020, 9, 1))
        check = _checked_after(school, quality.school_mark(school.pk))
        assert sorted(check.years) == quality.check_years()
        # The school has filled none of its profile: a warning for each year checked.
        assert {f["rule"] for f in check.findings} >= {"profile_complete"}
        assert quality.is_current(check)

        school_profile_update(
            actor=actor, school=school, expected_version=SchoolProfile.objects.filter(school=school).values_list("version", flat=True).first(),
            land_area_m2=120000, floor_area_m2=60000, training_floor_area_m2=20000,
            equipment_value_wan=3000, books=150000,
        )  # fmt: skip
        check = _checked_after(school, quality.school_mark(school.pk))
        assert "profile_complete" not in {f["rule"] for f in check.findings}
    finally:
        insight_tasks.stop_listening()

    # The school's page shows the kept check, with its time.
    client = Client()
    assert client.login(username="school", password=PASSWORD)
    page = client.get(f"/insight/quality/?year={quality.check_years()[-1]}")
    assert page.status_code == 200 and 'data-testid="checked-at"' in page.content.decode()
    assert "profile_complete" not in {v.rule.code for v, _school in page.context["rows"]}


def test_without_listening_a_write_queues_nothing(site: Any) -> None:
    user = User.objects.get(username="school")
    school = user.memberships.get().organisation
    school_profile_update(
        actor=actor_for_user(user),
        school=school,
        expected_version=SchoolProfile.objects.filter(school=school).values_list("version", flat=True).first(),
        books=1000,
    )
    assert not Task.objects.filter(name=insight_tasks.QUALITY).exists()
    assert not QualityCheck.objects.filter(school=school).exists()
