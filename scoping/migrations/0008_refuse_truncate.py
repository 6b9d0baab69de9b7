"""Refuse TRUNCATE on the append-only tables: the audit trail, scope versions and sign-offs.

The row-level triggers of 0002 and 0005 refuse UPDATE and DELETE, but TRUNCATE fires no row trigger, so it
emptied the trail. A statement-level BEFORE TRUNCATE trigger closes that (it also fires when a TRUNCATE ... CASCADE
of another table reaches these). A superuser can still get round triggers (session_replication_role, or dropping
them): the app should connect as a role that owns none of these tables (see the README). SQLite has no TRUNCATE.
"""

from django.db import migrations

TABLES = ("scoping_activityevent", "scoping_scopeversion", "scoping_signoff")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION firstslice_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: TRUNCATE is not allowed', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION firstslice_refuse_truncate();"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS firstslice_refuse_truncate();")


class Migration(migrations.Migration):
    dependencies = [("scoping", "0007_invitation_revoked_at")]

    operations = [migrations.RunPython(create, drop)]
