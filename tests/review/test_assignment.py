"""Who reviews a scope: a reviewer takes it, the queue shows who has it, an admin assigns or takes it back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scoping.models import ActivityEvent, Stage
from scoping.review import assignment
from scoping.review.stages import WorkflowError
from tests.factories import UserFactory
from tests.review_support import set_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(project):
    return set_stage(project, Stage.IN_REVIEW)


def _post(client, project, **data):
    return client.post(reverse("projects:review_assignment", args=[project.pk]), data, follow=True)


def test_a_reviewer_takes_a_scope_from_the_queue_and_the_queue_shows_who_has_it(client, in_review, reviewer):
    client.force_login(reviewer)
    queue = client.get(reverse("projects:review_queue")).content.decode()
    assert 'Take it<span class="visually-hidden"> (the review of Invoice coding)</span>' in queue

    response = _post(client, in_review, action="claim", back="queue")
    assert response.redirect_chain[-1][0] == reverse("projects:review_queue")
    page = response.content.decode()
    assert "You have the review of Invoice coding." in page
    assert f"<td>{reviewer.display_name}</td>" in page and "Take it<span" not in page
    in_review.refresh_from_db()
    assert in_review.reviewer == reviewer and in_review.reviewer_since is not None
    event = ActivityEvent.objects.get(project=in_review, verb="review_claimed")
    assert event.changes == {"reviewer": ["nobody", reviewer.display_name]}
    assert event.verb_label == "took the review"


def test_a_second_reviewer_is_refused_with_the_holders_name_and_nothing_changes(client, in_review, reviewer):
    assignment.review_claim(project=in_review, actor=reviewer)
    other = UserFactory(username="rita", role="reviewer", first_name="Rita", last_name="Ray")
    client.force_login(other)
    page = _post(client, in_review, action="claim").content.decode()
    assert f"{reviewer.display_name} already has this review. Ask them, or an admin, to hand it over." in page
    assert "Give it back" not in page  # not hers to give back
    in_review.refresh_from_db()
    assert in_review.reviewer == reviewer


def test_the_holder_gives_it_back_and_an_admin_assigns_it(client, in_review, reviewer, admin_user):
    assignment.review_claim(project=in_review, actor=reviewer)
    client.force_login(reviewer)
    page = _post(client, in_review, action="release").content.decode()
    assert "back in the queue for anyone to take" in page
    in_review.refresh_from_db()
    assert in_review.reviewer is None and in_review.reviewer_since is None

    client.force_login(admin_user)
    review_page = client.get(reverse("projects:review", args=[in_review.pk])).content.decode()
    assert f'<option value="{reviewer.pk}">{reviewer.display_name}</option>' in review_page
    assert f'<option value="{in_review.lead_consultant_id}"' not in review_page  # a lead never reviews their own
    page = _post(client, in_review, action="assign", reviewer=str(reviewer.pk)).content.decode()
    assert f"{reviewer.display_name} now has the review of Invoice coding." in page
    in_review.refresh_from_db()
    assert in_review.reviewer == reviewer
    assert list(
        ActivityEvent.objects.filter(project=in_review, verb__startswith="review_").values_list("verb", flat=True)
    ) == ["review_assigned", "review_released", "review_claimed"]


@pytest.mark.parametrize("bad", ["", "abc", "999999", "-1"])
def test_assigning_to_nobody_real_is_refused_with_a_sentence(client, in_review, admin_user, bad):
    client.force_login(admin_user)
    page = _post(client, in_review, action="assign", reviewer=bad).content.decode()
    assert "Choose a reviewer from the list" in page
    in_review.refresh_from_db()
    assert in_review.reviewer is None


def test_who_may_do_what(client, in_review, reviewer, lead, outsider, participant):
    # A consultant sees the review page but may not take a review; the lead may not review their own project.
    with pytest.raises(WorkflowError, match="Only reviewers can take a review."):
        assignment.review_claim(project=in_review, actor=outsider)
    with pytest.raises(WorkflowError, match="Only an admin can assign"):
        assignment.review_assign(project=in_review, actor=reviewer, reviewer_id=reviewer.pk)
    lead_reviewer = UserFactory(username="lr", role="admin")
    in_review.lead_consultant = lead_reviewer
    in_review.save(update_fields=["lead_consultant"])
    with pytest.raises(WorkflowError, match="You lead this project"):
        assignment.review_claim(project=in_review, actor=lead_reviewer)
    # A client is refused as on the review page (403); a consultant who is not on the project gets 404.
    url = reverse("projects:review_assignment", args=[in_review.pk])
    client.force_login(participant)
    assert client.post(url, {"action": "claim"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"action": "claim"}).status_code == 404
    # GET is not a way in.
    client.force_login(reviewer)
    assert client.get(reverse("projects:review_assignment", args=[in_review.pk])).status_code == 405
    in_review.refresh_from_db()
    assert in_review.reviewer is None


def test_an_approved_scope_cannot_be_claimed(in_review, reviewer):
    set_stage(in_review, Stage.APPROVED)
    with pytest.raises(WorkflowError, match="its review is over"):
        assignment.review_claim(project=in_review, actor=reviewer)
