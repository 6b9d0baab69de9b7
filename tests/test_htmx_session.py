"""A session that expires during the htmx status poll reloads the login page instead of swapping it into the row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.services import document_create
from documents.versioning import version_freeze
from tests.documents.job_fixtures import import_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(lead):
    project = import_project(lead)
    version = version_freeze(project=project, actor=lead)
    return document_create(version=version, kind="draft", requested_by=lead)


def _status_url(document) -> str:
    return reverse("projects:document_status", args=[document.version.project_id, document.pk])


def test_an_htmx_poll_from_a_logged_out_session_gets_a_client_side_redirect_to_the_login_page(client, queued):
    documents_page = reverse("projects:documents", args=[queued.version.project_id])
    response = client.get(
        _status_url(queued),
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{documents_page}?page=2"},
    )
    assert response.status_code == 200
    assert "Location" not in response
    assert response["HX-Redirect"] == f"{reverse('login')}?next={documents_page}%3Fpage%3D2"
    assert b"<form" not in response.content  # nothing to swap into the table row


def test_without_a_current_url_the_login_redirect_keeps_the_requested_path(client, queued):
    response = client.get(_status_url(queued), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == f"{reverse('login')}?next={_status_url(queued)}"


def test_a_current_url_from_another_site_is_not_used_as_next(client, queued):
    response = client.get(
        _status_url(queued), headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/phish"}
    )
    assert "evil.example" not in response["HX-Redirect"]


def test_a_plain_request_from_a_logged_out_session_still_gets_the_ordinary_redirect(client, queued):
    response = client.get(_status_url(queued))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "HX-Redirect" not in response


def test_a_logged_in_htmx_poll_gets_the_row(client, lead, queued):
    client.force_login(lead)
    response = client.get(_status_url(queued), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert f'id="document-{queued.pk}"' in response.content.decode()


def test_other_htmx_redirects_are_left_alone(client, lead, queued, settings):
    # A redirect that is not to the login page (here: the trailing-slash redirect) is not rewritten.
    client.force_login(lead)
    response = client.get(_status_url(queued).rstrip("/"), headers={"HX-Request": "true"})
    assert response.status_code == 301
    assert "HX-Redirect" not in response
