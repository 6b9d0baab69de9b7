from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from scoping.models import ActivityEvent


@pytest.fixture
def event(project, lead):
    return ActivityEvent.objects.create(actor=lead, actor_repr="Lena Lead", verb="project_edited", project=project)


@pytest.mark.django_db
def test_the_suite_runs_on_postgresql():
    # The trigger tests below only mean something on the real database.
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_postgresql_refuses_update_of_an_activity_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ActivityEvent.objects.filter(pk=event.pk).update(verb="tampered")
    event.refresh_from_db()
    assert event.verb == "project_edited"


@pytest.mark.django_db
def test_postgresql_refuses_delete_of_an_activity_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ActivityEvent.objects.filter(pk=event.pk).delete()
    assert ActivityEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_raw_sql_cannot_change_the_trail_either(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE scoping_activityevent SET verb = 'x' WHERE id = %s", [event.pk])


APPEND_ONLY_TABLES = ("scoping_activityevent", "scoping_scopeversion", "scoping_signoff")


@pytest.mark.django_db
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_postgresql_refuses_truncate_of_an_append_only_table(event, table):
    # The row-level triggers never see TRUNCATE; a statement-level one does.
    with pytest.raises(DatabaseError, match=f"{table} .*TRUNCATE is not allowed"), transaction.atomic():
        with connection.cursor() as cursor:
            # The event was inserted in this same test transaction; run its deferred FK checks first, or
            # PostgreSQL refuses the TRUNCATE for that reason instead.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert ActivityEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_truncating_a_table_the_trail_refers_to_cannot_empty_the_trail_by_cascade(event):
    with pytest.raises(DatabaseError, match="TRUNCATE is not allowed"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE scoping_discoveryproject CASCADE")
    assert ActivityEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_the_model_refuses_to_save_an_existing_event(event):
    event.verb = "changed"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


@pytest.mark.django_db
def test_create_edit_and_archive_are_recorded_and_shown_on_the_project_page(client, lead):
    client.force_login(lead)
    from tests.factories import ClientFactory

    acme = ClientFactory(name="Acme")
    response = client.post(
        reverse("projects:create"),
        {"client": acme.pk, "name": "Claims triage", "lead_consultant": lead.pk, "currency": "eur"},
    )
    assert response.status_code == 302
    project = acme.projects.get()
    assert project.currency == "EUR"
    client.post(
        reverse("projects:edit", args=[project.pk]),
        {"client": acme.pk, "name": "Claims triage v2", "lead_consultant": lead.pk, "currency": "EUR"},
    )
    client.post(reverse("projects:archive", args=[project.pk]))
    verbs = list(project.events.order_by("created_at", "id").values_list("verb", flat=True))
    assert verbs == ["project_created", "project_edited", "project_archived"]
    edit = project.events.get(verb="project_edited")
    assert edit.changes == {"name": ["Claims triage", "Claims triage v2"]}
    assert edit.ip == "127.0.0.1"
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "archived the project" in page and "edited the project" in page


@pytest.mark.django_db
def test_login_and_failed_login_are_recorded(client, lead):
    from tests.factories import PASSWORD

    client.post(reverse("login"), {"username": "lead", "password": "wrong"})
    client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    verbs = list(ActivityEvent.objects.order_by("id").values_list("verb", "object_repr"))
    assert ("login_failed", "lead") in verbs
    assert ("login", "lead") in verbs


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["items", "keys", "values", "get"])
def test_the_activity_page_shows_a_change_whose_key_is_a_dict_method_name(client, project, lead, key):
    # The Failure modes step stores {"items": ["0 rows", "1 row"]}; the template must not read it as dict.items.
    ActivityEvent.objects.create(
        actor=lead, actor_repr="Lena Lead", verb="section_saved", project=project, changes={key: ["0 rows", "1 row"]}
    )
    client.force_login(lead)
    response = client.get(reverse("projects:activity", args=[project.pk]))
    assert response.status_code == 200
    assert f"<code>{key}</code>: 0 rows → 1 row" in response.content.decode()


@pytest.mark.django_db
def test_the_activity_page_shows_every_change_of_an_event_in_order(client, project, lead):
    ActivityEvent.objects.create(
        actor=lead,
        verb="project_edited",
        project=project,
        changes={"name": ["Old", "New"], "reason": "typo", "signatories": ["Ann", "Bo", "Cy"]},
    )
    ActivityEvent.objects.create(
        actor=lead, verb="scope_signed_off", project=project, changes={"signatories": ["Dee", "Eve"], "ok": True}
    )
    client.force_login(lead)
    page = client.get(reverse("projects:activity", args=[project.pk])).content.decode()
    assert "<code>name</code>: Old → New" in page
    assert "<code>reason</code>: typo" in page
    assert "<code>signatories</code>: Ann, Bo, Cy" in page
    assert "<code>signatories</code>: Dee, Eve" in page  # a list of names, not [before, after]
    assert "<code>ok</code>: yes" in page
    assert page.index("<code>name</code>") < page.index("<code>reason</code>") < page.index("Ann, Bo, Cy")


@pytest.mark.django_db
@pytest.mark.parametrize("page_number", ["abc", "-1", "0", "999999", "1.5", ""])
def test_the_activity_page_answers_any_page_number(client, project, lead, page_number):
    for number in range(60):
        ActivityEvent.objects.create(
            actor=lead, verb="section_saved", project=project, changes={"items": [f"{number} rows", "x"]}
        )
    client.force_login(lead)
    response = client.get(reverse("projects:activity", args=[project.pk]), {"page": page_number})
    assert response.status_code == 200
    assert "Page " in response.content.decode() and " of 2" in response.content.decode()


@pytest.mark.django_db
def test_a_saved_version_reads_in_plain_words_with_its_check_code_not_its_full_hash(client, project, lead):
    digest = "3fa1b2c4d5e6" + "0" * 52
    ActivityEvent.objects.create(
        actor=lead,
        actor_repr="Lena Lead",
        verb="version_frozen",
        project=project,
        object_repr="v2 (3fa1b2c4d5e6)",
        changes={"sha256": digest, "readiness": "7 of 8 gates clear"},
    )
    client.force_login(lead)
    page = client.get(reverse("projects:activity", args=[project.pk])).content.decode()
    assert "froze" not in page
    assert "saved a fixed copy of the scope: version 2 (check code 3fa1b2c4d5e6)" in page
    assert digest not in page
    assert "7 of 8 gates clear" in page


@pytest.mark.django_db
def test_a_submission_reads_without_stage_codes_rule_codes_or_the_full_hash(client, project, lead):
    digest = "446fc080f2c2" + "1" * 52
    ActivityEvent.objects.create(
        actor=lead,
        verb="scope_submitted",
        project=project,
        object_repr="v2 (446fc080f2c2)",
        changes={
            "stage": ["draft", "in_review"],
            "version": "v2",
            "sha256": digest,
            "accepted_risks": ["workflow.no_output_destination"],
        },
    )
    ActivityEvent.objects.create(
        actor=lead,
        verb="scope_submitted",
        project=project,
        object_repr="v1 (2a4d2ffd8399)",
        changes={"accepted_risks": []},
    )
    ActivityEvent.objects.create(
        actor=lead,
        verb="scope_reopened",
        project=project,
        object_repr="after v1",
        changes={"stage": ["in_review", "draft"]},
    )
    client.force_login(lead)
    page = client.get(reverse("projects:activity", args=[project.pk])).content.decode()
    assert "submitted the scope for review: version 2 (check code 446fc080f2c2)" in page
    assert "<code>stage</code>: Draft → In review" in page
    assert "<code>stage</code>: In review → Draft" in page
    assert "in_review" not in page and digest not in page
    assert "workflow.no_output_destination" not in page
    assert "<code>accepted risks</code>: Where the output goes is not stated" in page
    assert "<code>accepted risks</code>: none" in page
    assert "frozen" not in page
