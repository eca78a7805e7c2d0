"""Data: the standard priorities and the fallback category "Other", named in every UI language."""

from django.db import migrations

PRIORITIES = [
    (1, "Low", "#6b7280", {"vi": "Thấp", "pl": "Niski", "zh-hant": "低", "zh-hans": "低"}),
    (2, "Normal", "#2563eb", {"vi": "Bình thường", "pl": "Normalny", "zh-hant": "一般", "zh-hans": "一般"}),
    (3, "High", "#d97706", {"vi": "Cao", "pl": "Wysoki", "zh-hant": "高", "zh-hans": "高"}),
    (4, "Urgent", "#dc2626", {"vi": "Khẩn cấp", "pl": "Pilny", "zh-hant": "緊急", "zh-hans": "紧急"}),
]
OTHER = {"vi": "Khác", "pl": "Inne", "zh-hant": "其他", "zh-hans": "其他"}


def create(apps, schema_editor):
    Priority = apps.get_model("tickets", "Priority")
    Category = apps.get_model("tickets", "Category")
    if not Priority.objects.exists():
        for rank, name, color, translations in PRIORITIES:
            Priority.objects.create(rank=rank, name=name, color=color, translations=translations, is_default=rank == 2)
    if not Category.objects.filter(is_fallback=True).exists():
        Category.objects.create(name="Other", translations=OTHER, is_fallback=True, position=1000)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_search_index")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
