from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", ["lead", "lead@example.test", "LEAD@Example.Test"])
def test_people_log_in_with_their_username_or_their_email(client, lead, identifier):
    response = client.post(reverse("login"), {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(lead.pk)


@pytest.mark.django_db
def test_a_wrong_password_or_unknown_email_gets_one_clear_message(client, lead):
    for identifier, password in (("lead@example.test", "wrong"), ("nobody@example.test", PASSWORD)):
        response = client.post(reverse("login"), {"username": identifier, "password": password})
        assert response.status_code == 200
        assert "That username or e-mail and password do not match" in response.content.decode()
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_inactive_account_cannot_log_in_by_email(client, lead):
    lead.is_active = False
    lead.save()
    response = client.post(reverse("login"), {"username": "lead@example.test", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
