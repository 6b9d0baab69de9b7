"""The stage machine, submission for review, accepted risks, reviews and the review pages."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from scoping import notifications
from scoping.models import ActivityEvent, DiscoveryProject, Review, ScopeVersion, Stage
from scoping.models.sections import AcceptedRisk, WorkflowIntegration
from scoping.projects.services import project_archive
from scoping.review import decisions, signatures, stages, submission
from scoping.review.hooks import after_scope_edit
from scoping.review.stages import ALLOWED, STAGE_PHRASES, WorkflowError
from tests.factories import UserFactory
from tests.review_support import (
    approve,
    client_signatory,
    example_scope,
    import_project,
    set_stage,
    sign,
    submit,
    to_awaiting_signoff,
)

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script> {{ 7*7 }} مرحبا 🚀"
STAGES = [stage for stage in Stage.values]
EXPECTED_MOVES = {
    ("draft", "in_review"),
    ("in_review", "approved"),
    ("in_review", "changes_requested"),
    ("changes_requested", "draft"),
    ("approved", "awaiting_signoff"),
    ("awaiting_signoff", "signed_off"),
    ("awaiting_signoff", "draft"),
    ("awaiting_signoff", "approved"),  # the sign-off request expired
    ("in_review", "draft"),
    ("approved", "draft"),
    ("signed_off", "draft"),
    *((stage, "archived") for stage in Stage.values if stage != "archived"),
}


def stage_of(project) -> str:
    return DiscoveryProject.objects.values_list("stage", flat=True).get(pk=project.pk)


def edit_fallback(project, text: str) -> None:
    """A scope edit as the steps make it: change a section, then tell the workflow."""
    section = WorkflowIntegration.objects.get(project=project)
    section.fallback = text
    section.save()
    after_scope_edit(project=project, actor=project.lead_consultant)


def one_blocker_scope() -> dict:
    scope = example_scope()
    scope["workflow"]["output_destination"] = ""
    return scope


# --- The table -------------------------------------------------------------------------------------------------------


def test_the_allowed_table_is_exactly_the_design_stage_graph():
    assert set(ALLOWED) == EXPECTED_MOVES


@pytest.mark.parametrize(
    "current,target",
    [(current, target) for current in STAGES for target in STAGES if (current, target) not in EXPECTED_MOVES],
)
def test_it_refuses_every_other_move_with_a_message_for_a_person(current, target):
    with pytest.raises(WorkflowError) as refused:
        stages.stage_check(current, target)
    message = refused.value.message
    assert message.startswith(f"This scope is {'already ' if current == target else ''}{STAGE_PHRASES[current]}")
    assert "_" not in message  # stage labels, never raw values
    assert message.endswith(".")


@pytest.mark.parametrize("current,target", sorted(EXPECTED_MOVES))
def test_it_allows_every_move_in_the_table(current, target):
    assert stages.stage_check(current, target) is None


# --- Each allowed transition, through the service that makes it -------------------------------------------------------


def test_submitting_freezes_a_version_and_puts_the_scope_in_review(sound_project, lead, reviewer):
    version = submit(sound_project, lead)

    assert stage_of(sound_project) == Stage.IN_REVIEW
    assert version.number == 1 and len(version.sha256) == 64
    event = ActivityEvent.objects.get(project=sound_project, verb="scope_submitted")
    assert event.actor == lead and event.changes["stage"] == ["draft", "in_review"]
    assert event.object_id == str(version.pk)


def test_approving_moves_the_scope_to_approved(sound_project, lead, reviewer):
    submit(sound_project, lead)
    version = approve(sound_project, reviewer)

    assert stage_of(sound_project) == Stage.APPROVED
    review = Review.objects.get(version=version)
    assert (review.reviewer, review.decision) == (reviewer, "approve")


def test_requesting_changes_returns_the_scope_to_draft_through_changes_requested(sound_project, lead, reviewer):
    version = submit(sound_project, lead)
    review = decisions.review_record(
        project=sound_project,
        version=version,
        actor=reviewer,
        decision="request_changes",
        summary="Nearly there.",
        comments={"cost_model": "Prices are from last quarter; refresh them.", "workflow": "  ", "data_path": ""},
    )

    assert stage_of(sound_project) == Stage.DRAFT
    assert [(c.section, c.comment) for c in review.comments.all()] == [
        ("cost_model", "Prices are from last quarter; refresh them.")
    ]
    event = ActivityEvent.objects.get(verb="review_changes_requested")
    assert event.changes["stage"] == ["in_review", "draft"]


def test_requesting_sign_off_moves_an_approved_scope_to_awaiting_signoff(sound_project, lead, reviewer):
    to_awaiting_signoff(sound_project, lead, reviewer)

    assert stage_of(sound_project) == Stage.AWAITING_SIGNOFF
    assert ActivityEvent.objects.filter(verb="signoff_requested", actor=lead).count() == 1


def test_the_last_signature_moves_the_scope_to_signed_off(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    sign(sound_project, client_signatory(sound_project), version)
    assert stage_of(sound_project) == Stage.AWAITING_SIGNOFF
    sign(sound_project, lead, version)

    assert stage_of(sound_project) == Stage.SIGNED_OFF


def test_declining_returns_a_scope_awaiting_signoff_to_draft(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    signatures.signoff_decline(
        project=sound_project, version=version, actor=lead, reason="The pilot budget is not agreed yet."
    )

    assert stage_of(sound_project) == Stage.DRAFT


@pytest.mark.parametrize(
    "stage", [Stage.IN_REVIEW, Stage.CHANGES_REQUESTED, Stage.APPROVED, Stage.AWAITING_SIGNOFF, Stage.SIGNED_OFF]
)
def test_editing_a_frozen_scope_starts_a_new_draft_with_an_event_and_a_message(sound_project, lead, stage):
    set_stage(sound_project, stage)

    message = after_scope_edit(project=sound_project, actor=lead)

    assert stage_of(sound_project) == Stage.DRAFT
    assert sound_project.stage == Stage.DRAFT
    assert "new draft" in message
    event = ActivityEvent.objects.get(project=sound_project, verb="scope_reopened")
    assert event.changes["stage"] == [stage, "draft"] and event.actor == lead


def test_editing_a_draft_changes_nothing(sound_project, lead, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert after_scope_edit(project=sound_project, actor=lead) is None
    assert not ActivityEvent.objects.filter(verb="scope_reopened").exists()


@pytest.mark.parametrize("stage", [Stage.DRAFT, Stage.IN_REVIEW, Stage.APPROVED, Stage.SIGNED_OFF])
def test_any_stage_can_be_archived(sound_project, lead, stage):
    set_stage(sound_project, stage)
    project_archive(project=sound_project, actor=lead)
    assert stage_of(sound_project) == Stage.ARCHIVED


# --- Refusals by the services ----------------------------------------------------------------------------------------


def test_it_refuses_to_submit_while_blockers_are_open_and_leaves_no_version(project, lead):
    with pytest.raises(WorkflowError) as refused:
        submit(project, lead)

    assert "cannot be submitted yet" in refused.value.message
    assert "accept it as a risk" in refused.value.message
    assert stage_of(project) == Stage.DRAFT
    assert not ScopeVersion.objects.filter(project=project).exists()


def test_accepting_each_blocker_as_a_risk_allows_the_submission_and_freezes_the_risk(lead):
    project = import_project(lead, scope=one_blocker_scope())
    with pytest.raises(WorkflowError):
        submit(project, lead)

    risk = submission.risk_accept(
        project=project,
        actor=lead,
        code="workflow.no_output_destination",
        reason="The ERP target screen is chosen in the first pilot week.",
    )
    version = submit(project, lead)

    assert risk.accepted_by == lead and risk.accepted_by_name == "Lena Lead"
    assert version.scope["accepted_risks"] == [
        {
            "code": "workflow.no_output_destination",
            "reason": "The ERP target screen is chosen in the first pilot week.",
            "accepted_by": "Lena Lead",
        }
    ]
    assert ActivityEvent.objects.get(verb="scope_submitted").changes["accepted_risks"] == [
        "workflow.no_output_destination"
    ]


def test_it_refuses_a_risk_without_a_written_reason(lead):
    project = import_project(lead, scope=one_blocker_scope())
    with pytest.raises(WorkflowError, match="at least 10 characters"):
        submission.risk_accept(project=project, actor=lead, code="workflow.no_output_destination", reason="  ok  ")
    assert not AcceptedRisk.objects.exists()


def test_it_refuses_to_accept_a_finding_that_is_not_a_blocker(sound_project, lead):
    with pytest.raises(WorkflowError, match="not a blocker"):
        submission.risk_accept(
            project=sound_project, actor=lead, code="cost_model.stale_prices", reason="Prices move monthly anyway."
        )


def test_withdrawing_an_accepted_risk_blocks_the_submission_again(lead):
    project = import_project(lead, scope=one_blocker_scope())
    risk = submission.risk_accept(
        project=project, actor=lead, code="workflow.no_output_destination", reason="Chosen in pilot week one."
    )
    submission.risk_withdraw(risk=risk, actor=lead)

    with pytest.raises(WorkflowError, match="1 blocker is open"):
        submit(project, lead)


def test_a_client_stakeholder_cannot_submit(sound_project):
    with pytest.raises(WorkflowError, match="consultancy team"):
        submit(sound_project, client_signatory(sound_project))


def test_it_refuses_to_submit_a_scope_already_in_review(sound_project, lead):
    submit(sound_project, lead)
    with pytest.raises(WorkflowError, match="already in review"):
        submit(sound_project, lead)


def test_it_refuses_to_resubmit_a_version_sent_back_without_changes(sound_project, lead, reviewer):
    version = submit(sound_project, lead)
    decisions.review_record(
        project=sound_project, version=version, actor=reviewer, decision="request_changes", summary="Fix costs."
    )
    with pytest.raises(WorkflowError, match="Nothing has changed since v1"):
        submit(sound_project, lead)
    assert stage_of(sound_project) == Stage.DRAFT


def test_a_reviewer_cannot_approve_their_own_submission(sound_project, reviewer):
    from scoping.models import ProjectMember

    ProjectMember.objects.create(project=sound_project, user=reviewer)
    version = submit(sound_project, reviewer)

    with pytest.raises(WorkflowError, match="You submitted v1 yourself"):
        decisions.review_record(project=sound_project, version=version, actor=reviewer, decision="approve")
    assert stage_of(sound_project) == Stage.IN_REVIEW
    assert not Review.objects.exists()


def test_another_reviewer_can_approve_a_reviewer_s_submission(sound_project, reviewer, second_reviewer):
    from scoping.models import ProjectMember

    ProjectMember.objects.create(project=sound_project, user=reviewer)
    version = submit(sound_project, reviewer)
    decisions.review_record(project=sound_project, version=version, actor=second_reviewer, decision="approve")
    assert stage_of(sound_project) == Stage.APPROVED


def test_a_consultant_cannot_review(sound_project, lead, member):
    version = submit(sound_project, lead)
    with pytest.raises(WorkflowError, match="Only reviewers"):
        decisions.review_record(project=sound_project, version=version, actor=member, decision="approve")


def test_requesting_changes_needs_a_comment_or_a_summary(sound_project, lead, reviewer):
    version = submit(sound_project, lead)
    with pytest.raises(WorkflowError, match="Say what needs to change"):
        decisions.review_record(
            project=sound_project,
            version=version,
            actor=reviewer,
            decision="request_changes",
            comments={"ownership": " "},
        )


def test_it_refuses_a_comment_on_an_unknown_section(sound_project, lead, reviewer):
    version = submit(sound_project, lead)
    with pytest.raises(WorkflowError, match="not a section"):
        decisions.review_record(
            project=sound_project, version=version, actor=reviewer, decision="request_changes", comments={"x": "y"}
        )


def test_it_refuses_to_review_a_version_that_is_not_the_one_in_review(sound_project, lead, reviewer):
    old = submit(sound_project, lead)
    decisions.review_record(project=sound_project, version=old, actor=reviewer, decision="request_changes", summary="x")
    edit_fallback(sound_project, "Invoices queue for manual coding, as today.")
    submit(sound_project, lead)

    with pytest.raises(WorkflowError, match="v1 is not the version in review any more"):
        decisions.review_record(project=sound_project, version=old, actor=reviewer, decision="approve")


def test_it_refuses_to_approve_a_draft(sound_project, lead, reviewer):
    submit(sound_project, lead)
    set_stage(sound_project, Stage.DRAFT)
    with pytest.raises(WorkflowError, match="This scope is a draft, so it cannot be approved"):
        approve(sound_project, reviewer)


def test_it_refuses_to_request_sign_off_before_approval(sound_project, lead):
    submit(sound_project, lead)
    with pytest.raises(WorkflowError, match="in review, so it cannot be sent for sign-off"):
        signatures.signoff_request(project=sound_project, actor=lead)


def test_nothing_moves_an_archived_project(sound_project, lead):
    set_stage(sound_project, Stage.ARCHIVED)
    with pytest.raises(WorkflowError, match="archived"):
        submit(sound_project, lead)
    assert after_scope_edit(project=sound_project, actor=lead) is None
    assert stage_of(sound_project) == Stage.ARCHIVED


# --- Notifications ---------------------------------------------------------------------------------------------------


def test_submitting_tells_the_reviewers_after_commit_with_a_link(
    sound_project, lead, reviewer, second_reviewer, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://firstslice.example"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(sound_project, lead)
        assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert sorted(message.to[0] for message in mail.outbox) == [reviewer.email, second_reviewer.email]
    body = mail.outbox[0].body
    assert f"https://firstslice.example/projects/{sound_project.pk}/review/" in body
    assert mail.outbox[0].subject == "Review requested: Supplier invoice coding v1"


def test_requesting_changes_tells_the_team_what_to_change(
    sound_project, lead, member, reviewer, django_capture_on_commit_callbacks
):
    from scoping.models import ProjectMember

    ProjectMember.objects.create(project=sound_project, user=member)
    version = submit(sound_project, lead)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decisions.review_record(
            project=sound_project,
            version=version,
            actor=reviewer,
            decision="request_changes",
            comments={"ownership": "Name the budget owner."},
        )

    assert sorted(message.to[0] for message in mail.outbox) == sorted([lead.email, member.email])
    assert "- Ownership: Name the budget owner." in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("Changes requested:")


def test_approval_tells_the_team(sound_project, lead, reviewer, django_capture_on_commit_callbacks):
    submit(sound_project, lead)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve(sound_project, reviewer)
    assert [(m.to, m.subject) for m in mail.outbox] == [([lead.email], "Approved: Supplier invoice coding v1")]


def test_a_failing_mail_server_never_breaks_the_action(
    sound_project, lead, reviewer, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        version = submit(sound_project, lead)

    assert stage_of(sound_project) == Stage.IN_REVIEW and version.number == 1
    assert "Could not send the notification" in caplog.text


def test_a_bug_while_preparing_a_notification_never_breaks_the_action(sound_project, lead, monkeypatch, caplog):
    def broken():
        raise RuntimeError("directory unavailable")

    monkeypatch.setattr(notifications, "_reviewers", broken)
    version = submit(sound_project, lead)

    assert version.number == 1 and stage_of(sound_project) == Stage.IN_REVIEW
    assert "Could not prepare the notify_review_requested notification" in caplog.text


def test_nobody_is_mailed_about_a_refused_submission(project, lead, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(WorkflowError):
        submit(project, lead)
    assert callbacks == [] and mail.outbox == []


def test_the_document_ready_notification_names_the_file_and_links_the_download(
    sound_project, lead, django_capture_on_commit_callbacks
):
    from documents.models import ScopeDocument

    version = submit(sound_project, lead)
    document = ScopeDocument.objects.create(version=version, kind="draft", status="ready", sha256="ab" * 32)
    document.requested_by = lead
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_document_ready(document)

    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert "File SHA-256: " + "ab" * 32 in mail.outbox[0].body
    assert f"/projects/{sound_project.pk}/documents/{document.pk}/download/" in mail.outbox[0].body


# --- Pages -----------------------------------------------------------------------------------------------------------


def test_the_submit_page_lists_the_blockers_and_offers_no_button(client, project, lead):
    client.force_login(lead)
    response = client.get(reverse("projects:submit", args=[project.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "must be closed or accepted as risks first" in content
    assert "Submit for review</button>" not in content


def test_submitting_through_the_page_redirects_to_the_project(client, sound_project, lead):
    client.force_login(lead)
    response = client.post(reverse("projects:submit", args=[sound_project.pk]), {"note": HOSTILE})
    assert response.status_code == 302 and response["Location"] == sound_project.get_absolute_url()
    version = ScopeVersion.objects.get(project=sound_project)
    assert version.note == HOSTILE


def test_a_refused_submission_through_the_page_keeps_the_note_and_says_why(client, sound_project, lead):
    client.force_login(lead)
    set_stage(sound_project, Stage.APPROVED)
    response = client.post(reverse("projects:submit", args=[sound_project.pk]), {"note": "Please look at costs"})
    assert response.status_code == 400
    assert "it cannot be submitted for review" in response.content.decode()


def test_the_risks_page_accepts_a_blocker_and_shows_it_escaped(client, lead):
    project = import_project(lead, scope=one_blocker_scope())
    client.force_login(lead)
    url = reverse("projects:risks", args=[project.pk])
    response = client.post(url, {"action": "accept", "code": "workflow.no_output_destination", "reason": HOSTILE})
    assert response.status_code == 302

    page = client.get(url).content.decode()
    assert "Accepted as a risk" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    overview = client.get(project.get_absolute_url()).content.decode()
    assert "workflow.no_output_destination" in overview


def test_the_risks_page_keeps_a_short_reason_and_explains(client, lead):
    project = import_project(lead, scope=one_blocker_scope())
    client.force_login(lead)
    response = client.post(
        reverse("projects:risks", args=[project.pk]),
        {"action": "accept", "code": "workflow.no_output_destination", "reason": "meh"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Write a real reason" in content and "\nmeh</textarea>" in content


def test_a_client_cannot_accept_a_risk(client, lead):
    project = import_project(lead, scope=one_blocker_scope())
    stakeholder = UserFactory(username="cli", role="client", client=project.client)
    project.participants.create(user=stakeholder, can_edit=True)
    client.force_login(stakeholder)
    response = client.post(
        reverse("projects:risks", args=[project.pk]),
        {"action": "accept", "code": "workflow.no_output_destination", "reason": "Because we say so, really."},
    )
    assert response.status_code == 403
    assert not AcceptedRisk.objects.exists()


def test_the_review_queue_lists_projects_in_review_oldest_first(client, lead, reviewer):
    from datetime import timedelta

    from django.utils import timezone

    older = import_project(lead, client_name="Older client")
    newer = import_project(lead, client_name="Newer client")
    draft = import_project(lead, client_name="Draft client")
    submit(newer, lead)
    submit(older, lead)
    DiscoveryProject.objects.filter(pk=older.pk).update(stage_changed_at=timezone.now() - timedelta(days=3))
    client.force_login(reviewer)

    response = client.get(reverse("projects:review_queue"))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Older client") < content.index("Newer client")
    assert "Draft client" not in content
    assert "3\xa0days" in content
    assert draft.name  # present in the pipeline, absent from the queue


def test_the_review_page_shows_the_version_its_readiness_and_the_diff(client, sound_project, lead, reviewer):
    first = submit(sound_project, lead)
    decisions.review_record(
        project=sound_project, version=first, actor=reviewer, decision="request_changes", summary="Fallback?"
    )
    edit_fallback(sound_project, "Invoices queue for manual coding.")
    submit(sound_project, lead)
    client.force_login(reviewer)

    content = client.get(reverse("projects:review", args=[sound_project.pk])).content.decode()
    assert "v2 — in review since" in content
    assert "What changed since v1" in content
    assert "Invoices queue for manual coding." in content
    assert "8 of 8" in content
    assert "Record decision" in content


def test_the_reviewer_decides_through_the_page(client, sound_project, lead, reviewer):
    version = submit(sound_project, lead)
    client.force_login(reviewer)
    response = client.post(
        reverse("projects:review", args=[sound_project.pk]),
        {"version_id": version.pk, "decision": "request_changes", "comment_security": HOSTILE},
    )
    assert response.status_code == 302 and response["Location"] == reverse("projects:review_queue")
    assert stage_of(sound_project) == Stage.DRAFT
    assert Review.objects.get().comments.get().comment == HOSTILE


def test_a_consultant_cannot_post_a_review_decision(client, sound_project, lead):
    version = submit(sound_project, lead)
    client.force_login(lead)
    response = client.post(
        reverse("projects:review", args=[sound_project.pk]), {"version_id": version.pk, "decision": "approve"}
    )
    assert response.status_code == 403
    assert stage_of(sound_project) == Stage.IN_REVIEW


def test_the_review_page_refuses_self_approval_with_the_reason(client, sound_project, reviewer):
    from scoping.models import ProjectMember

    ProjectMember.objects.create(project=sound_project, user=reviewer)
    version = submit(sound_project, reviewer)
    client.force_login(reviewer)
    response = client.post(
        reverse("projects:review", args=[sound_project.pk]), {"version_id": version.pk, "decision": "approve"}
    )
    assert response.status_code == 400
    assert "You submitted v1 yourself" in response.content.decode()


def test_review_comments_show_on_the_step_until_the_next_version(sound_project, lead, reviewer):
    from django.template.loader import render_to_string

    version = submit(sound_project, lead)
    decisions.review_record(
        project=sound_project,
        version=version,
        actor=reviewer,
        decision="request_changes",
        comments={"cost_model": HOSTILE},
    )
    sound_project.refresh_from_db()
    shown = render_to_string(
        "scoping/steps/review_comments.html", {"project": sound_project, "section_key": "cost_model"}
    )
    other = render_to_string(
        "scoping/steps/review_comments.html", {"project": sound_project, "section_key": "ownership"}
    )
    assert "&lt;script&gt;" in shown and "asked for changes to Cost model" in shown
    assert other.strip() == ""

    edit_fallback(sound_project, "Manual coding.")
    submit(sound_project, lead)
    set_stage(sound_project, Stage.DRAFT)
    after = render_to_string(
        "scoping/steps/review_comments.html", {"project": sound_project, "section_key": "cost_model"}
    )
    assert after.strip() == ""
