"""Who answered what (``field_sources``): recorded on every save, shown beside each field, exported and imported."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.versioning import version_diff, version_freeze
from scoping.models import ActivityEvent, ScopeVersion
from scoping.models.sections import SECTION_MODELS
from scoping.models.sessions import DiscoverySession, FieldSource
from scoping.projects.scope_io import export_scope, import_scope
from scoping.scope.answered import answered_lines, field_labels, source_text
from scoping.scope.schema import ScopeValidationError, validate_scope
from scoping.steps.forms import build_step_forms
from scoping.steps.services import section_save
from scoping.steps.sources import field_sources_record, role_label
from scoping.steps.status import step_url
from tests.factories import ParticipantFactory, UserFactory
from tests.steps.step_helpers import invoice_scope, step_post

pytestmark = pytest.mark.django_db


def _live_session(project, number=2):
    return DiscoverySession.objects.create(project=project, number=number, started_at=timezone.now())


def _save(project, actor, section_key, changes):
    """Save ``changes`` (form field → posted value) on a step through the real form and service."""
    section = SECTION_MODELS[section_key].objects.get(project=project)
    data = step_post(section_key, {}, revision=section.revision)
    data.update(changes)
    forms = build_step_forms(section_key, section=SECTION_MODELS[section_key](project=project), rows={}, data=data)
    assert forms.is_valid(), forms.form.errors
    return section_save(
        project=project,
        section_key=section_key,
        form=forms.form,
        formsets=forms.formsets,
        expected_revision=section.revision,
        actor=actor,
    )


# --- recording ------------------------------------------------------------------------------------------------------


def test_a_save_records_who_answered_each_changed_field_in_the_live_session(project):
    priya = UserFactory(username="priya", first_name="Priya", last_name="Shah", role="client", client=project.client)
    ParticipantFactory(project=project, user=priya, can_edit=True)
    _live_session(project, number=2)

    result = _save(project, priya, "ownership", {"budget_owner": "Finance director", "support_model": "shared"})

    assert result.sources == {
        "budget_owner": "Priya Shah, client, session 2",
        "support_model": "Priya Shah, client, session 2",
    }
    records = {record.field: record for record in FieldSource.objects.filter(project=project, section="ownership")}
    assert set(records) == {"budget_owner", "support_model"}
    assert (records["budget_owner"].by, records["budget_owner"].role, records["budget_owner"].session.number) == (
        priya,
        "client",
        2,
    )
    audit = ActivityEvent.objects.get(project=project, verb="section_saved")
    assert audit.changes["answered_as"] == "client, session 2"
    assert ("answered as", "client, session 2") in audit.change_rows


def test_a_later_save_by_someone_else_replaces_the_record_of_that_field_only(project, lead):
    priya = UserFactory(username="priya2", first_name="Priya", last_name="Shah", role="client", client=project.client)
    ParticipantFactory(project=project, user=priya, can_edit=True)
    _save(project, priya, "ownership", {"budget_owner": "Finance director", "support_model": "shared"})

    result = _save(project, lead, "ownership", {"budget_owner": "CFO", "support_model": "shared"})

    assert result.sources == {"budget_owner": f"{lead.display_name}, consultant"}
    texts = {record.field: (record.by_name, record.role, record.session) for record in FieldSource.objects.all()}
    assert texts == {
        "budget_owner": (lead.display_name, "consultant", None),
        "support_model": ("Priya Shah", "client", None),
    }
    assert ActivityEvent.objects.filter(verb="section_saved").first().changes["answered_as"] == "consultant"


def test_a_list_of_rows_counts_as_one_field(project, lead):
    result = _save(
        project,
        lead,
        "ownership",
        {
            "responsibilities-TOTAL_FORMS": "1",
            "responsibilities-0-responsibility": "Model updates",
            "responsibilities-0-owner": "Ops",
        },
    )
    assert result.sources == {"responsibilities": f"{lead.display_name}, consultant"}
    assert FieldSource.objects.get(project=project).field == "responsibilities"


@pytest.mark.parametrize(
    "role,superuser,label",
    [
        ("consultant", False, "consultant"),
        ("reviewer", False, "reviewer"),
        ("admin", False, "admin"),
        ("consultant", True, "admin"),
        ("client", False, "client"),
    ],
)
def test_role_labels(role, superuser, label):
    assert role_label(UserFactory.build(role=role, is_superuser=superuser)) == label


@pytest.mark.parametrize("count", [1, 9])
def test_recording_is_two_queries_whatever_the_number_of_fields(project, lead, count, django_assert_num_queries):
    _live_session(project)
    fields = [f"field_{number}" for number in range(count)]
    with django_assert_num_queries(2):  # the live session, one upsert
        recorded = field_sources_record(project=project, section_key="ownership", fields=fields, actor=lead)
    assert len(recorded.texts) == count
    with django_assert_num_queries(2):  # again: the upsert updates, never duplicates
        field_sources_record(project=project, section_key="ownership", fields=fields, actor=lead)
    assert FieldSource.objects.filter(project=project).count() == count


def test_nothing_changed_records_nothing(project, lead):
    section = SECTION_MODELS["ownership"].objects.get(project=project)
    data = step_post("ownership", {}, revision=section.revision)
    forms = build_step_forms("ownership", section=section, rows={}, data=data)
    assert forms.is_valid()
    result = section_save(
        project=project,
        section_key="ownership",
        form=forms.form,
        formsets=forms.formsets,
        expected_revision=section.revision,
        actor=lead,
    )
    assert not result.saved and result.sources == {}
    assert not FieldSource.objects.exists()


# --- the scope JSON ---------------------------------------------------------------------------------------------------


def test_export_writes_field_sources_and_import_restores_them(project, lead):
    session = _live_session(project, number=3)
    _save(project, lead, "ownership", {"budget_owner": "CFO"})
    session.ended_at = timezone.now()
    session.save()
    _save(project, lead, "security", {"model_provider": "Azure OpenAI"})

    exported = export_scope(project)
    sources = exported["field_sources"]
    assert set(sources) == {"ownership.budget_owner", "security.model_provider"}
    assert sources["ownership.budget_owner"]["by"] == lead.display_name
    assert sources["ownership.budget_owner"]["role"] == "consultant"
    assert sources["ownership.budget_owner"]["session"] == 3
    assert sources["security.model_provider"]["session"] is None
    assert validate_scope(json.loads(json.dumps(exported))) == exported  # already normalized

    importer = UserFactory(username="importer")
    copy = import_scope(data=json.loads(json.dumps(exported)), client_name="Another client", user=importer)
    restored = {f"{record.section}.{record.field}": record for record in FieldSource.objects.filter(project=copy)}
    assert set(restored) == set(sources)
    budget = restored["ownership.budget_owner"]
    assert (budget.by_name, budget.role, budget.by, budget.session) == (lead.display_name, "consultant", None, None)
    assert budget.at.isoformat() == sources["ownership.budget_owner"]["at"]
    again = export_scope(copy)["field_sources"]
    # The new project has no sessions, so the session number cannot be linked; everything else comes back.
    assert again == {path: {**source, "session": None} for path, source in sources.items()}


def test_a_file_naming_an_unknown_field_or_a_bad_session_is_refused():
    scope = invoice_scope()
    scope["field_sources"] = {
        "ownership.no_such_field": {"by": "X", "role": "client", "at": "", "session": None},
        "security.model_provider": {"by": "X", "role": "client", "at": "yesterday", "session": None},
        "ownership.budget_owner": {"by": "X", "role": "client", "at": "", "session": "two"},
    }
    with pytest.raises(ScopeValidationError) as caught:
        validate_scope(scope)
    paths = [path for path, _message in caught.value.errors]
    assert paths == [
        "field_sources.ownership.budget_owner.session",
        "field_sources.ownership.no_such_field",
        "field_sources.security.model_provider.at",
    ]


def test_source_words():
    assert source_text({"by": "Priya Shah", "role": "client", "session": 2}) == "Priya Shah, client, session 2"
    assert source_text({"by": "Ann", "role": "consultant", "session": None}) == "Ann, consultant"
    sources = {"ownership.budget_owner": {"by": "Ann", "role": "admin", "session": 1}, "security.regimes": {}}
    assert answered_lines(sources, "ownership") == [("Budget owner", "Ann, admin, session 1")]


# --- the step page ----------------------------------------------------------------------------------------------------


def test_the_step_shows_who_answered_each_field_escaped(client, project, lead):
    hostile = UserFactory(
        username="mallory",
        first_name="<script>alert(1)</script>",
        last_name="<b>M</b>",
        role="client",
        client=project.client,
    )
    ParticipantFactory(project=project, user=hostile, can_edit=True)
    _live_session(project, number=4)
    _save(project, hostile, "ownership", {"budget_owner": "CFO"})

    client.force_login(lead)
    page = client.get(step_url(project, "ownership")).content.decode()

    assert "<script>alert(1)</script>" not in page and "<b>M</b>" not in page
    expected = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;M&lt;/b&gt;, client, session 4"
    assert (
        f'<small class="field-source" data-source-for="budget_owner" id="field-source-budget_owner">{expected}</small>'
        in page
    )
    # Unknown: an empty element, there for a live update to fill.
    assert (
        '<small class="field-source" data-source-for="support_model" id="field-source-support_model"></small>' in page
    )
    assert 'data-source-for="responsibilities"' in page  # the list's heading too
    # The input is described by its source line.
    assert 'aria-describedby="id_budget_owner_helptext field-source-budget_owner"' in page


def test_a_reader_sees_who_answered_but_no_dont_know_yet(client, project, lead, reviewer):
    _save(project, lead, "ownership", {"budget_owner": "CFO"})
    client.force_login(reviewer)
    page = client.get(step_url(project, "ownership")).content.decode()
    assert f'answered by <span data-source-for="budget_owner">{lead.display_name}, consultant</span>' in page
    assert "Don't know yet" not in page and "Don&#x27;t know yet" not in page


def test_the_whole_scope_page_says_who_answered(client, project, lead):
    _save(project, lead, "ownership", {"budget_owner": "CFO"})
    client.force_login(lead)
    page = client.get(reverse("projects:scope_review", args=[project.pk])).content.decode()
    assert f'answered by <span data-source-for="budget_owner">{lead.display_name}, consultant</span>' in page


# --- frozen versions --------------------------------------------------------------------------------------------------


def test_new_versions_freeze_who_answered_and_older_versions_keep_their_bytes(project, lead):
    first = version_freeze(project=project, actor=lead)
    first_json, first_hash = first.canonical_json, first.sha256
    assert first.scope["field_sources"] == {}

    _save(project, lead, "ownership", {"budget_owner": "CFO"})
    second = version_freeze(project=project, actor=lead)

    assert second.number == 2
    assert second.scope["field_sources"]["ownership.budget_owner"]["by"] == lead.display_name
    assert '"field_sources":{"ownership.budget_owner":{"at":"' in second.canonical_json
    assert second.sha256 == hashlib.sha256(second.canonical_json.encode()).hexdigest()
    stored = ScopeVersion.objects.get(pk=first.pk)
    assert (stored.canonical_json, stored.sha256) == (first_json, first_hash)
    # The diff between versions reads the fields; who answered is not a change of the scope's content.
    assert [change.path for change in version_diff(first, second)] == ["ownership.budget_owner"]
    assert version_freeze(project=project, actor=lead).pk == second.pk  # unchanged since: the same version


@pytest.mark.parametrize("section_key", list(SECTION_MODELS))
def test_every_field_of_every_step_shows_its_source_line(client, project, lead, section_key):
    """Each field's block (who answered, "Don't know yet") is on every step, whatever its layout."""
    client.force_login(lead)
    page = client.get(step_url(project, section_key)).content.decode()
    missing = [name for name in field_labels(section_key) if f'data-source-for="{name}"' not in page]
    assert not missing, f"{section_key}: no source line for {missing}"
