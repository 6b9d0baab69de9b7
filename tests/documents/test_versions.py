"""Frozen scope versions: freezing, immutability (model and database), the field-level diff and its pages."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from documents.models import DocumentKind, DocumentStatus, ScopeDocument
from documents.versioning import ADDED, CHANGED, REMOVED, scope_diff, version_diff, version_freeze
from scoping.models import ActivityEvent, ScopeVersion
from scoping.scope.catalogue import SECTION_KEYS
from scoping.scope.schema import canonical_json, validate_scope
from tests.documents.job_fixtures import import_project, scope_data

# --- The diff, on plain scope dicts (no database) ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_scope() -> dict:
    return validate_scope(scope_data())


def _by_path(changes):
    return {change.path: change for change in changes}


def test_identical_scopes_have_no_differences(example_scope):
    assert scope_diff(example_scope, copy.deepcopy(example_scope)) == []


def test_a_changed_field_is_reported_with_its_label_and_both_values(example_scope):
    new = copy.deepcopy(example_scope)
    new["production_target"]["volume_per_month"] = 12000
    new["workflow"]["integration"] = "file_export"
    changes = _by_path(scope_diff(example_scope, new))
    volume = changes["production_target.volume_per_month"]
    assert (volume.label, volume.before, volume.after, volume.change) == (
        "Uses per month in production",
        "9,000",
        "12,000",
        CHANGED,
    )
    assert volume.section_label == "Production target"
    integration = changes["workflow.integration"]
    assert integration.after == "File export"  # the readable label, not the stored value
    assert len(changes) == 2


def test_a_row_added_and_a_row_removed_are_reported_as_whole_rows(example_scope):
    new = copy.deepcopy(example_scope)
    removed = new["data_path"]["sources"].pop(0)
    new["data_path"]["sources"].append({**removed, "name": "Supplier portal feed", "system": "Coupa", "owner": "AP"})
    changes = scope_diff(example_scope, new)
    kinds = {(change.change, change.label) for change in changes}
    assert (REMOVED, f"Data source removed: “{removed['name']}”") in kinds
    assert (ADDED, "Data source added: “Supplier portal feed”") in kinds
    added = next(change for change in changes if change.change == ADDED)
    assert "System: Coupa" in added.after
    assert added.before == ""


def test_an_edited_row_is_reported_field_by_field_even_when_renamed(example_scope):
    new = copy.deepcopy(example_scope)
    metric = new["production_target"]["success_metrics"][0]
    old_name = metric["metric"]
    metric["target"] = "99%"
    changes = scope_diff(example_scope, new)
    assert [(c.path, c.after) for c in changes] == [("production_target.success_metrics[0].target", "99%")]
    assert changes[0].label.startswith(f"Success metric “{old_name[:20]}")

    metric["metric"] = old_name + " (weekly)"
    renamed = scope_diff(example_scope, new)
    assert {c.change for c in renamed} == {CHANGED}  # still one row, edited, not a removal plus an addition
    assert {c.path.rsplit(".", 1)[-1] for c in renamed} == {"metric", "target"}


def test_reordered_rows_are_not_reported_as_changes(example_scope):
    new = copy.deepcopy(example_scope)
    new["failure_modes"]["items"].reverse()
    assert scope_diff(example_scope, new) == []


def test_nested_groups_choice_lists_and_booleans_read_naturally(example_scope):
    new = copy.deepcopy(example_scope)
    new["ownership"]["business_owner"]["name"] = "Dana Scully"
    new["security"]["regimes"] = ["gdpr", "soc2"]
    new["security"]["vendor_training_opt_out"] = not example_scope["security"]["vendor_training_opt_out"]
    changes = _by_path(scope_diff(example_scope, new))
    assert changes["ownership.business_owner.name"].label == "Business owner"
    assert changes["ownership.business_owner.name"].after == "Dana Scully"
    assert changes["security.regimes"].after == "GDPR, SOC 2"
    assert changes["security.vendor_training_opt_out"].after in ("Yes", "No")


def test_against_nothing_every_answer_counts_as_added(example_scope):
    changes = scope_diff(None, example_scope)
    assert changes
    assert {change.change for change in changes} == {ADDED}
    assert "project.name" in _by_path(changes)


def test_an_empty_value_becoming_blank_text_is_not_a_change(example_scope):
    old = copy.deepcopy(example_scope)
    new = copy.deepcopy(example_scope)
    old["production_target"]["latency_target"] = None
    new["production_target"]["latency_target"] = ""
    assert scope_diff(old, new) == []


# --- Freezing and immutability ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_freezing_stores_the_canonical_json_its_hash_number_author_and_readiness(lead):
    project = import_project(lead)
    version = version_freeze(project=project, actor=lead, note="After the first session")
    assert version.number == 1
    assert version.canonical_json.encode() == canonical_json(version.scope)
    # sorted keys, no insignificant whitespace
    assert version.canonical_json == json.dumps(
        version.scope, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert version.canonical_json.startswith('{"accepted_risks":[],"cost_model":{')
    assert version.sha256 == hashlib.sha256(version.canonical_json.encode()).hexdigest()
    assert version.frozen_by == lead
    assert version.frozen_by_name == lead.display_name
    assert version.note == "After the first session"
    assert version.readiness["score"] == 8
    assert version.readiness["out_of"] == 8
    assert set(version.readiness["gates"]) == set(SECTION_KEYS)
    event = ActivityEvent.objects.get(verb="version_frozen", project=project)
    assert event.actor == lead
    assert event.changes["sha256"] == version.sha256


@pytest.mark.django_db
def test_freezing_an_unchanged_scope_returns_the_latest_version_and_a_change_makes_the_next(lead):
    project = import_project(lead)
    first = version_freeze(project=project, actor=lead)
    assert version_freeze(project=project, actor=lead).pk == first.pk
    project.workflow.fallback = "Manual coding by the AP team, as today."
    project.workflow.save()
    second = version_freeze(project=project, actor=lead)
    assert second.number == 2
    assert second.sha256 != first.sha256
    assert ScopeVersion.objects.filter(project=project).count() == 2
    changes = version_diff(first, second)
    assert [(c.path, c.after) for c in changes] == [("workflow.fallback", "Manual coding by the AP team, as today.")]


@pytest.mark.django_db
def test_a_version_cannot_be_changed_through_the_model(lead):
    version = version_freeze(project=import_project(lead), actor=lead)
    version.note = "rewritten"
    with pytest.raises(ValueError, match="immutable"):
        version.save()
    with pytest.raises(ValueError, match="immutable"):
        version.delete()


@pytest.mark.django_db
def test_the_database_refuses_update_and_delete_of_a_version(lead):
    version = version_freeze(project=import_project(lead), actor=lead)
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE scoping_scopeversion SET sha256 = %s WHERE id = %s", ["0" * 64, version.pk])
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        ScopeVersion.objects.filter(pk=version.pk).update(note="bypassing save()")
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM scoping_scopeversion WHERE id = %s", [version.pk])
    stored = ScopeVersion.objects.get(pk=version.pk)
    assert (stored.sha256, stored.note) == (version.sha256, "")


# --- Pages --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_freezing_from_the_page_makes_v1_and_says_when_nothing_changed(client, lead):
    project = import_project(lead)
    client.force_login(lead)
    url = reverse("projects:version_freeze", args=[project.pk])
    assert "Freeze v1" in client.get(url).content.decode()
    response = client.post(url, {"note": "Ready for review"}, follow=True)
    version = ScopeVersion.objects.get(project=project)
    assert response.redirect_chain[-1][0] == reverse("projects:version_detail", args=[project.pk, 1])
    assert f"Froze v1 (fingerprint {version.short_hash})" in response.content.decode()
    again = client.post(url, {"note": ""}, follow=True)
    assert "Nothing has changed since v1" in again.content.decode()
    assert ScopeVersion.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_only_people_who_may_edit_the_scope_can_freeze(client, lead, reviewer, participant, project):
    client.force_login(reviewer)
    assert client.post(reverse("projects:version_freeze", args=[project.pk])).status_code == 403
    client.force_login(participant)  # a client stakeholder with can_edit
    assert client.post(reverse("projects:version_freeze", args=[project.pk])).status_code == 302
    assert ScopeVersion.objects.get(project=project).frozen_by == participant


@pytest.mark.django_db
def test_the_versions_page_lists_versions_and_says_whether_the_scope_changed(client, lead):
    project = import_project(lead)
    version_freeze(project=project, actor=lead)
    client.force_login(lead)
    page = client.get(reverse("projects:versions", args=[project.pk])).content.decode()
    assert "v1" in page
    assert "The scope is exactly v1" in page
    project.workflow.fallback = "Something new"
    project.workflow.save()
    page = client.get(reverse("projects:versions", args=[project.pk])).content.decode()
    assert "The scope has changed since v1" in page
    assert "Freeze v2" in page


@pytest.mark.django_db
def test_the_diff_page_shows_what_changed_since_the_client_last_saw_the_scope(client, lead):
    project = import_project(lead)
    seen = version_freeze(project=project, actor=lead)
    ScopeDocument.objects.create(version=seen, kind=DocumentKind.PROPOSAL, status=DocumentStatus.READY)
    project.workflow.fallback = "Step one <script>alert(1)</script>"
    project.workflow.save()
    version_freeze(project=project, actor=lead)
    project.workflow.action = "Clerk accepts the proposal"
    project.workflow.save()
    version_freeze(project=project, actor=lead)

    client.force_login(lead)
    page = client.get(reverse("projects:version_diff", args=[project.pk])).content.decode()
    assert "What changed from v1 to v3" in page
    assert "v1 is the latest version the client was given" in page
    assert "2 changes" in page
    assert "Clerk accepts the proposal" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


@pytest.mark.django_db
def test_the_diff_page_answers_bad_parameters_with_a_message_not_an_error(client, lead):
    project = import_project(lead)
    version_freeze(project=project, actor=lead)
    client.force_login(lead)
    url = reverse("projects:version_diff", args=[project.pk])
    for query in ("?from=abc&to=1", "?from=1&to=99", "?from=1&to=1", "?to=", "?from=%00"):
        response = client.get(url + query)
        assert response.status_code == 200, query
        assert "Pick a version from the list" in response.content.decode() or "two different versions" in (
            response.content.decode()
        ), query


@pytest.mark.django_db
def test_a_version_detail_shows_its_hash_readiness_and_changes(client, lead, participant):
    project = import_project(lead)
    project.participants.create(user=participant, can_edit=False)
    version_freeze(project=project, actor=lead)
    project.first_slice.duration_weeks = 16
    project.first_slice.save()
    second = version_freeze(project=project, actor=lead)
    client.force_login(participant)
    page = client.get(reverse("projects:version_detail", args=[project.pk, 2])).content.decode()
    assert second.sha256 in page
    assert "Changes since v1" in page
    assert "Duration (weeks)" in page
    assert "Pilot longer than" in page or "weeks" in page
    assert "Request PDF" not in page  # client stakeholders download, they do not request
    assert client.get(reverse("projects:version_detail", args=[project.pk, 3])).status_code == 404
