"""Make clause versions append-only in the database itself, not just in Python.

A proposal frozen with a version must print it for good, so PostgreSQL and SQLite triggers refuse UPDATE and
DELETE of consultancy_clauseversion, and on PostgreSQL a statement trigger refuses TRUNCATE (as scoping's 0002 and
0008 do for the audit trail).
"""

from django.db import migrations

TABLE = "consultancy_clauseversion"

PG_CREATE = f"""
CREATE OR REPLACE FUNCTION firstslice_clauseversion_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{TABLE} is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER clauseversion_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION firstslice_clauseversion_append_only();
CREATE TRIGGER clauseversion_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION firstslice_clauseversion_append_only();
"""
PG_DROP = f"""
DROP TRIGGER IF EXISTS clauseversion_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS clauseversion_append_only ON {TABLE};
DROP FUNCTION IF EXISTS firstslice_clauseversion_append_only();
"""
SQLITE_CREATE = [
    f"""CREATE TRIGGER clauseversion_no_update BEFORE UPDATE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: UPDATE is not allowed'); END;""",
    f"""CREATE TRIGGER clauseversion_no_delete BEFORE DELETE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: DELETE is not allowed'); END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS clauseversion_no_update;", "DROP TRIGGER IF EXISTS clauseversion_no_delete;"]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("consultancy", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
