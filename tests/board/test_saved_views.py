"""Saved views: a person saves the board's filters under a name, sees only their own, and deletes with confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import SavedView

pytestmark = pytest.mark.django_db


def test_saving_keeps_the_valid_filters_and_lists_the_view_to_its_owner_only(client, lead, member, reviewer):
    client.force_login(lead)
    response = client.post(
        reverse("projects:saved_view_create"),
        {"name": "Overdue drafts", "filters": "overdue=1&stage=draft&junk=x&lead=notanumber"},
    )
    view = SavedView.objects.get(user=lead)
    assert (view.name, view.query_string) == ("Overdue drafts", "stage=draft&overdue=1")
    assert response["Location"] == reverse("projects:board") + "?stage=draft&overdue=1"
    body = client.get(reverse("projects:board")).content.decode()
    assert f'href="{reverse("projects:board")}?stage=draft&amp;overdue=1">Overdue drafts</a>' in body

    client.force_login(member)
    assert "Overdue drafts" not in client.get(reverse("projects:board")).content.decode()


def test_saving_under_the_same_name_replaces_the_filters(client, lead):
    client.force_login(lead)
    client.post(reverse("projects:saved_view_create"), {"name": "Mine", "filters": "stage=draft"})
    client.post(reverse("projects:saved_view_create"), {"name": "Mine", "filters": "stage=approved"})
    assert list(SavedView.objects.filter(user=lead).values_list("name", "query_string")) == [("Mine", "stage=approved")]


def test_a_view_without_a_name_is_refused_with_a_sentence(client, lead):
    client.force_login(lead)
    response = client.post(reverse("projects:saved_view_create"), {"name": "", "filters": ""}, follow=True)
    assert "Give the view a name" in response.content.decode()
    assert not SavedView.objects.exists()


def test_deleting_asks_first_and_only_the_owner_can(client, lead, member):
    view = SavedView.objects.create(user=lead, name="Mine", query_string="stage=draft")
    url = reverse("projects:saved_view_delete", args=[view.pk])
    client.force_login(member)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(lead)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Delete the saved view “Mine”?" in confirm.content.decode()
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert client.post(url)["Location"] == reverse("projects:board")
    assert not SavedView.objects.filter(pk=view.pk).exists()
