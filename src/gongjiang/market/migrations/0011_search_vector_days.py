"""The search vector also holds the day a posting was published (UTC, `_d20261208`) beside its
month. A word search reads its newest matches in slices of time sized by the rate of matches it
has found (ADR 0010): whole months were too coarse where a month holds a third of a million
postings, and the first three months held most of a marketplace that spans a few months, so a
frequent word read thousands more rows than it kept. PostgreSQL only, as 0008."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# Written out as 0009 has them, so that this migration keeps doing what it did when code changes.
SECTION = """CASE
    WHEN industry_code ~ '^[A-Za-z]' THEN upper(left(industry_code, 1))
    WHEN industry_code ~ '^[0-9][0-9]' THEN (CASE
    WHEN left(industry_code, 2)::int BETWEEN 1 AND 5 THEN 'A'
    WHEN left(industry_code, 2)::int BETWEEN 6 AND 12 THEN 'B'
    WHEN left(industry_code, 2)::int BETWEEN 13 AND 43 THEN 'C'
    WHEN left(industry_code, 2)::int BETWEEN 44 AND 46 THEN 'D'
    WHEN left(industry_code, 2)::int BETWEEN 47 AND 50 THEN 'E'
    WHEN left(industry_code, 2)::int BETWEEN 51 AND 52 THEN 'F'
    WHEN left(industry_code, 2)::int BETWEEN 53 AND 60 THEN 'G'
    WHEN left(industry_code, 2)::int BETWEEN 61 AND 62 THEN 'H'
    WHEN left(industry_code, 2)::int BETWEEN 63 AND 65 THEN 'I'
    WHEN left(industry_code, 2)::int BETWEEN 66 AND 69 THEN 'J'
    WHEN left(industry_code, 2)::int BETWEEN 70 AND 70 THEN 'K'
    WHEN left(industry_code, 2)::int BETWEEN 71 AND 72 THEN 'L'
    WHEN left(industry_code, 2)::int BETWEEN 73 AND 75 THEN 'M'
    WHEN left(industry_code, 2)::int BETWEEN 76 AND 79 THEN 'N'
    WHEN left(industry_code, 2)::int BETWEEN 80 AND 82 THEN 'O'
    WHEN left(industry_code, 2)::int BETWEEN 83 AND 83 THEN 'P'
    WHEN left(industry_code, 2)::int BETWEEN 84 AND 85 THEN 'Q'
    WHEN left(industry_code, 2)::int BETWEEN 86 AND 90 THEN 'R'
    WHEN left(industry_code, 2)::int BETWEEN 91 AND 96 THEN 'S'
    WHEN left(industry_code, 2)::int BETWEEN 97 AND 97 THEN 'T' END) END"""

MONTH = (
    "(extract(year FROM published_at AT TIME ZONE 'UTC') * 100 + extract(month FROM published_at AT TIME ZONE 'UTC'))"
)
DAY = f"({MONTH} * 100 + extract(day FROM published_at AT TIME ZONE 'UTC'))"


def _vector(*, days: bool) -> str:
    day = f"CASE WHEN published_at IS NULL THEN NULL ELSE '_d' || {DAY}::int::text END," if days else ""
    facts = f"""array_remove(ARRAY[
    CASE WHEN published_at IS NULL THEN NULL ELSE '_m' || {MONTH}::int::text END,
    {day}
    '_k' || kind,
    '_r' || left(region_code, 2), '_r' || left(region_code, 4), '_r' || region_code,
    CASE WHEN occupation_code = '' THEN NULL ELSE '_o' || left(occupation_code, 1) END,
    CASE WHEN occupation_code = '' THEN NULL ELSE '_o' || left(occupation_code, 4) END,
    CASE WHEN industry_code = '' THEN NULL ELSE '_i' || {SECTION} END
], NULL)"""
    return f"""
DROP INDEX IF EXISTS market_posting_search;
ALTER TABLE market_posting DROP COLUMN IF EXISTS search_vector;
ALTER TABLE market_posting ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
    (to_tsvector('simple', search_text) || array_to_tsvector({facts})) STORED;
CREATE INDEX market_posting_search ON market_posting USING GIN (search_vector);
"""


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_vector(days=True))


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_vector(days=False))


class Migration(migrations.Migration):
    dependencies = [("market", "0010_notifications_to_organisations")]

    operations = [migrations.RunPython(forward, backward)]
