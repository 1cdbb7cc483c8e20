from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.http import Http404

from gongjiang.core.actors import PUBLIC, Actor, system_actor
from gongjiang.core.models import AuditEntry
from gongjiang.core.scope import ActorKind, get_scoped_or_404, region_prefix, scoped
from gongjiang.directory.models import Organisation


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("150000", "15"), ("150200", "1502"), ("150203", "150203"), ("110000", "11")],
)
def test_region_prefix(code: str, prefix: str) -> None:
    assert region_prefix(code) == prefix


def test_provincial_bureau_sees_its_cities_and_a_city_bureau_only_its_own(world: dict[str, Organisation]) -> None:
    province = Actor(kind=ActorKind.BUREAU, region_code="150000", organisation_id=world["bureau"].pk)
    chifeng = Actor(kind=ActorKind.BUREAU, region_code="150400", organisation_id=world["bureau_other"].pk)
    everyone = Organisation.objects.all()
    assert scoped(everyone, province).count() == everyone.filter(region_code__startswith="15").count()
    seen = set(scoped(everyone, chifeng).values_list("region_code", flat=True))
    assert seen and all(code.startswith("1504") for code in seen)


def test_school_sees_itself_only_and_other_rows_answer_404(world: dict[str, Organisation]) -> None:
    school = world["school"]
    actor = Actor(kind=ActorKind.SCHOOL, organisation_id=school.pk, region_code=school.region_code)
    assert list(scoped(Organisation.objects.all(), actor)) == [school]
    with pytest.raises(Http404):
        get_scoped_or_404(Organisation.objects.all(), actor, code=world["school2"].code)
    with pytest.raises(Http404):
        get_scoped_or_404(Organisation.objects.all(), actor, code="NO-SUCH-CODE")


def test_public_and_learner_see_no_organisations(db: None) -> None:
    assert not scoped(Organisation.objects.all(), PUBLIC).exists()
    assert not scoped(Organisation.objects.all(), Actor(kind=ActorKind.LEARNER, person_id=1)).exists()


def test_models_without_scope_cannot_be_read_through_scoped(db: None) -> None:
    from gongjiang.refdata.models import Concept

    with pytest.raises(TypeError):
        scoped(Concept.objects.all(), system_actor())


def test_audit_entries_cannot_be_changed_or_deleted(db: None) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_raw_updates_of_the_audit_trail(db: None) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'tampered'")


def test_ci_runs_on_postgresql(db: None) -> None:
    """CI points the suite at PostgreSQL; a silent fall-back to SQLite would hide real bugs."""
    from tests.conftest import IN_CI

    if IN_CI:
        assert connection.vendor == "postgresql"
