"""On PostgreSQL, the search vector also holds lexemes no query word can spell (words are letters,
digits and ideographs; these begin with an underscore): the month a posting was published (UTC,
`_m202611`), its type (`_kjob`), its province, city and district (`_r15`, `_r1502`, `_r150203`),
its occupation's major and middle class (`_o6`, `_o6-18`) and its industry section (`_iC`). A
search with words then asks the GIN index for its matches of the last few months within those
filters, and reads only those rows, not every match in the marketplace (ADR 0010)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MONTH = (
    "(extract(year FROM published_at AT TIME ZONE 'UTC') * 100 + extract(month FROM published_at AT TIME ZONE 'UTC'))"
)


def _vector(expression: str) -> str:
    return f"""
DROP INDEX IF EXISTS market_posting_search;
ALTER TABLE market_posting DROP COLUMN IF EXISTS search_vector;
ALTER TABLE market_posting ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED;
CREATE INDEX market_posting_search ON market_posting USING GIN (search_vector);
"""


FACTS = f"""array_remove(ARRAY[
    CASE WHEN published_at IS NULL THEN NULL ELSE '_m' || {MONTH}::int::text END,
    '_k' || kind,
    '_r' || left(region_code, 2), '_r' || left(region_code, 4), '_r' || region_code,
    CASE WHEN occupation_code = '' THEN NULL ELSE '_o' || left(occupation_code, 1) END,
    CASE WHEN occupation_code = '' THEN NULL ELSE '_o' || left(occupation_code, 4) END,
    CASE WHEN industry_code = '' THEN NULL ELSE '_i' || left(industry_code, 1) END
], NULL)"""
WITH_FACTS = _vector(f"to_tsvector('simple', search_text) || array_to_tsvector({FACTS})")
WORDS_ONLY = _vector("to_tsvector('simple', search_text)")


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WITH_FACTS)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WORDS_ONLY)


class Migration(migrations.Migration):
    dependencies = [("market", "0007_pay_order_index")]

    operations = [migrations.RunPython(create, drop)]
