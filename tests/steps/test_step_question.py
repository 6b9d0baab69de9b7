"""Parking a question from inside a step, without leaving it (an htmx form beside the step form)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scoping.models import ActivityEvent, DiscoveryProject, Stage
from scoping.models.sections import OpenQuestion
from tests.factories import ParticipantFactory, UserFactory
from tests.review_support import submit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PARKED = {"park-question": "Can the ERP take coding by API?", "park-owner": "Dan Whitfield", "park-due": "2030-01-31"}


def park_url(project, key="workflow"):
    return reverse("projects:step_question", args=[project.pk, key])


def step_url(project, key="workflow"):
    return reverse("projects:step", args=[project.pk, key])


def test_the_step_carries_an_inline_park_form_outside_the_step_form(client, project, lead):
    client.force_login(lead)
    page = client.get(step_url(project)).content.decode()
    assert f'hx-post="{park_url(project)}"' in page
    assert page.index('id="park-form"') > page.index("</form>")  # not nested in the step form


def test_parking_a_question_inline_creates_it_for_the_step_and_shows_it(client, project, lead):
    client.force_login(lead)

    response = client.post(park_url(project), PARKED, **HTMX)
    fragment = response.content.decode()

    assert response.status_code == 200
    question = OpenQuestion.objects.get(project=project)
    assert (question.section, question.owner, question.status, str(question.due)) == (
        "workflow",
        "Dan Whitfield",
        "open",
        "2030-01-31",
    )
    assert "<!doctype html>" not in fragment.lower()  # a fragment, not a page
    assert 'id="park-question"' in fragment
    assert "Question parked" in fragment and "Can the ERP take coding by API?" in fragment
    assert ActivityEvent.objects.filter(project=project, verb="question_added").count() == 1


def test_a_parked_question_missing_its_owner_and_date_says_so_in_the_fragment(client, project, lead):
    client.force_login(lead)
    response = client.post(park_url(project), {"park-question": "Who signs for IT?"}, **HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert "Name who finds out the answer." in fragment and "Give the date the answer is needed by." in fragment
    assert "Who signs for IT?</textarea>" in fragment
    assert not OpenQuestion.objects.exists()


def test_without_javascript_parking_returns_to_the_step(client, project, lead):
    client.force_login(lead)
    response = client.post(park_url(project), PARKED)
    assert response.status_code == 302
    assert response["Location"] == step_url(project) + "#park-question"
    assert OpenQuestion.objects.filter(project=project, section="workflow").exists()


def test_questions_of_this_step_show_on_the_step(client, project, lead):
    OpenQuestion.objects.create(project=project, section="workflow", question="Who trains the clerks?", owner="Ann")
    OpenQuestion.objects.create(project=project, section="security", question="Is SSO required?", owner="Ann")
    client.force_login(lead)
    page = client.get(step_url(project)).content.decode()
    assert "Who trains the clerks?" in page and "Is SSO required?" not in page


def test_a_reader_cannot_park_a_question(client, project, reviewer):
    client.force_login(reviewer)
    assert client.post(park_url(project), PARKED, **HTMX).status_code == 403
    assert not OpenQuestion.objects.exists()


def test_an_unknown_step_is_404(client, project, lead):
    client.force_login(lead)
    assert client.post(park_url(project, "nope"), PARKED, **HTMX).status_code == 404


def test_a_client_editor_parks_a_question_on_a_frozen_scope_without_withdrawing_it(client, sound_project, lead):
    submit(sound_project, lead)
    editor = UserFactory(username="cleo", role="client", client=sound_project.client)
    ParticipantFactory(project=sound_project, user=editor, can_edit=True, is_signatory=False)
    client.force_login(editor)

    response = client.post(park_url(sound_project), PARKED, **HTMX)

    assert response.status_code == 200 and "Question parked" in response.content.decode()
    assert DiscoveryProject.objects.get(pk=sound_project.pk).stage == Stage.IN_REVIEW
    assert OpenQuestion.objects.filter(project=sound_project, owner="Dan Whitfield").exists()


def test_staff_parking_on_a_frozen_scope_must_confirm_it_starts_a_new_draft(client, sound_project, lead):
    submit(sound_project, lead)
    client.force_login(lead)

    refused = client.post(park_url(sound_project), PARKED, **HTMX)
    assert "Tick the box to confirm that saving withdraws v1 from review" in refused.content.decode()
    assert DiscoveryProject.objects.get(pk=sound_project.pk).stage == Stage.IN_REVIEW

    confirmed = client.post(park_url(sound_project), {**PARKED, "park-confirm_reopen": "yes"}, **HTMX)
    assert "Question parked" in confirmed.content.decode()
    assert DiscoveryProject.objects.get(pk=sound_project.pk).stage == Stage.DRAFT


def test_a_stranger_gets_404_and_parks_nothing(client, project, outsider, other_client_user):
    for stranger in (outsider, other_client_user):
        client.force_login(stranger)
        assert client.post(park_url(project), PARKED, **HTMX).status_code == 404
    assert not OpenQuestion.objects.exists()
