"""Finer planner statistics for the ticket search index on PostgreSQL (no-op on SQLite).

See SearchIndex.set_statistics_target: rare search terms were planned as if 0.5 % of tickets
matched. The table is analyzed at once so an existing desk plans with the new statistics
without waiting for autovacuum (a few seconds at 10⁶ tickets).
"""

from django.db import migrations

from supportdesk.core.search import SearchIndex

INDEX = SearchIndex("tickets_search")
STATISTICS_TARGET = 1000


def forwards(apps, schema_editor):
    INDEX.set_statistics_target(schema_editor.connection, STATISTICS_TARGET)
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("ANALYZE tickets_search")


def backwards(apps, schema_editor):
    INDEX.set_statistics_target(schema_editor.connection, None)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_follow_up_index")]
    operations = [migrations.RunPython(forwards, backwards)]
