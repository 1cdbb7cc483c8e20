"""The indicators of signed certificates read the credentials app's records: counted by kind and
year of effect, and 双证书 as an active diploma of the registration with an active skill
certificate of the same person; revoked ones do not make a graduate hold both."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Exists, OuterRef

from gongjiang.credentials.models import Certificate
from gongjiang.insight.catalogue import catalogue
from gongjiang.insight.compute import IndicatorValue, compute
from gongjiang.insight.engines import DatabaseEngine, DuckDBEngine, build_snapshot
from gongjiang.registry.models import EventKind, Registration, RegistrationEvent


def _by_code_year(values: list[IndicatorValue]) -> dict[tuple[str, int], IndicatorValue]:
    return {(v.code, v.year): v for v in values}


@pytest.mark.django_db
def test_certificate_indicators_count_the_signed_records(populated: object, tmp_path: Path) -> None:
    years = sorted({c.valid_from.year for c in Certificate.objects.all()})
    assert years, "the demo region signs certificates"
    wanted = [catalogue()[code] for code in ("skill_credentials_signed", "diplomas_signed", "dual_credential_rate")]
    live = _by_code_year(compute(DatabaseEngine(), wanted, years=years))
    snapshot = DuckDBEngine(build_snapshot(tmp_path / "world.duckdb"))
    duck = _by_code_year(compute(snapshot, wanted, years=years))
    snapshot.close()
    for year in years:
        signed = Certificate.objects.filter(valid_from__year=year)
        assert live[("skill_credentials_signed", year)].value == signed.filter(kind="skill").count()
        assert live[("diplomas_signed", year)].value == signed.filter(kind="diploma").count()
        for code in ("skill_credentials_signed", "diplomas_signed", "dual_credential_rate"):
            assert live[(code, year)].as_dict() == duck[(code, year)].as_dict()

    # By hand: full-time graduates of each year holding an active diploma of that registration
    # and an active skill certificate.
    graduated = RegistrationEvent.objects.filter(kind=EventKind.GRADUATE, decision="approved")
    active = Certificate.objects.filter(status="active")
    holders_of_both = 0
    for year in {e.effective_on.year for e in graduated}:
        cohort = Registration.objects.filter(
            form="full_time", pk__in=graduated.filter(effective_on__year=year).values("registration_id")
        )
        both = cohort.filter(
            Exists(active.filter(kind="diploma", registration=OuterRef("pk"))),
            Exists(active.filter(kind="skill", holder=OuterRef("person_id"))),
        ).count()
        if not cohort.exists():
            continue
        value = compute(DatabaseEngine(), [catalogue()["dual_credential_rate"]], years=[year])[0]
        assert value.numerator == both, year
        holders_of_both += both
        assert value.denominator == cohort.count(), year
    assert holders_of_both, "the demo region has graduates holding both signed certificates"
