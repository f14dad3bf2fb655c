from decimal import Decimal

from django.db import migrations

# The default bands (评议等次); the county may change them in the admin.
BANDS = [
    ("good", "好", Decimal("90")),
    ("fairly_good", "较好", Decimal("80")),
    ("average", "一般", Decimal("60")),
    ("poor", "差", Decimal("0")),
]


def add_bands(apps, schema_editor):
    GradeBand = apps.get_model("accountability", "GradeBand")
    for code, label, min_score in BANDS:
        GradeBand.objects.get_or_create(code=code, defaults={"label": label, "min_score": min_score})


def remove_bands(apps, schema_editor):
    apps.get_model("accountability", "GradeBand").objects.filter(code__in=[b[0] for b in BANDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_initial")]

    operations = [migrations.RunPython(add_bands, remove_bands)]
