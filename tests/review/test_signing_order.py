"""Signing in sequence (#14 item 2): the second group cannot sign before the first completes, and is e-mailed
when it does; reminders go only to the group whose turn it is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import OutboundEmail
from scoping.models import SignOff, SignOffRequest, Stage
from scoping.review import reminders, signatures
from scoping.review.stages import WorkflowError
from tests.review_support import approve, client_signatory, sign, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_render_jobs(monkeypatch):
    monkeypatch.setattr("documents.services._enqueue", lambda document_id: None)


def request_in_order(project, lead, reviewer, order: str):
    submit(project, lead)
    version = approve(project, reviewer)
    OutboundEmail.objects.all().delete()
    signatures.signoff_request(project=project, actor=lead, order=order)
    return version


def asked(event_subject: str) -> set[str]:
    return set(OutboundEmail.objects.filter(subject__contains=event_subject).values_list("to", flat=True))


def test_client_first_the_lead_cannot_sign_before_the_client_and_is_emailed_when_it_is_their_turn(
    sound_project, lead, reviewer
):
    version = request_in_order(sound_project, lead, reviewer, "client_first")
    priya = client_signatory(sound_project)
    assert SignOffRequest.objects.get().order == "client_first"
    # Only the first group is asked now (the lead sent it: nobody e-mails themselves).
    assert {email.to for email in OutboundEmail.objects.all()} == {priya.email}

    with pytest.raises(WorkflowError) as refused:
        sign(sound_project, lead, version)
    assert refused.value.message == (
        "The client's signatories sign first: still waiting for Priya Raman. You will be e-mailed when it is your turn."
    )
    assert not SignOff.objects.exists()

    sign(sound_project, priya, version)
    assert asked("Your turn to sign") == {lead.email}
    sign(sound_project, lead, version)
    sound_project.refresh_from_db()
    assert sound_project.stage == Stage.SIGNED_OFF


def test_consultancy_first_the_client_waits_and_the_page_says_for_whom(client, sound_project, lead, reviewer):
    version = request_in_order(sound_project, lead, reviewer, "consultancy_first")
    priya = client_signatory(sound_project)
    assert asked("") == set()  # the lead is the whole first group and sent it: nobody else is asked yet

    client.force_login(priya)
    page = client.get(reverse("projects:signoff", args=[sound_project.pk])).content.decode()
    assert "Not your turn yet: Lena Lead signs first." in page
    assert "Sign v1</button>" not in page and "Send me a code" not in page
    assert "Signing in sequence: the consultancy&#x27;s lead first, then the client&#x27;s signatories." in page
    with pytest.raises(WorkflowError, match="The consultancy's lead sign first: still waiting for Lena Lead"):
        sign(sound_project, priya, version)

    sign(sound_project, lead, version)
    assert asked("Your turn to sign") == {priya.email}
    page = client.get(reverse("projects:signoff", args=[sound_project.pk])).content.decode()
    # Her refused attempt had confirmed a code; it still works for the signature she may make now.
    assert "Sign v1</button>" in page and "Send me a new code" in page and "is confirmed" in page
    assert sign(sound_project, priya, version).identity == "email_code"


def test_reminders_go_only_to_the_group_whose_turn_it_is(sound_project, lead, reviewer):
    request_in_order(sound_project, lead, reviewer, "consultancy_first")
    priya = client_signatory(sound_project)
    row = SignOffRequest.objects.get()
    from datetime import timedelta

    later = row.requested_at + timedelta(days=30)
    SignOffRequest.objects.filter(pk=row.pk).update(expires_at=later + timedelta(days=5))
    reminded = reminders.signoff_request_remind(request_id=row.pk, now=later)
    assert [user.pk for user in reminded] == [lead.pk]
    assert priya.pk not in [user.pk for user in reminded]


def test_parallel_asks_everyone_at_once_as_before(sound_project, lead, reviewer):
    version = request_in_order(sound_project, lead, reviewer, "parallel")
    priya = client_signatory(sound_project)
    assert asked("") == {priya.email}
    sign(sound_project, lead, version)  # the lead may sign first in parallel
    assert asked("Your turn to sign") == set()


def test_an_unknown_order_is_refused_in_words(sound_project, lead, reviewer):
    submit(sound_project, lead)
    approve(sound_project, reviewer)
    with pytest.raises(WorkflowError, match="Choose who signs first"):
        signatures.signoff_request(project=sound_project, actor=lead, order="random")


def test_the_request_form_offers_the_order_and_sends_it(client, sound_project, lead, reviewer):
    submit(sound_project, lead)
    approve(sound_project, reviewer)
    client.force_login(lead)
    url = reverse("projects:signoff_request", args=[sound_project.pk])
    page = client.get(url).content.decode()
    assert "Who signs when" in page and 'value="client_first"' in page
    response = client.post(url, {"order": "client_first", "confirm_open_questions": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SignOffRequest.objects.get().order == "client_first"
