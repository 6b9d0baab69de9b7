"""The owners sign (#14 item 8): a scope whose named owner could sign but is not asked to cannot go for sign-off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scoping.models import Invitation, Stage
from scoping.review import signatures
from scoping.review.stages import WorkflowError
from tests.factories import ParticipantFactory, UserFactory
from tests.review_support import approve, submit

pytestmark = pytest.mark.django_db

# The worked example's owners (tests/fixtures/invoice-coding.json).
BUSINESS_OWNER = "priya.raman@kestrel.example"
TECHNICAL_OWNER = "dan.whitfield@kestrel.example"


@pytest.fixture
def approved(sound_project, lead, reviewer):
    submit(sound_project, lead)
    approve(sound_project, reviewer)
    return sound_project


def request_signoff(project, lead):
    return signatures.signoff_request(project=project, actor=lead)


def test_owners_without_an_account_do_not_stop_the_request(approved, lead, client):
    request_signoff(approved, lead)

    approved.refresh_from_db()
    assert approved.stage == Stage.AWAITING_SIGNOFF


def test_an_owner_with_an_account_who_is_not_a_signatory_stops_it(approved, lead, client):
    UserFactory(username="dan", email=TECHNICAL_OWNER.upper(), first_name="Dan", last_name="Whitfield")

    with pytest.raises(WorkflowError) as refused:
        request_signoff(approved, lead)

    assert "Dan Whitfield (technical owner) has an account but is not a signatory" in refused.value.message
    approved.refresh_from_db()
    assert approved.stage == Stage.APPROVED
    client.force_login(lead)
    page = client.get(reverse("projects:signoff_request", args=[approved.pk])).content.decode()
    assert "The owners sign" in page
    assert "Dan Whitfield (technical owner) has an account but is not a signatory" in page
    assert "Priya Raman (business owner) has no account here" in page


def test_an_owner_who_signs_lets_the_request_go(approved, lead):
    owner = UserFactory(username="dan", email=TECHNICAL_OWNER, client=approved.client, role="client")
    ParticipantFactory(project=approved, user=owner, is_signatory=True)

    request_signoff(approved, lead)

    approved.refresh_from_db()
    assert approved.stage == Stage.AWAITING_SIGNOFF


def test_an_invited_owner_must_join_first(approved, lead):
    Invitation.objects.create(
        project=approved,
        email=BUSINESS_OWNER,
        first_name="Priya",
        is_signatory=True,
        token_hash="x" * 64,
        expires_at=timezone.now() + timedelta(days=7),
    )

    with pytest.raises(WorkflowError, match=r"Priya Raman \(business owner\) is invited but has not joined yet"):
        request_signoff(approved, lead)


def test_an_expired_invitation_does_not_count(approved, lead):
    Invitation.objects.create(
        project=approved,
        email=BUSINESS_OWNER,
        first_name="Priya",
        is_signatory=True,
        token_hash="y" * 64,
        expires_at=timezone.now() - timedelta(days=1),
    )

    request_signoff(approved, lead)
