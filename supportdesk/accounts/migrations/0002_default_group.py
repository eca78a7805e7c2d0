"""Data: a default "Support" group, so tickets always have a group on a fresh install."""

from django.db import migrations


def create(apps, schema_editor):
    Group = apps.get_model("accounts", "Group")
    if not Group.objects.exists():
        Group.objects.create(name="Support", description="Everyone who answers customers.", is_default=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
