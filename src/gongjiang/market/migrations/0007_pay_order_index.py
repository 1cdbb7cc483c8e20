"""On PostgreSQL, "best paid first" reads an index: pay descending with postings without a pay
last, then newest. SQLite cannot index NULLS LAST; it sorts instead."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = """
CREATE INDEX posting_published_pay ON market_posting (pay_max DESC NULLS LAST, published_at DESC, id DESC)
    WHERE status = 'published';
"""


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS posting_published_pay;")


class Migration(migrations.Migration):
    dependencies = [("market", "0006_published_order_indexes")]

    operations = [migrations.RunPython(create, drop)]
