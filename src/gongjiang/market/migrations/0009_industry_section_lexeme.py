"""The search vector's industry lexeme names the code's section (`_iC` for 3421): postings keep
GB/T 4754 codes as the table writes them, digits without the section letter, and the first
character alone (`_i3`) grouped divisions of several sections together. PostgreSQL only, as 0008."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gongjiang.market.search import section_sql

MONTH = (
    "(extract(year FROM published_at AT TIME ZONE 'UTC') * 100 + extract(month FROM published_at AT TIME ZONE 'UTC'))"
)


def _vector(industry: str) -> str:
    facts = f"""array_remove(ARRAY[
    CASE WHEN published_at IS NULL THEN NULL ELSE '_m' || {MONTH}::int::text END,
    '_k' || kind,
    '_r' || left(region_code, 2), '_r' || left(region_code, 4), '_r' || region_code,
    CASE WHEN occupation_code = '' THEN NULL ELSE '_o' || left(occupation_code, 1) END,
    CASE WHEN occupation_code = '' THEN NULL ELSE '_o' || left(occupation_code, 4) END,
    CASE WHEN industry_code = '' THEN NULL ELSE '_i' || {industry} END
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
        schema_editor.execute(_vector(section_sql("industry_code")))


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_vector("left(industry_code, 1)"))


class Migration(migrations.Migration):
    dependencies = [("market", "0008_search_vector_facts")]

    operations = [migrations.RunPython(forward, backward)]
