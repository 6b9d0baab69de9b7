"""Make the audit trail append-only in the database itself, not just in Python.

PostgreSQL: a trigger raises on UPDATE or DELETE of scoping_activityevent. SQLite (the demo) gets the same
rule with its own trigger syntax.
"""

from django.db import migrations

PG_CREATE = """
CREATE OR REPLACE FUNCTION firstslice_activity_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'scoping_activityevent is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER activityevent_append_only
    BEFORE UPDATE OR DELETE ON scoping_activityevent
    FOR EACH ROW EXECUTE FUNCTION firstslice_activity_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS activityevent_append_only ON scoping_activityevent;
DROP FUNCTION IF EXISTS firstslice_activity_append_only();
"""
SQLITE_CREATE = [
    """CREATE TRIGGER activityevent_no_update BEFORE UPDATE ON scoping_activityevent
       BEGIN SELECT RAISE(ABORT, 'scoping_activityevent is append-only: UPDATE is not allowed'); END;""",
    """CREATE TRIGGER activityevent_no_delete BEFORE DELETE ON scoping_activityevent
       BEGIN SELECT RAISE(ABORT, 'scoping_activityevent is append-only: DELETE is not allowed'); END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS activityevent_no_update;", "DROP TRIGGER IF EXISTS activityevent_no_delete;"]


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("scoping", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
