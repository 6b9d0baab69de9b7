"""At most one queued or rendering document per version and kind, so identical requests share one render.

Existing duplicates (made before this rule) keep their newest pending document; the older ones are marked failed
with a note, so the constraint can be created and nobody waits on a row no job will finish twice.
"""

from django.db import migrations, models

PENDING = ["queued", "rendering"]
REPLACED_MESSAGE = "A newer request for the same PDF replaced this one; see the newest document of this version."


def fail_older_duplicates(apps, schema_editor):
    ScopeDocument = apps.get_model("reports", "ScopeDocument")
    seen = set()
    for document in ScopeDocument.objects.filter(status__in=PENDING).order_by("-created_at", "-id"):
        key = (document.version_id, document.kind)
        if key in seen:
            ScopeDocument.objects.filter(pk=document.pk).update(status="failed", error_message=REPLACED_MESSAGE)
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [
        migrations.RunPython(fail_older_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="scopedocument",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", PENDING)),
                fields=("version", "kind"),
                name="one_pending_document_per_version_and_kind",
            ),
        ),
    ]
