"""Trigram indexes for name search on PostgreSQL.

Search matches a name anywhere inside every name a person is known by (LIKE '%...%') and by
sounds-alike key prefix. Without these indexes that is a scan of every name: about 17 ms at county
scale, growing with the partnership. pg_trgm is a trusted extension, so the database owner can
create it. SQLite (demo and embedded tests) scans, which is fine at its size.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS personname_normalised_trgm
    ON people_personname USING gin (normalised gin_trgm_ops);
CREATE INDEX IF NOT EXISTS personname_phonetic_trgm
    ON people_personname USING gin (phonetic gin_trgm_ops);
"""

DROP = """
DROP INDEX IF EXISTS personname_normalised_trgm;
DROP INDEX IF EXISTS personname_phonetic_trgm;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
