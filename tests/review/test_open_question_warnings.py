"""Approving a version and requesting its sign-off say how many questions are still open, and ask to confirm."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scoping.models import DiscoveryProject, Stage
from scoping.models.sections import OpenQuestion
from tests.review_support import approve, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queued_jobs(monkeypatch) -> list[int]:
    published: list[int] = []
    monkeypatch.setattr("documents.services._enqueue", published.append)
    return published


@pytest.fixture
def two_open_questions(sound_project):
    """The worked example's question (due in ten days) and one that was due three days ago."""
    today = timezone.localdate()
    sound_project.open_questions.update(due=today + timedelta(days=10))
    OpenQuestion.objects.create(
        project=sound_project,
        question="Who approves a new cost centre?",
        owner="Dan Whitfield",
        due=today - timedelta(days=3),
        status="open",
    )
    return sound_project


def stage_of(project) -> str:
    return DiscoveryProject.objects.values_list("stage", flat=True).get(pk=project.pk)


def review_url(project) -> str:
    return reverse("projects:review", args=[project.pk])


def signoff_request_url(project) -> str:
    return reverse("projects:signoff_request", args=[project.pk])


def test_the_review_page_says_how_many_questions_are_open_in_the_version(client, two_open_questions, lead, reviewer):
    submit(two_open_questions, lead)
    client.force_login(reviewer)
    page = client.get(review_url(two_open_questions)).content.decode()
    assert "v1 has 2 open questions (1 overdue)." in page
    assert 'name="confirm_open_questions"' in page
    assert reverse("projects:questions", args=[two_open_questions.pk]) in page


def test_approving_with_open_questions_needs_the_confirmation(client, two_open_questions, lead, reviewer):
    version = submit(two_open_questions, lead)
    client.force_login(reviewer)
    response = client.post(review_url(two_open_questions), {"version_id": version.pk, "decision": "approve"})
    assert response.status_code == 400
    assert "v1 still has 2 open questions" in response.content.decode()
    assert stage_of(two_open_questions) == Stage.IN_REVIEW

    response = client.post(
        review_url(two_open_questions),
        {"version_id": version.pk, "decision": "approve", "confirm_open_questions": "on"},
    )
    assert response.status_code == 302
    assert stage_of(two_open_questions) == Stage.APPROVED


def test_requesting_changes_needs_no_confirmation(client, two_open_questions, lead, reviewer):
    version = submit(two_open_questions, lead)
    client.force_login(reviewer)
    response = client.post(
        review_url(two_open_questions),
        {"version_id": version.pk, "decision": "request_changes", "comment_workflow": "Say who answers."},
    )
    assert response.status_code == 302
    assert stage_of(two_open_questions) == Stage.DRAFT


def test_a_version_without_open_questions_is_approved_without_the_question_box(client, sound_project, lead, reviewer):
    sound_project.open_questions.update(status="answered", answer="Yes, by webhook.")
    version = submit(sound_project, lead)
    client.force_login(reviewer)
    page = client.get(review_url(sound_project)).content.decode()
    assert "confirm_open_questions" not in page
    assert "open question" not in page.lower().replace("open questions</a>", "")
    response = client.post(review_url(sound_project), {"version_id": version.pk, "decision": "approve"})
    assert response.status_code == 302
    assert stage_of(sound_project) == Stage.APPROVED


def test_requesting_sign_off_says_how_many_questions_are_open_and_needs_the_confirmation(
    client, two_open_questions, lead, reviewer
):
    submit(two_open_questions, lead)
    approve(two_open_questions, reviewer)
    client.force_login(lead)
    url = signoff_request_url(two_open_questions)
    page = client.get(url).content.decode()
    assert "v1 has 2 open questions (1 overdue)." in page
    assert 'name="confirm_open_questions"' in page

    response = client.post(url)
    assert response.status_code == 400
    assert "v1 still has 2 open questions" in response.content.decode()
    assert stage_of(two_open_questions) == Stage.APPROVED

    response = client.post(url, {"confirm_open_questions": "on"})
    assert response.status_code == 302
    assert stage_of(two_open_questions) == Stage.AWAITING_SIGNOFF


def test_requesting_sign_off_without_open_questions_needs_no_confirmation(client, sound_project, lead, reviewer):
    sound_project.open_questions.update(status="dropped")
    submit(sound_project, lead)
    approve(sound_project, reviewer)
    client.force_login(lead)
    url = signoff_request_url(sound_project)
    assert "confirm_open_questions" not in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert stage_of(sound_project) == Stage.AWAITING_SIGNOFF


def test_one_open_question_reads_in_the_singular_on_approval_and_on_the_sign_off_request(
    client, sound_project, lead, reviewer
):
    assert sound_project.open_questions.filter(status="open").count() == 1
    version = submit(sound_project, lead)
    client.force_login(reviewer)
    refused = client.post(review_url(sound_project), {"version_id": version.pk, "decision": "approve"})
    page = " ".join(refused.content.decode().split())
    assert "Approving leaves it open: the team can still answer it before sign-off." in page
    assert "Tick the box to approve with it open, or request changes." in page
    assert "them" not in page.split('id="open-questions-warning"')[1].split("</div>")[0]
    client.post(
        review_url(sound_project), {"version_id": version.pk, "decision": "approve", "confirm_open_questions": "on"}
    )
    client.force_login(lead)
    refused = client.post(signoff_request_url(sound_project))
    page = " ".join(refused.content.decode().split())
    assert "The signatories sign the scope with it open." in page
    assert "Tick the box to send it for sign-off with it open, or answer it first." in page
