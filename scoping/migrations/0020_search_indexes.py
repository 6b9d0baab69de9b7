"""Indexes for 100,000 projects: the list's order, the review queue's order, and search by name (trigram).

Search is ``name__icontains``, which Django writes on PostgreSQL as ``UPPER("name"::text) LIKE UPPER('%…%')``; a
GIN index of trigrams on that very expression (pg_trgm) answers it without reading every project. It exists on
PostgreSQL only and is kept out of the model state on purpose: SQLite (the demo) has no GIN index, and a table
rebuild there would try to recreate every index the model declares. A search of one or two characters has no
trigram to look up: it matches names that start with it (``name__istartswith``), which a B-tree of the same
expression with ``text_pattern_ops`` answers (``scoping.projects.selectors.name_matches``).
"""

from django.db import migrations, models

TRIGRAM_INDEX = "project_name_trgm"
PREFIX_INDEX = "project_name_prefix"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it without superuser rights.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON scoping_discoveryproject "
        "USING gin ((UPPER(name::text)) gin_trgm_ops);"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {PREFIX_INDEX} ON scoping_discoveryproject ((UPPER(name::text)) text_pattern_ops);"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {PREFIX_INDEX};")
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX};")  # the extension stays: others may use it


class Migration(migrations.Migration):
    dependencies = [("scoping", "0019_session_record")]

    operations = [
        migrations.AddIndex(
            model_name="discoveryproject",
            index=models.Index(fields=["last_activity_at", "id"], name="project_activity_order"),
        ),
        migrations.AddIndex(
            model_name="discoveryproject",
            index=models.Index(fields=["stage", "stage_changed_at", "id"], name="project_stage_age"),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
