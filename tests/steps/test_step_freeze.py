"""Editing a frozen scope: the step says beforehand what saving does, the save needs a confirmation, reviewers and
signatories hear of it, and client participants cannot withdraw a scope once it left draft."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from scoping.models import ActivityEvent, DiscoveryProject, Stage
from scoping.models.sections import WorkflowIntegration
from tests.factories import ParticipantFactory, UserFactory
from tests.review_support import approve, client_signatory, set_stage, sign, submit, to_awaiting_signoff
from tests.steps.step_helpers import invoice_scope, step_post

pytestmark = pytest.mark.django_db

NEW_FALLBACK = "Unsure invoices go to the AP queue uncoded."

CONSEQUENCES = {
    Stage.IN_REVIEW: "This scope is in review as v1; saving withdraws it from review and starts a new draft.",
    Stage.APPROVED: "This scope is approved as v1; saving withdraws the approval and starts a new draft, "
    "which needs review again.",
    Stage.AWAITING_SIGNOFF: "This scope is awaiting sign-off as v1; saving withdraws the sign-off request and starts "
    "a new draft, which needs review and sign-off again.",
    Stage.SIGNED_OFF: "This scope is signed off as v1; saving starts a new draft. The signatures stay on v1, and "
    "the new version needs review and sign-off again.",
}


def step_url(project, key="workflow"):
    return reverse("projects:step", args=[project.pk, key])


def stage_of(project) -> str:
    return DiscoveryProject.objects.values_list("stage", flat=True).get(pk=project.pk)


def to_stage(project, stage, lead, reviewer):
    if stage == Stage.IN_REVIEW:
        submit(project, lead)
    elif stage == Stage.APPROVED:
        submit(project, lead)
        approve(project, reviewer)
    else:
        version = to_awaiting_signoff(project, lead, reviewer)
        if stage == Stage.SIGNED_OFF:
            sign(project, lead, version)
            sign(project, client_signatory(project), version)
    assert stage_of(project) == stage


def edit(revision: int, *, confirm: bool) -> dict:
    data = step_post("workflow", {**invoice_scope()["workflow"], "fallback": NEW_FALLBACK}, revision=revision)
    if confirm:
        data["confirm_reopen"] = "yes"
    return data


def workflow_revision(project) -> int:
    return WorkflowIntegration.objects.get(project=project).revision


@pytest.mark.parametrize("stage", list(CONSEQUENCES))
def test_the_step_says_before_editing_what_saving_a_frozen_scope_does(client, sound_project, lead, reviewer, stage):
    to_stage(sound_project, stage, lead, reviewer)
    client.force_login(lead)

    page = client.get(step_url(sound_project)).content.decode()

    banner = re.search(r'<div class="alert alert-warning[^"]*" role="note" id="frozen-notice">(.*?)</div>', page, re.S)
    assert banner and CONSEQUENCES[stage] in " ".join(banner.group(1).split())
    assert 'name="confirm_reopen"' in page


def test_a_draft_step_asks_for_no_confirmation(client, sound_project, lead):
    client.force_login(lead)
    page = client.get(step_url(sound_project)).content.decode()
    assert 'id="frozen-notice"' not in page and 'name="confirm_reopen"' not in page


def test_saving_a_frozen_scope_without_confirming_is_refused_and_keeps_what_was_typed(
    client, sound_project, lead, reviewer
):
    to_stage(sound_project, Stage.IN_REVIEW, lead, reviewer)
    client.force_login(lead)
    mail.outbox.clear()

    response = client.post(step_url(sound_project), edit(workflow_revision(sound_project), confirm=False))
    page = response.content.decode()

    assert response.status_code == 400
    assert "Nothing was saved yet" in page
    assert "Tick the box to confirm that saving withdraws v1 from review" in page
    assert f"{NEW_FALLBACK}</textarea>" in page
    assert stage_of(sound_project) == Stage.IN_REVIEW
    assert WorkflowIntegration.objects.get(project=sound_project).fallback != NEW_FALLBACK
    assert mail.outbox == []


def test_a_confirmed_save_starts_a_new_draft_and_tells_the_reviewers(
    client, sound_project, lead, reviewer, django_capture_on_commit_callbacks
):
    to_stage(sound_project, Stage.IN_REVIEW, lead, reviewer)
    client.force_login(lead)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(sound_project), edit(workflow_revision(sound_project), confirm=True))

    assert response.status_code == 302
    assert stage_of(sound_project) == Stage.DRAFT
    assert WorkflowIntegration.objects.get(project=sound_project).fallback == NEW_FALLBACK
    to_reviewer = [message for message in mail.outbox if message.to == [reviewer.email]]
    assert len(to_reviewer) == 1
    assert to_reviewer[0].subject == f"Withdrawn from review: {sound_project.name} v1"
    assert "Lena Lead edited the scope" in to_reviewer[0].body and "Workflow" in to_reviewer[0].body


@pytest.mark.parametrize("stage", [Stage.AWAITING_SIGNOFF, Stage.SIGNED_OFF])
def test_signatories_hear_when_an_edit_withdraws_what_they_sign(
    client, sound_project, lead, reviewer, stage, django_capture_on_commit_callbacks
):
    to_stage(sound_project, stage, lead, reviewer)
    client.force_login(lead)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(sound_project), edit(workflow_revision(sound_project), confirm=True))

    assert response.status_code == 302
    signatory = client_signatory(sound_project)
    told = {address for message in mail.outbox for address in message.to}
    assert {signatory.email, reviewer.email} <= told
    assert lead.email not in told
    body = next(message.body for message in mail.outbox if message.to == [signatory.email])
    assert "new draft" in body


def test_a_save_that_changes_nothing_needs_no_confirmation(client, sound_project, lead, reviewer):
    to_stage(sound_project, Stage.APPROVED, lead, reviewer)
    client.force_login(lead)
    unchanged = step_post("workflow", invoice_scope()["workflow"], revision=workflow_revision(sound_project))
    assert client.post(step_url(sound_project), unchanged).status_code == 302
    assert stage_of(sound_project) == Stage.APPROVED


def test_changes_requested_needs_no_confirmation(client, sound_project, lead, reviewer):
    set_stage(sound_project, Stage.CHANGES_REQUESTED)
    client.force_login(lead)
    response = client.post(step_url(sound_project), edit(workflow_revision(sound_project), confirm=False))
    assert response.status_code == 302
    assert stage_of(sound_project) == Stage.DRAFT


# --- client participants ------------------------------------------------------------------------------------------


@pytest.fixture
def client_editor(sound_project):
    user = UserFactory(username="cleo", role="client", client=sound_project.client, first_name="Cleo")
    ParticipantFactory(project=sound_project, user=user, can_edit=True, is_signatory=False)
    return user


@pytest.mark.parametrize("stage", [Stage.DRAFT, Stage.CHANGES_REQUESTED])
def test_a_client_editor_may_edit_a_draft(client, sound_project, client_editor, stage):
    set_stage(sound_project, stage)
    client.force_login(client_editor)
    response = client.post(step_url(sound_project), edit(workflow_revision(sound_project), confirm=False))
    assert response.status_code == 302
    assert WorkflowIntegration.objects.get(project=sound_project).fallback == NEW_FALLBACK


@pytest.mark.parametrize("stage", list(CONSEQUENCES))
def test_a_client_editor_cannot_withdraw_a_frozen_scope(client, sound_project, lead, reviewer, client_editor, stage):
    to_stage(sound_project, stage, lead, reviewer)
    client.force_login(client_editor)

    page = client.get(step_url(sound_project)).content.decode()
    refused = client.post(step_url(sound_project), edit(workflow_revision(sound_project), confirm=True))

    assert 'id="step-form"' not in page
    assert "only the consultancy team can change it now" in page
    assert "Park a question" in page
    assert refused.status_code == 403
    assert "only the consultancy team can change it now" in refused.content.decode()
    assert stage_of(sound_project) == stage
    assert WorkflowIntegration.objects.get(project=sound_project).fallback != NEW_FALLBACK
    assert not ActivityEvent.objects.filter(project=sound_project, verb="scope_reopened").exists()
