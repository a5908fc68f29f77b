from django.db import migrations

# The partnership can change these on the timescales page; these are common starting points.
DEFAULT_HOURS = {"immediate": 4, "urgent": 24, "standard": 48}


def seed(apps, schema_editor):
    ResponseTimescale = apps.get_model("frontdoor", "ResponseTimescale")
    for urgency, hours in DEFAULT_HOURS.items():
        ResponseTimescale.objects.get_or_create(urgency=urgency, defaults={"hours": hours})


class Migration(migrations.Migration):
    dependencies = [("frontdoor", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
