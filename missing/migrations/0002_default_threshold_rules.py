from django.db import migrations


def seed(apps, schema_editor):
    ThresholdRule = apps.get_model("missing", "ThresholdRule")
    if ThresholdRule.objects.exists():
        return
    ThresholdRule.objects.bulk_create(
        [
            ThresholdRule(kind="repeat_episodes", episode_count=3, window_days=90),
            ThresholdRule(kind="found_at_location_of_concern"),
            ThresholdRule(kind="found_with_adult_of_concern"),
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("missing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
