import uuid
from typing import Any

from django.db import migrations, models


def first_token(apps: Any, schema_editor: Any) -> None:
    apps.get_model("mapping", "CellCountsVersion").objects.create(pk=1, token=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0003_cell_count_refresh_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CellCountsVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]
