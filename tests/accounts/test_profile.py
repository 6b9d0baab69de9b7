"""The profile page: display name (what a signatory types to sign), e-mail address and password."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scoping.models import ActivityEvent
from tests.factories import PASSWORD, UserFactory

URL = "/accounts/profile/"


def save_profile(client, **data):
    return client.post(URL, {"action": "profile", **data})


@pytest.mark.django_db
def test_the_profile_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_correcting_the_display_name_changes_what_you_sign_as_and_is_audited(client, participant):
    client.force_login(participant)
    old_name = participant.display_name
    page = client.get(URL).content.decode()
    assert f"<strong>{old_name}</strong>" in page

    response = save_profile(client, first_name="  Priya ", last_name="Raman-Shah", email=participant.email)

    assert response.status_code == 302 and response["Location"] == URL
    participant.refresh_from_db()
    assert participant.display_name == "Priya Raman-Shah"
    assert "You sign as “Priya Raman-Shah”" in client.get(URL).content.decode()
    event = ActivityEvent.objects.get(verb="profile_changed")
    assert event.actor == participant
    assert event.changes["last_name"][1] == "Raman-Shah" and event.changes["first_name"][1] == "Priya"
    assert event.changes["first_name"][0] == old_name.split(" ")[0]


@pytest.mark.django_db
def test_an_e_mail_taken_by_another_account_is_refused_on_the_field(client, participant, lead):
    client.force_login(participant)
    before = participant.email
    response = save_profile(client, first_name="Pat", last_name="", email=lead.email.upper())
    assert response.status_code == 200
    assert "Another account already uses this e-mail address." in response.content.decode()
    assert 'value="Pat"' in response.content.decode()  # nothing typed is lost
    participant.refresh_from_db()
    assert participant.email == before and not ActivityEvent.objects.filter(verb="profile_changed").exists()


@pytest.mark.django_db
def test_a_malformed_e_mail_or_blank_first_name_is_a_message_not_a_500(client, participant):
    client.force_login(participant)
    response = save_profile(client, first_name="", last_name="X", email="not-an-address")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Enter a valid email address." in text and "This field is required." in text


@pytest.mark.django_db
def test_changing_the_e_mail_saves_it_in_lower_case(client, participant):
    client.force_login(participant)
    save_profile(client, first_name="Pat", last_name="Doe", email="Pat.Doe@Client.TEST")
    participant.refresh_from_db()
    assert participant.email == "pat.doe@client.test"
    assert ActivityEvent.objects.get(verb="profile_changed").changes["email"][1] == "pat.doe@client.test"


@pytest.mark.django_db
def test_changing_the_password_keeps_you_logged_in_and_is_audited(client):
    user = UserFactory(username="casey")
    client.force_login(user)
    new = "a-brand-new-passphrase-31"
    response = client.post(
        URL, {"action": "password", "old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.get(URL).status_code == 200  # session kept
    event = ActivityEvent.objects.get(verb="password_changed")
    assert event.actor == user and new not in str(event.changes)


@pytest.mark.django_db
def test_a_wrong_old_password_changes_nothing(client):
    user = UserFactory(username="casey")
    client.force_login(user)
    response = client.post(
        URL,
        {
            "action": "password",
            "old_password": "nope",
            "new_password1": "x-new-pass-77",
            "new_password2": "x-new-pass-77",
        },
    )
    assert response.status_code == 200 and "Your old password was entered incorrectly" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
