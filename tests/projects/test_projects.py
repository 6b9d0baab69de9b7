from __future__ import annotations

import pytest
from django.urls import reverse

from scoping.models import DiscoveryProject, Stage
from tests.factories import ClientFactory, ProjectFactory, UserFactory


@pytest.mark.django_db
def test_the_pipeline_filters_by_stage_and_client_searches_and_paginates(client, lead):
    acme, globex = ClientFactory(name="Acme"), ClientFactory(name="Globex")
    for i in range(30):
        ProjectFactory(client=acme if i % 2 else globex, lead_consultant=lead, name=f"Workflow {i:02d}")
    DiscoveryProject.objects.filter(name="Workflow 03").update(stage=Stage.IN_REVIEW)
    client.force_login(lead)
    page1 = client.get(reverse("projects:list")).content.decode()
    assert "Page 1 of 2" in page1
    only_review = client.get(reverse("projects:list"), {"stage": "in_review"}).content.decode()
    assert "Workflow 03" in only_review and "Workflow 05" not in only_review
    acme_only = client.get(reverse("projects:list"), {"client": acme.pk}).content.decode()
    assert "Workflow 01" in acme_only and "Workflow 02" not in acme_only
    search = client.get(reverse("projects:list"), {"q": "workflow 1"}).content.decode()
    assert "Workflow 12" in search and "Workflow 22" not in search


@pytest.mark.django_db
def test_bad_filter_values_never_give_a_500(client, lead):
    client.force_login(lead)
    for params in ({"stage": "nonsense"}, {"client": "abc"}, {"page": "-1"}, {"page": "999"}, {"q": "x" * 5000}):
        assert client.get(reverse("projects:list"), params).status_code == 200


@pytest.mark.django_db
def test_archiving_asks_for_confirmation_first(client, project, lead):
    client.force_login(lead)
    response = client.get(reverse("projects:archive", args=[project.pk]))
    assert "Archive project" in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.DRAFT
    client.post(reverse("projects:archive", args=[project.pk]))
    project.refresh_from_db()
    assert project.stage == Stage.ARCHIVED and project.archived_from_stage == Stage.DRAFT


@pytest.mark.django_db
def test_hostile_text_is_stored_as_typed_and_shown_escaped(client, lead):
    acme = ClientFactory(name="Acme")
    client.force_login(lead)
    hostile = '<script>alert(1)</script><img src="file:///etc/passwd"> {{ 7*7 }} مرحبا 你好 नमस्ते 🚀'
    client.post(
        reverse("projects:create"),
        {"client": acme.pk, "name": hostile, "lead_consultant": lead.pk, "currency": "EUR"},
    )
    project = DiscoveryProject.objects.get(client=acme)
    assert project.name == hostile
    page = client.get(project.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "مرحبا 你好 नमस्ते 🚀" in page and "{{ 7*7 }}" in page


@pytest.mark.django_db
def test_a_too_long_name_and_a_bad_currency_are_refused_and_the_input_kept(client, lead):
    acme = ClientFactory(name="Acme")
    client.force_login(lead)
    response = client.post(
        reverse("projects:create"),
        {"client": acme.pk, "name": "n" * 201, "lead_consultant": lead.pk, "currency": "euro"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "at most 200 characters" in page
    assert "three-letter ISO 4217" in page
    assert "n" * 201 in page  # nothing the user typed is lost


@pytest.mark.django_db
def test_members_can_be_added_and_then_see_the_project(client, project, lead):
    colleague = UserFactory(username="colleague", role="consultant")
    client.force_login(colleague)
    assert client.get(project.get_absolute_url()).status_code == 404
    client.force_login(lead)
    client.post(reverse("projects:team", args=[project.pk]), {"action": "add_member", "user": colleague.pk})
    client.force_login(colleague)
    assert client.get(project.get_absolute_url()).status_code == 200
    assert project.events.filter(verb="member_added").exists()
