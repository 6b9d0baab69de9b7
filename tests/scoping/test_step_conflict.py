"""Two editors at once: a save made from an older revision is never applied silently, and nothing typed is lost."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from scoping.models.sections import FirstSlice, ProductionTarget, WorkflowIntegration
from scoping.step_forms import build_step_forms
from scoping.step_services import EditConflict, section_save

from .step_helpers import step_post

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


@pytest.mark.django_db
def test_a_stale_save_is_not_applied_and_shows_their_values_beside_mine(both_open, client, project, participant):
    client.force_login(participant)
    client.post(step_url(project), step_post("workflow", {**WORKFLOW, "acting_role": "AP team lead"}, revision=1))

    client.force_login(project.lead_consultant)
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
def test_keep_mine_saves_my_values_over_theirs(both_open, client, project, participant):
    client.force_login(participant)
    client.post(step_url(project), step_post("workflow", {**WORKFLOW, "acting_role": "AP team lead"}, revision=1))
    client.force_login(project.lead_consultant)
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
def test_take_theirs_reloads_the_step_with_their_saved_values(both_open, client, project, participant):
    client.force_login(participant)
    client.post(step_url(project), step_post("workflow", {**WORKFLOW, "acting_role": "AP team lead"}, revision=1))
    client.force_login(project.lead_consultant)
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


@pytest.mark.django_db
def test_the_service_raises_edit_conflict_carrying_the_other_persons_values(project, lead, participant):
    first = _forms("production_target", {"workflow_name": "Code invoices"}, 0)
    assert first.is_valid()
    section_save(
        project=project,
        section_key="production_target",
        form=first.form,
        formsets=first.formsets,
        expected_revision=0,
        actor=participant,
    )
    stale = _forms("production_target", {"workflow_name": "Match invoices to orders", "volume_per_month": 9000}, 0)
    assert stale.is_valid()
    with pytest.raises(EditConflict) as caught:
        section_save(
            project=project,
            section_key="production_target",
            form=stale.form,
            formsets=stale.formsets,
            expected_revision=0,
            actor=lead,
        )
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
            section_save(
                project=project,
                section_key="production_target",
                form=forms.form,
                formsets=forms.formsets,
                expected_revision=0,
                actor=actor,
            )
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
