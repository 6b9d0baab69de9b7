"""Documents through the API: request a PDF, poll its status while a REAL worker renders it, download it."""

from __future__ import annotations

import hashlib

import pytest

from api.tokens import token_create
from documents.models import DocumentStatus, ScopeDocument
from scoping.models import ActivityEvent, ProjectMember
from tests.documents.job_fixtures import import_project, stored_pdf, wait_for_status

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def bearer(user, scope: str = "read_write") -> dict[str, str]:
    _token, raw = token_create(user=user, name="integration", scope=scope, lifetime_days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def request_pdf(client, project, headers, **payload):
    return client.post(
        f"/api/v1/projects/{project.pk}/documents", data=payload, content_type="application/json", **headers
    )


def test_a_pdf_requested_through_the_api_is_rendered_polled_and_downloaded(client, lead, job_worker, job_settings):
    project = import_project(lead)
    headers = bearer(lead)

    response = request_pdf(client, project, headers, kind="draft")

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["version"] == 1 and body["kind"] == "draft"
    assert response["Location"] == f"/api/v1/projects/{project.pk}/documents/{body['id']}"
    early = client.get(f"{response['Location']}/download", **headers)
    if early.status_code != 200:  # the worker may already have finished; otherwise it is a sentence, not a 500
        assert early.status_code == 409 and "not ready yet" in early.json()["message"]

    wait_for_status(body["id"], DocumentStatus.READY, DocumentStatus.FAILED)
    status = client.get(response["Location"], **headers).json()
    assert status["status"] == "ready", status["error_message"]
    download = client.get(f"{response['Location']}/download", **headers)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    pdf = b"".join(download.streaming_content)
    assert pdf == stored_pdf(ScopeDocument.objects.get(pk=body["id"]))
    assert hashlib.sha256(pdf).hexdigest() == status["sha256"]
    assert ActivityEvent.objects.filter(project=project, verb="document_downloaded").count() == 1

    again = request_pdf(client, project, headers, kind="draft", version=1)
    assert again.status_code == 202 and again.json()["version"] == 1


def test_requesting_needs_a_read_write_token_and_the_team(client, lead, reviewer, outsider, job_settings):
    project = import_project(lead)

    assert request_pdf(client, project, bearer(lead, "read"), kind="draft").status_code == 403
    assert request_pdf(client, project, bearer(outsider), kind="draft").status_code == 404
    assert request_pdf(client, project, bearer(reviewer), kind="draft").status_code == 403
    assert not ScopeDocument.objects.filter(version__project=project).exists()


def test_bad_requests_are_sentences(client, lead, job_settings):
    project = import_project(lead)
    ProjectMember.objects.get_or_create(project=project, user=lead)
    headers = bearer(lead)

    unknown_version = request_pdf(client, project, headers, kind="draft", version=7)
    signed_without_signoff = request_pdf(client, project, headers, kind="signed")
    bad_kind = request_pdf(client, project, headers, kind="poster")

    assert (unknown_version.status_code, unknown_version.json()["message"]) == (
        404,
        "This project has no version 7.",
    )
    assert signed_without_signoff.status_code == 409
    assert "no sign-off yet" in signed_without_signoff.json()["message"]
    assert bad_kind.status_code == 422
    missing = client.get(f"/api/v1/projects/{project.pk}/documents/999999", **headers)
    assert (missing.status_code, missing.json()["message"]) == (404, "No such document of this project.")
