"""The full-text index side table (FTS5 on SQLite, tsvector + GIN on PostgreSQL)."""

from django.db import migrations

from supportdesk.core.search import SearchIndex

INDEX = SearchIndex("tickets_search")


def create(apps, schema_editor):
    INDEX.create(schema_editor.connection)


def drop(apps, schema_editor):
    INDEX.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
