"""One generated region, every indicator, every year: DuckDB, the live database and Spark agree.

The region is the personas' world given 2,000 students and their records (the `populated`
fixture of tests/conftest.py). The live-database engine reads it in the test's own transaction; the snapshot is built from the
same connection, and Spark (local mode) reads the snapshot.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gongjiang.insight.catalogue import catalogue
from gongjiang.insight.compute import IndicatorValue, Scope, compute
from gongjiang.insight.engines import DatabaseEngine, DuckDBEngine, SparkEngine, build_snapshot, data_years
from tests.conftest import require_or_skip


def _table(values: list[IndicatorValue]) -> dict[tuple[str, int, str], dict[str, object]]:
    return {(v.code, v.year, repr(sorted(v.group.items()))): v.as_dict() for v in values}


@pytest.mark.django_db
@pytest.mark.usefixtures("populated")
def test_every_indicator_is_equal_on_every_engine(tmp_path: Path) -> None:
    require_or_skip(shutil.which("java") is not None, "Spark needs Java (apt install default-jre-headless)")
    first, last = data_years()
    years = list(range(first, last + 1))
    snapshot = build_snapshot(tmp_path / "world.duckdb")
    indicators = list(catalogue().values())

    live = _table(compute(DatabaseEngine(), indicators, years=years))
    duck_engine = DuckDBEngine(snapshot)
    duck = _table(compute(duck_engine, indicators, years=years))
    spark_engine = SparkEngine(snapshot)
    try:
        spark = _table(compute(spark_engine, indicators, years=years))
    finally:
        spark_engine.close()

    assert len(live) == len(indicators) * len(years)
    computed = [key for key, value in live.items() if value["status"] == "ok"]
    assert len(computed) >= len(indicators), "the region has figures for most indicators"
    for key in live:
        assert live[key] == duck[key] == spark[key], key

    # Broken down by school (for the indicators that can be) within one city: the same again.
    by_school = [i for i in indicators if "school" in i.disaggregations]
    city = Scope("region", "150200")
    live_schools = _table(compute(DatabaseEngine(), by_school, years=[last - 1], scope=city, by=["school"]))
    duck_schools = _table(compute(duck_engine, by_school, years=[last - 1], scope=city, by=["school"]))
    # By city (derived from the schools' county codes) across the province: the same again.
    by_city = [i for i in indicators if i.supports("city")]
    live_by_city = compute(DatabaseEngine(), by_city, years=[last - 1], by=["city"])
    live_cities = _table(live_by_city)
    duck_cities = _table(compute(duck_engine, by_city, years=[last - 1], by=["city"]))
    duck_engine.close()
    assert live_schools == duck_schools
    assert len({key[2] for key in live_schools}) >= 2, "more than one school in the city"
    assert live_cities == duck_cities
    cities = {v.group["city"] for v in live_by_city}
    # Records kept at the province itself (a school under the province) stay at its code.
    assert "150200" in cities and all(city.endswith("00") for city in cities)
