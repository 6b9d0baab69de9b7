from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_five_failed_logins_lock_the_account_with_a_clear_message(client, lead):
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "lead", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "lead", "password": "wrong"})
    assert response.status_code == 429
    assert "Login locked for 15 minutes" in response.content.decode()
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_lockouts_last_longer(client, lead):
    from axes.models import AccessAttempt

    for _ in range(5):
        client.post(reverse("login"), {"username": "lead", "password": "wrong"})
    AccessAttempt.objects.all().delete()  # the first lock-out has expired
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "lead", "password": "wrong"})
    assert response.status_code == 429
    assert "Login locked for 1 hour" in response.content.decode()


@pytest.mark.django_db
def test_a_correct_login_before_the_limit_succeeds(client, lead):
    client.post(reverse("login"), {"username": "lead", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_alternating_username_and_email_does_not_buy_more_attempts(client, lead):
    for identifier in ("lead", "lead@example.test", "lead", "LEAD@example.test"):
        assert client.post(reverse("login"), {"username": identifier, "password": "wrong"}).status_code == 200
    response = client.post(reverse("login"), {"username": "lead@example.test", "password": "wrong"})
    assert response.status_code == 429
    response = client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert response.status_code == 429
