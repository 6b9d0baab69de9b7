"""A client signatory confirms a 6-digit code e-mailed to them before signing (#14, identity)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import OutboundEmail
from scoping.models import ActivityEvent, SigningCode, SignOff
from scoping.review import identity
from scoping.review.stages import WorkflowError
from tests.review_support import client_signatory, send_code, sign, to_awaiting_signoff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_render_jobs(monkeypatch):
    monkeypatch.setattr("documents.services._enqueue", lambda document_id: None)


def signoff_url(project) -> str:
    return reverse("projects:signoff", args=[project.pk])


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def post_sign(client, project, version, **extra):
    data = {"action": "sign", "version_id": version.pk, "typed_name": "Priya Raman", "consent": "on", **extra}
    return client.post(signoff_url(project), data)


def test_the_right_code_signs_and_the_signature_records_the_method(client, sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    priya = client_signatory(sound_project)
    client.force_login(priya)

    response = client.post(signoff_url(sound_project), {"action": "send_code"})
    assert response.status_code == 302
    email = OutboundEmail.objects.filter(kind="notification", to=priya.email).latest("id")
    code = email.body.split("Your code: ", 1)[1].split("\n", 1)[0].replace(" ", "")
    assert len(code) == 6 and code.isdigit()
    assert code not in SigningCode.objects.get().code_hash  # only a keyed hash is kept

    response = post_sign(client, sound_project, version, code=f"{code[:3]} {code[3:]}")

    assert response.status_code == 302
    signoff = SignOff.objects.get()
    assert signoff.user == priya and signoff.identity == "email_code"
    assert SigningCode.objects.get().used_at is not None
    assert ActivityEvent.objects.filter(verb="signing_code_verified", actor=priya).count() == 1


def test_without_a_code_the_page_refuses_to_sign_and_says_what_to_do(client, sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    client.force_login(client_signatory(sound_project))

    page = client.get(signoff_url(sound_project)).content.decode()
    assert "Send me a code" in page and 'autocomplete="one-time-code"' in page

    blank = post_sign(client, sound_project, version)
    assert blank.status_code == 400 and "Type the 6-digit code e-mailed to you." in blank.content.decode()
    unsent = post_sign(client, sound_project, version, code="123456")
    assert unsent.status_code == 400 and "Send yourself a code first" in unsent.content.decode()
    assert not SignOff.objects.exists()


def test_five_wrong_codes_lock_signing_for_fifteen_minutes(client, sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    priya = client_signatory(sound_project)
    client.force_login(priya)
    code = send_code(sound_project, priya)

    for left in (4, 3, 2, 1):
        page = post_sign(client, sound_project, version, code=wrong(code)).content.decode()
        assert f"That code is not right. {left} tr" in page
    locked = post_sign(client, sound_project, version, code=wrong(code)).content.decode()
    assert "that was the 5th wrong try: signing is locked until" in locked

    # Locked: even the right code does not sign, and no new code can be sent.
    assert (
        "Signing is locked after 5 wrong codes" in post_sign(client, sound_project, version, code=code).content.decode()
    )
    with pytest.raises(WorkflowError, match="Signing is locked"):
        identity.signing_code_send(project=sound_project, actor=priya)
    assert not SignOff.objects.exists()
    assert SigningCode.objects.get().attempts == 5
    assert ActivityEvent.objects.filter(verb="signing_code_wrong").count() == 5

    # Fifteen minutes later a new code works.
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        fresh = send_code(sound_project, priya)
        assert post_sign(client, sound_project, version, code=fresh).status_code == 302
    assert SignOff.objects.get().identity == "email_code"


def test_a_code_older_than_ten_minutes_is_refused(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    priya = client_signatory(sound_project)
    code = send_code(sound_project, priya)

    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        with pytest.raises(WorkflowError, match="That code has expired: codes work for 10 minutes"):
            identity.signing_code_confirm(project=sound_project, actor=priya, code=code)
        with pytest.raises(WorkflowError, match="Confirm the 6-digit code"):
            sign(sound_project, priya, version, with_code=False)
    assert not SignOff.objects.exists()


def test_a_confirmed_code_signs_once_and_cannot_be_replayed(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    priya = client_signatory(sound_project)
    code = send_code(sound_project, priya)
    identity.signing_code_confirm(project=sound_project, actor=priya, code=code)
    sign(sound_project, priya, version, with_code=False)

    assert SigningCode.objects.get().used_at is not None
    with pytest.raises(WorkflowError, match="Send yourself a code first"):
        identity.signing_code_confirm(project=sound_project, actor=priya, code=code)


def test_a_refused_signature_keeps_the_confirmed_code_for_the_corrected_attempt(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    priya = client_signatory(sound_project)
    identity.signing_code_confirm(project=sound_project, actor=priya, code=send_code(sound_project, priya))

    with pytest.raises(WorkflowError, match="as it appears on your account"):
        sign(sound_project, priya, version, typed_name="P. Raman", with_code=False)
    assert SigningCode.objects.get().used_at is None  # rolled back with the refused signature
    assert sign(sound_project, priya, version, with_code=False).identity == "email_code"


def test_codes_are_throttled_one_a_minute_and_five_an_hour(sound_project, lead, reviewer):
    to_awaiting_signoff(sound_project, lead, reviewer)
    priya = client_signatory(sound_project)
    start = timezone.now()
    send_code(sound_project, priya)
    with pytest.raises(WorkflowError, match="you can ask for another in"):
        send_code(sound_project, priya)
    for minute in range(2, 6):
        with time_machine.travel(start + timedelta(minutes=minute)):
            send_code(sound_project, priya)
    with time_machine.travel(start + timedelta(minutes=7)), pytest.raises(WorkflowError, match="5 codes were sent"):
        send_code(sound_project, priya)
    assert SigningCode.objects.count() == 5


def test_the_code_is_removed_from_the_outbox_once_sent(sound_project, lead, reviewer, settings):
    from accounts.services import email_deliver

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    to_awaiting_signoff(sound_project, lead, reviewer)
    priya = client_signatory(sound_project)
    code = send_code(sound_project, priya)
    email = OutboundEmail.objects.filter(to=priya.email).latest("id")
    assert f"Your code: {code[:3]} {code[3:]}" in email.body

    email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == "sent"
    assert code[:3] + " " + code[3:] not in email.body
    assert "Your code: [removed once the e-mail was sent or given up]" in email.body


def test_the_lead_consultant_signs_on_their_staff_sign_in_without_a_code(sound_project, lead, reviewer):
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    assert sign(sound_project, lead, version).identity == "sign_in"
    assert not SigningCode.objects.exists()


def test_a_code_cannot_be_sent_when_nothing_awaits_signature_or_the_request_ran_out(sound_project, lead, reviewer):
    priya = client_signatory(sound_project)
    with pytest.raises(WorkflowError, match="not out for signature now"):
        identity.signing_code_send(project=sound_project, actor=priya)
    to_awaiting_signoff(sound_project, lead, reviewer)
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        with pytest.raises(WorkflowError, match="This sign-off request expired on"):
            identity.signing_code_send(project=sound_project, actor=priya)
