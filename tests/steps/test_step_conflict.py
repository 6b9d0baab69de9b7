"""Two editors at once: a save made from an older revision is never applied silently, and nothing typed is lost."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from scoping.models.sections import SECTION_MODELS, FirstSlice, ProductionTarget, WorkflowIntegration
from scoping.steps.forms import SECTION_FORM_FIELDS, build_step_forms
from scoping.steps.services import EditConflict, fingerprint, section_fingerprints, section_save, section_with_rows
from tests.steps.step_helpers import invoice_scope, step_post

WORKFLOW = {"output_destination": "Coding fields in the ERP", "acting_role": "AP clerk", "action": "Accepts it"}


def step_url(project, key="workflow"):
    return reverse("projects:step", args=[project.pk, key])


def hidden_revision(page: str) -> int:
    return int(re.search(r'name="revision" value="(-?\d+)"', page).group(1))


@pytest.fixture
def both_open(client, project, lead, participant):
    """The consultant and the client editor both open the workflow step at revision 1."""
    client.force_login(lead)
    client.post(step_url(project), step_post("workflow", WORKFLOW, revision=0))
    assert WorkflowIntegration.objects.get(project=project).revision == 1
    return client


@pytest.fixture
def they_saved(both_open, client, project, participant):
    """The client editor saves the step first (acting role "AP team lead"); the consultant still has revision 1."""
    client.force_login(participant)
    client.post(step_url(project), step_post("workflow", {**WORKFLOW, "acting_role": "AP team lead"}, revision=1))
    client.force_login(project.lead_consultant)
    return client


@pytest.mark.django_db
def test_a_stale_save_is_not_applied_and_shows_their_values_beside_mine(they_saved, client, project, participant):
    mine = {**WORKFLOW, "action": "Accepts or edits the coding, then releases the invoice"}
    response = client.post(step_url(project), step_post("workflow", mine, revision=1, action="continue"))
    page = response.content.decode()

    assert response.status_code == 409
    saved = WorkflowIntegration.objects.get(project=project)
    assert (saved.revision, saved.acting_role, saved.action) == (2, "AP team lead", "Accepts it")
    assert f"{participant.display_name} saved this step while you were editing it" in page
    rows = dict(re.findall(r'<tr data-field="(\w+)">(.*?)</tr>', page, re.S))
    assert set(rows) == {"acting_role", "action"}
    assert re.search(r"AP team lead</td>\s*<td[^>]*>AP clerk</td>", rows["acting_role"])
    assert re.search(r"Accepts it</td>\s*<td[^>]*>Accepts or edits the coding", rows["action"])
    # Nothing typed is lost: my values are in the form, which now carries their revision.
    assert "Accepts or edits the coding, then releases the invoice</textarea>" in page
    assert 'name="acting_role" value="AP clerk"' in page
    assert hidden_revision(page) == 2
    assert "Keep mine" in page and "Take theirs" in page


@pytest.mark.django_db
def test_keep_mine_saves_my_values_over_theirs(they_saved, client, project):
    mine = {**WORKFLOW, "acting_role": "Senior AP clerk"}
    conflict = client.post(step_url(project), step_post("workflow", mine, revision=1))
    assert conflict.status_code == 409

    keep_mine = client.post(
        step_url(project), step_post("workflow", mine, revision=hidden_revision(conflict.content.decode()))
    )

    assert keep_mine.status_code == 302
    saved = WorkflowIntegration.objects.get(project=project)
    assert (saved.revision, saved.acting_role, saved.updated_by) == (3, "Senior AP clerk", project.lead_consultant)


@pytest.mark.django_db
def test_take_theirs_reloads_the_step_with_their_saved_values(they_saved, client, project):
    conflict = client.post(step_url(project), step_post("workflow", {**WORKFLOW, "acting_role": "Mine"}, revision=1))
    take_theirs = re.search(
        r'<a class="btn btn-outline-secondary" href="([^"]+)">Take theirs</a>', conflict.content.decode()
    )

    page = client.get(take_theirs.group(1)).content.decode()

    assert 'name="acting_role" value="AP team lead"' in page
    assert hidden_revision(page) == 2
    assert WorkflowIntegration.objects.get(project=project).acting_role == "AP team lead"


@pytest.mark.django_db
def test_a_stale_save_that_matches_what_is_saved_is_not_a_conflict(both_open, client, project, participant):
    client.force_login(participant)
    client.post(step_url(project), step_post("workflow", {**WORKFLOW, "fallback": "Manual coding"}, revision=1))
    client.force_login(project.lead_consultant)
    response = client.post(
        step_url(project), step_post("workflow", {**WORKFLOW, "fallback": "Manual coding"}, revision=1)
    )
    assert response.status_code == 302
    assert WorkflowIntegration.objects.get(project=project).revision == 2


@pytest.mark.django_db
def test_rows_someone_else_added_show_in_the_conflict(client, project, lead, participant):
    client.force_login(participant)
    criteria = [{"criterion": "Lines accepted without edit", "threshold": "95%"}]
    client.post(
        step_url(project, "first_slice"), step_post("first_slice", {"acceptance_criteria": criteria}, revision=0)
    )
    client.force_login(lead)
    response = client.post(
        step_url(project, "first_slice"), step_post("first_slice", {"description": "Top 40 suppliers"}, revision=0)
    )
    page = response.content.decode()
    assert response.status_code == 409
    rows = dict(re.findall(r'<tr data-field="(\w+)">(.*?)</tr>', page, re.S))
    assert "1. Lines accepted without edit · 95%" in rows["acceptance_criteria"]
    assert "Top 40 suppliers" in rows["description"]
    assert FirstSlice.objects.get(project=project).description == ""


def _forms(section_key, values, revision):
    return build_step_forms(
        section_key, section=ProductionTarget(), rows={}, data=step_post(section_key, values, revision=revision)
    )


def _save_from_revision_0(project, forms, actor):
    """Save the production target as someone who opened it before anyone had saved it."""
    section_save(
        project=project,
        section_key="production_target",
        form=forms.form,
        formsets=forms.formsets,
        expected_revision=0,
        actor=actor,
    )


@pytest.mark.django_db
def test_the_service_raises_edit_conflict_carrying_the_other_persons_values(project, lead, participant):
    first = _forms("production_target", {"workflow_name": "Code invoices"}, 0)
    assert first.is_valid()
    _save_from_revision_0(project, first, participant)
    stale = _forms("production_target", {"workflow_name": "Match invoices to orders", "volume_per_month": 9000}, 0)
    assert stale.is_valid()
    with pytest.raises(EditConflict) as caught:
        _save_from_revision_0(project, stale, lead)
    conflict = caught.value
    assert conflict.current_revision == 1
    assert conflict.updated_by_name == participant.display_name
    assert [(d.name, d.theirs, d.yours) for d in conflict.differences] == [
        ("workflow_name", "Code invoices", "Match invoices to orders"),
        ("volume_per_month", "", "9,000"),
    ]
    assert ProductionTarget.objects.get(project=project).workflow_name == "Code invoices"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_from_the_same_revision_cannot_both_win(project, lead, participant):
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(actor, name):
        try:
            forms = _forms("production_target", {"workflow_name": name}, 0)
            assert forms.is_valid()
            start.wait(timeout=10)
            _save_from_revision_0(project, forms, actor)
            outcomes[name] = "saved"
        except EditConflict:
            outcomes[name] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(lead, "Consultant's workflow")),
        threading.Thread(target=save, args=(participant, "Client's workflow")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    saved = ProductionTarget.objects.get(project=project)
    assert (saved.revision, saved.workflow_name) == (1, winner)


# --- merging: the form carries what it was opened with, so only fields both people changed conflict ------------------


def opened_values(page: str) -> dict[str, str]:
    """The hidden fingerprints of the values the form was opened with, as the browser posts them back."""
    return dict(re.findall(r'<input type="hidden" name="(opened__\w+)" value="([^"]*)"', page))


@pytest.fixture
def opened_by_the_lead(both_open, client, project):
    """The lead's tab, opened at revision 1 before the client editor saves: its fingerprints."""
    page = client.get(step_url(project)).content.decode()
    opened = opened_values(page)
    assert "opened__change_management" in opened and "opened__fallback" in opened
    return opened


@pytest.mark.django_db
def test_a_stale_save_of_other_fields_merges_instead_of_conflicting(opened_by_the_lead, client, project, participant):
    client.force_login(participant)
    client.post(
        step_url(project), step_post("workflow", {**WORKFLOW, "change_management": "One-hour walkthrough"}, revision=1)
    )

    client.force_login(project.lead_consultant)
    mine = {**WORKFLOW, "fallback": "Invoices stay uncoded, as today"}
    response = client.post(step_url(project), {**step_post("workflow", mine, revision=1), **opened_by_the_lead})

    assert response.status_code == 302
    saved = WorkflowIntegration.objects.get(project=project)
    assert (saved.revision, saved.change_management, saved.fallback) == (
        3,
        "One-hour walkthrough",
        "Invoices stay uncoded, as today",
    )


@pytest.mark.django_db
def test_only_fields_both_changed_conflict_and_keep_mine_leaves_their_other_fields(
    opened_by_the_lead, client, project, participant
):
    client.force_login(participant)
    theirs = {**WORKFLOW, "change_management": "One-hour walkthrough", "fallback": "Manual coding"}
    client.post(step_url(project), step_post("workflow", theirs, revision=1))

    client.force_login(project.lead_consultant)
    mine = {**WORKFLOW, "fallback": "Invoices stay uncoded, as today"}
    conflict = client.post(step_url(project), {**step_post("workflow", mine, revision=1), **opened_by_the_lead})
    page = conflict.content.decode()

    assert conflict.status_code == 409
    rows = dict(re.findall(r'<tr data-field="(\w+)">(.*?)</tr>', page, re.S))
    assert set(rows) == {"fallback"}
    # The form now shows their change management (which I never touched) and my fallback.
    assert "One-hour walkthrough</textarea>" in page
    assert "Invoices stay uncoded, as today</textarea>" in page
    assert WorkflowIntegration.objects.get(project=project).fallback == "Manual coding"

    # "Keep mine" posts the form as shown, with the fingerprints of their saved values.
    keep_mine = {
        **step_post("workflow", {**mine, "change_management": "One-hour walkthrough"}, revision=hidden_revision(page)),
        **opened_values(page),
    }
    assert client.post(step_url(project), keep_mine).status_code == 302
    saved = WorkflowIntegration.objects.get(project=project)
    assert (saved.revision, saved.change_management, saved.fallback) == (
        3,
        "One-hour walkthrough",
        "Invoices stay uncoded, as today",
    )


@pytest.mark.django_db
def test_rows_merge_as_one_list_when_only_one_person_changed_them(client, project, lead, participant):
    client.force_login(lead)
    url = step_url(project, "first_slice")
    opened = opened_values(client.get(url).content.decode())
    client.force_login(participant)
    criteria = [{"criterion": "Lines accepted without edit", "threshold": "95%"}]
    client.post(url, step_post("first_slice", {"acceptance_criteria": criteria}, revision=0))

    client.force_login(lead)
    response = client.post(url, {**step_post("first_slice", {"description": "Top 40 suppliers"}, revision=0), **opened})

    assert response.status_code == 302
    saved = FirstSlice.objects.get(project=project)
    assert saved.description == "Top 40 suppliers"
    assert [row.criterion for row in saved.acceptance_criteria.all()] == ["Lines accepted without edit"]


@pytest.mark.django_db
def test_rows_both_people_changed_are_one_conflict(client, project, lead, participant):
    client.force_login(lead)
    url = step_url(project, "first_slice")
    opened = opened_values(client.get(url).content.decode())
    client.force_login(participant)
    client.post(url, step_post("first_slice", {"acceptance_criteria": [{"criterion": "Theirs"}]}, revision=0))

    client.force_login(lead)
    mine = {"description": "Top 40 suppliers", "acceptance_criteria": [{"criterion": "Mine"}]}
    response = client.post(url, {**step_post("first_slice", mine, revision=0), **opened})

    assert response.status_code == 409
    rows = dict(re.findall(r'<tr data-field="(\w+)">(.*?)</tr>', response.content.decode(), re.S))
    assert set(rows) == {"acceptance_criteria"}


@pytest.mark.django_db
@pytest.mark.parametrize("section_key", list(SECTION_MODELS))
def test_fingerprints_of_saved_values_match_the_same_values_posted_back(client, project, lead, section_key):
    """Otherwise an untouched field would look changed, and merging would fall back to a conflict."""
    client.force_login(lead)
    data = step_post(section_key, invoice_scope()[section_key], revision=0)
    assert client.post(step_url(project, section_key), data).status_code == 302
    opened = opened_values(client.get(step_url(project, section_key)).content.decode())

    section, rows = section_with_rows(project=project, section_key=section_key)
    forms = build_step_forms(section_key, section=SECTION_MODELS[section_key](project=project), rows={}, data=data)
    assert forms.is_valid()
    posted = {name: fingerprint(forms.form.cleaned_data.get(name)) for name in SECTION_FORM_FIELDS[section_key]}
    posted |= {rows_key: fingerprint(forms.formsets[rows_key].rows()) for rows_key in forms.formsets}
    assert {f"opened__{name}": value for name, value in posted.items()} == opened
    assert section_fingerprints(section_key=section_key, section=section, rows=rows) == posted
