from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from scoping.models import ClientParticipant, Invitation

NEW_PASSWORD = "a-long-unusual-passphrase-42"


def invite(client, project, email="sam@client.test", **extra):
    data = {"action": "invite", "first_name": "Sam", "last_name": "Stake", "email": email, "role_title": "CFO"}
    data.update(extra)
    return client.post(reverse("projects:team", args=[project.pk]), data)


def link_from_mail() -> str:
    match = re.search(r"http://\S+/accounts/invite/(\S+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return reverse("accept_invite", args=[match.group(1)])


@pytest.fixture
def invited(client, project, lead, django_capture_on_commit_callbacks):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, project, can_edit="on", is_signatory="on")
    assert response.status_code == 302
    client.logout()
    return link_from_mail()


@pytest.mark.django_db
def test_the_invitation_email_carries_a_working_link_and_the_token_is_not_stored(invited, project):
    invitation = Invitation.objects.get()
    token = invited.rstrip("/").split("/")[-1]
    assert len(token) >= 40  # 32 random bytes, URL-safe
    assert invitation.token_hash != token and len(invitation.token_hash) == 64
    assert mail.outbox[-1].to == ["sam@client.test"]
    assert "signatory" in mail.outbox[-1].body


@pytest.mark.django_db
def test_accepting_sets_a_password_and_joins_the_project_with_its_flags(client, invited, project):
    response = client.post(invited, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    participant = ClientParticipant.objects.get(project=project)
    assert participant.can_edit and participant.is_signatory and participant.role_title == "CFO"
    user = participant.user
    assert user.role == "client" and user.client == project.client and user.check_password(NEW_PASSWORD)
    assert client.get(project.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_the_link_works_only_once(client, invited):
    client.post(invited, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()
    assert client.get(invited).status_code == 404
    response = client.post(invited, {"password1": "another-passphrase-99", "password2": "another-passphrase-99"})
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_link_is_refused(client, invited):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(invited, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 404
    assert not ClientParticipant.objects.exists()


@pytest.mark.django_db
def test_a_guessed_or_truncated_token_is_refused(client, invited):
    token = invited.rstrip("/").split("/")[-1]
    for guess in (token[:-1], token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 500):
        assert client.get(reverse("accept_invite", args=[guess])).status_code == 404


@pytest.mark.django_db
def test_mismatched_passwords_keep_the_link_usable(client, invited):
    response = client.post(invited, {"password1": NEW_PASSWORD, "password2": "different-passphrase-1"})
    assert response.status_code == 200
    assert "The two passwords differ" in response.content.decode()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.django_db
def test_a_staff_email_cannot_be_invited_as_a_stakeholder(client, project, lead, outsider):
    client.force_login(lead)
    response = invite(client, project, email=outsider.email)
    assert response.status_code == 200
    assert "consultancy staff account" in response.content.decode()
    assert not Invitation.objects.exists()
