"""Moving a card is the stage change of the buttons: the same service, the same refusals, read on the board."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scoping.models import ActivityEvent, ScopeVersion, Stage
from tests.review_support import approve, submit

pytestmark = pytest.mark.django_db


def _move(client, project, action, **extra):
    return client.post(reverse("projects:board_move", args=[project.pk]), {"action": action, **extra}, follow=True)


def _moves_offered(response, project) -> list[str]:
    cards = [card for column in response.context["page"].columns for card in column.cards if card.pk == project.pk]
    return [move.action for move in cards[0].moves]


def test_a_refused_submission_shows_the_services_sentence_on_the_board(client, lead, project):
    client.force_login(lead)
    response = _move(client, project, "submit", filters="stage=draft")
    assert response.redirect_chain[-1][0] == reverse("projects:board") + "?stage=draft"
    assert response.status_code == 200
    body = response.content.decode()
    assert "“Invoice coding” was not moved. This scope cannot be submitted yet:" in body
    assert "Close each gap, or accept it as a risk with a written reason." in body
    project.refresh_from_db()
    assert project.stage == Stage.DRAFT
    assert not ScopeVersion.objects.filter(project=project).exists()


def test_an_allowed_submission_moves_the_card_through_the_service_and_is_audited(client, lead, sound_project):
    client.force_login(lead)
    response = _move(client, sound_project, "submit")
    assert "submitted for review" in response.content.decode()
    sound_project.refresh_from_db()
    assert sound_project.stage == Stage.IN_REVIEW
    event = ActivityEvent.objects.get(project=sound_project, verb="scope_submitted")
    assert event.actor == lead and event.changes["stage"] == ["draft", "in_review"]
    in_review = response.context["page"].columns[1]
    assert (in_review.stage, [card.pk for card in in_review.cards]) == ("in_review", [sound_project.pk])


def test_a_reviewer_approves_from_the_board_and_the_approval_is_audited(client, lead, reviewer, sound_project):
    submit(sound_project, lead)
    client.force_login(reviewer)
    board = client.get(reverse("projects:board"))
    assert _moves_offered(board, sound_project) == ["approve"]
    _move(client, sound_project, "approve", confirm_open_questions="on")
    sound_project.refresh_from_db()
    assert sound_project.stage == Stage.APPROVED
    assert ActivityEvent.objects.filter(project=sound_project, verb="review_approved", actor=reviewer).exists()


def test_nobody_is_offered_a_move_they_may_not_make(client, lead, reviewer, participant, project):
    client.force_login(lead)
    assert _moves_offered(client.get(reverse("projects:board")), project) == ["submit"]
    for person in (reviewer, participant):  # a reviewer does not submit; a client stakeholder moves nothing
        client.force_login(person)
        assert _moves_offered(client.get(reverse("projects:board")), project) == []


def test_a_move_posted_without_the_right_is_refused_and_changes_nothing(client, participant, outsider, project):
    client.force_login(participant)
    assert client.post(reverse("projects:board_move", args=[project.pk]), {"action": "submit"}).status_code == 403
    client.force_login(outsider)
    assert client.post(reverse("projects:board_move", args=[project.pk]), {"action": "submit"}).status_code == 404
    project.refresh_from_db()
    assert project.stage == Stage.DRAFT


def test_a_move_the_stage_table_forbids_says_why(client, lead, project):
    client.force_login(lead)
    body = _move(client, project, "request_signoff").content.decode()
    assert "“Invoice coding” was not moved." in body
    assert "no frozen version yet" in body or "has not been approved" in body or "cannot be sent for sign-off" in body
    project.refresh_from_db()
    assert project.stage == Stage.DRAFT


def test_the_team_requests_sign_off_from_the_board_through_the_service(client, lead, reviewer, sound_project):
    submit(sound_project, lead)
    approve(sound_project, reviewer)
    client.force_login(lead)
    assert _moves_offered(client.get(reverse("projects:board")), sound_project) == ["request_signoff"]
    body = _move(client, sound_project, "request_signoff", confirm_open_questions="on").content.decode()
    assert "Sign-off of v1 of “Supplier invoice coding” requested." in body
    sound_project.refresh_from_db()
    assert sound_project.stage == Stage.AWAITING_SIGNOFF
    assert ActivityEvent.objects.filter(project=sound_project, verb="signoff_requested", actor=lead).exists()


def test_approving_with_open_questions_unconfirmed_is_refused_with_the_review_pages_sentence(
    client, lead, reviewer, sound_project
):
    submit(sound_project, lead)
    client.force_login(reviewer)
    body = _move(client, sound_project, "approve").content.decode()
    assert "“Supplier invoice coding” was not moved. v1 still has 1 open question." in body
    sound_project.refresh_from_db()
    assert sound_project.stage == Stage.IN_REVIEW
