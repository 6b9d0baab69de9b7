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


# --- An invitation for an address that already has an account (issue 9.2) ---------------------------------------
EXISTING_PASSWORD = "the-holder-s-own-passphrase-7"


@pytest.fixture
def existing_holder(project):
    """A stakeholder of the same client who already has an account (e.g. from an earlier project)."""
    from tests.factories import ClientUserFactory

    return ClientUserFactory(
        username="sam", email="sam@client.test", client=project.client, first_name="Sam", password=EXISTING_PASSWORD
    )


@pytest.fixture
def invited_existing(client, project, lead, existing_holder, django_capture_on_commit_callbacks):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(client, project).status_code == 302
    client.logout()
    return link_from_mail()


@pytest.mark.django_db
def test_an_invitation_never_sets_the_password_of_an_existing_account(client, invited_existing, existing_holder):
    page = client.get(invited_existing).content.decode()
    assert "You already have an account — log in to accept" in page
    assert "Choose a password" not in page

    response = client.post(invited_existing, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    existing_holder.refresh_from_db()
    assert existing_holder.check_password(EXISTING_PASSWORD) and not existing_holder.check_password(NEW_PASSWORD)
    assert "_auth_user_id" not in client.session  # nobody was logged in by the link
    assert response.status_code == 200 and not ClientParticipant.objects.exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.django_db
def test_the_invitation_mail_tells_an_existing_holder_to_log_in(invited_existing):
    assert "You already have a Firstslice account" in mail.outbox[-1].body
    assert "Choose your password" not in mail.outbox[-1].body


@pytest.mark.django_db
def test_an_existing_holder_logs_in_returns_to_the_invitation_and_accepts_with_one_click(
    client, invited_existing, existing_holder, project
):
    page = client.get(invited_existing).content.decode()
    login_url = reverse("login") + "?next=" + invited_existing.replace("/", "%2F")
    assert login_url in page

    response = client.post(login_url, {"username": "sam@client.test", "password": EXISTING_PASSWORD})
    assert response.status_code == 302 and response["Location"] == invited_existing

    page = client.get(invited_existing).content.decode()
    assert "You are logged in as <strong>Sam" in page and "Accept invitation" in page
    response = client.post(invited_existing)

    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    participant = ClientParticipant.objects.get(project=project)
    assert participant.user == existing_holder and participant.role_title == "CFO"
    existing_holder.refresh_from_db()
    assert existing_holder.check_password(EXISTING_PASSWORD)
    assert client.get(invited_existing).status_code == 404  # used


@pytest.mark.django_db
def test_someone_else_logged_in_is_refused_with_a_clear_sentence(client, invited_existing, participant):
    client.force_login(participant)
    for response in (client.get(invited_existing), client.post(invited_existing)):
        assert response.status_code == 403
        text = response.content.decode()
        assert f"This invitation is for sam@client.test, but you are logged in as {participant.display_name}" in text
        assert "Log out, then open the link again." in text
    assert (
        Invitation.objects.get().accepted_at is None
        and not ClientParticipant.objects.filter(user__email="sam@client.test").exists()
    )


@pytest.mark.django_db
def test_a_new_address_cannot_be_accepted_while_logged_in_as_someone_else(client, invited, participant):
    client.force_login(participant)
    response = client.post(invited, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 403
    assert "but you are logged in as" in response.content.decode()
    assert not ClientParticipant.objects.filter(user__email="sam@client.test").exists()


@pytest.mark.django_db
def test_the_accept_service_refuses_an_existing_account_without_its_login(invited_existing, existing_holder):
    from scoping.projects import services

    token = invited_existing.rstrip("/").split("/")[-1]
    with pytest.raises(services.InvitationRefused, match="log in to accept"):
        services.invitation_accept(token=token, password=NEW_PASSWORD)
    existing_holder.refresh_from_db()
    assert existing_holder.check_password(EXISTING_PASSWORD)


# --- Resend, revoke, copy link, re-invite (issue 9.17) -------------------------------------------------------------
def team_page(client, project) -> str:
    return client.get(reverse("projects:team", args=[project.pk])).content.decode()


@pytest.mark.django_db
def test_re_inviting_an_address_refreshes_the_pending_invitation(
    client, project, lead, invited, django_capture_on_commit_callbacks
):
    first = Invitation.objects.get()
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, project, email="SAM@client.test", first_name="Samantha", is_signatory="on")
    assert response.status_code == 302

    assert Invitation.objects.count() == 1
    refreshed = Invitation.objects.get()
    assert refreshed.pk == first.pk and refreshed.first_name == "Samantha" and refreshed.is_signatory
    assert refreshed.token_hash != first.token_hash and refreshed.expires_at >= first.expires_at
    client.logout()
    assert client.get(invited).status_code == 404  # the earlier link no longer works
    assert client.get(link_from_mail()).status_code == 200


@pytest.mark.django_db
def test_resend_mails_a_fresh_link_and_the_old_one_stops_working(
    client, project, lead, invited, django_capture_on_commit_callbacks
):
    invitation = Invitation.objects.get()
    client.force_login(lead)
    sent_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:invitation_resend", args=[project.pk, invitation.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == sent_before + 1 and mail.outbox[-1].to == ["sam@client.test"]
    fresh = link_from_mail()
    assert fresh != invited
    client.logout()
    assert client.get(invited).status_code == 404
    assert client.get(fresh).status_code == 200
    assert project.events.filter(verb="invitation_resent").count() == 1


@pytest.mark.django_db
def test_revoking_asks_first_then_the_link_stops_working(client, project, lead, invited):
    invitation = Invitation.objects.get()
    client.force_login(lead)
    url = reverse("projects:invitation_revoke", args=[project.pk, invitation.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Revoke the invitation for sam@client.test?" in confirm.content.decode()
    assert Invitation.objects.get().revoked_at is None  # asking is not doing

    response = client.post(url)
    assert response.status_code == 302
    assert Invitation.objects.get().revoked_at is not None
    assert "revoked. Its link no longer works" in team_page(client, project)  # the message, once
    assert "sam@client.test" not in team_page(client, project)
    assert project.events.filter(verb="invitation_revoked").count() == 1
    client.logout()
    assert client.get(invited).status_code == 404


@pytest.mark.django_db
def test_copy_link_shows_a_fresh_link_once_and_explains_why(
    client, project, lead, invited, django_capture_on_commit_callbacks
):
    invitation = Invitation.objects.get()
    client.force_login(lead)
    sent_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:invitation_link", args=[project.pk, invitation.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    match = re.search(r'value="(http://\S+/accounts/invite/\S+/)"', page)
    assert match, page
    assert "shown only this once" in page and "old link has stopped working" in page
    assert len(mail.outbox) == sent_before  # nothing mailed: staff pass this link on themselves
    assert match.group(1) not in team_page(client, project)  # not shown again
    client.logout()
    assert client.get(invited).status_code == 404
    assert client.get(match.group(1).split("127.0.0.1:8000")[-1]).status_code == 200


@pytest.mark.django_db
def test_only_the_project_team_can_resend_revoke_or_copy(client, project, invited, outsider, participant):
    invitation = Invitation.objects.get()
    for who in (outsider, participant):
        client.force_login(who)
        for name in ("invitation_resend", "invitation_link", "invitation_revoke"):
            response = client.post(reverse(f"projects:{name}", args=[project.pk, invitation.pk]))
            assert response.status_code in (403, 404), (who, name)
    assert Invitation.objects.get().revoked_at is None
    assert Invitation.objects.get().token_hash == invitation.token_hash


@pytest.mark.django_db
def test_after_copy_link_the_team_page_says_the_e_mailed_link_was_replaced_until_the_next_resend(
    client, project, lead, invited, django_capture_on_commit_callbacks
):
    invitation = Invitation.objects.get()
    client.force_login(lead)
    assert "e-mail delivered" in team_page(client, project)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:invitation_link", args=[project.pk, invitation.pk]))
    page = team_page(client, project)
    # The e-mailed link stopped working: "delivered" alone would tell staff the invitee can use it.
    assert "e-mail delivered" not in page
    assert "the e-mailed link was replaced by a copied link" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:invitation_resend", args=[project.pk, invitation.pk]))
    page = team_page(client, project)
    assert "e-mail delivered" in page and "was replaced" not in page


@pytest.mark.django_db
def test_the_team_page_says_not_delivered_when_the_mail_server_refused(
    client, project, lead, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.mail.message import EmailMessage

    server_down = [True]
    real_send = EmailMessage.send

    def send(message, *args, **kwargs):
        if server_down[0]:
            raise ConnectionRefusedError("Connection refused")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(client, project).status_code == 302
    page = team_page(client, project)
    assert "not delivered: resend" in page and "ConnectionRefusedError: Connection refused" in page

    server_down[0] = False
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:invitation_resend", args=[project.pk, invitation.pk]))
    page = team_page(client, project)
    assert "not delivered: resend" not in page and "e-mail delivered" in page


@pytest.mark.django_db
def test_an_account_that_became_staff_or_moved_client_cannot_accept(client, invited_existing, existing_holder):
    from tests.factories import ClientFactory

    for change in ({"role": "consultant"}, {"client": ClientFactory()}):
        type(existing_holder).objects.filter(pk=existing_holder.pk).update(**change)
        client.force_login(existing_holder)
        response = client.post(invited_existing)
        assert response.status_code == 403
        assert "your account cannot accept it" in response.content.decode()
        assert not ClientParticipant.objects.exists()
        type(existing_holder).objects.filter(pk=existing_holder.pk).update(
            role="client", client=Invitation.objects.get().project.client
        )
