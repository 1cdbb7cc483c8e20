"""On PostgreSQL, postings are searched through a generated tsvector over their segmented words,
with a GIN index (the `simple` configuration: the words are cut already). SQLite searches the
words with substring matches instead."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = """
ALTER TABLE market_posting ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
CREATE INDEX market_posting_search ON market_posting USING GIN (search_vector);
"""
DROP = """
DROP INDEX IF EXISTS market_posting_search;
ALTER TABLE market_posting DROP COLUMN IF EXISTS search_vector;
"""


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("market", "0001_marketplace")]

    operations = [migrations.RunPython(create, drop)]
