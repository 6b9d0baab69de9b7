"""Faults around the PDF job, with real worker subprocesses on Redis: killed worker, Redis down, broken template."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import render_job, services
from documents.models import DocumentStatus, ScopeDocument
from documents.versioning import version_freeze
from scoping.models import ActivityEvent, ScopeVersion
from tests.documents.job_fixtures import (
    finish_with_a_fresh_worker,
    import_project,
    start_worker,
    stored_pdf,
    wait_for_status,
)
from tests.documents.worker_harness import RENDER_DELAY_ENV, TEMPLATE_DIR_ENV, unique_queue

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 6  # seconds before Redis hands an unacknowledged job to another worker
SHORT_TIMEOUTS = {
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    "CELERY_TASK_TIME_LIMIT": "5",
    "CELERY_TASK_SOFT_TIME_LIMIT": "4",
}
DEAD_BROKER = "redis://127.0.0.1:1/5"


@pytest.fixture
def queue(job_settings):
    name = unique_queue("faults")
    job_settings.DOCUMENT_QUEUE = name
    return name


def _status_row(client, document):
    url = reverse("projects:document_status", args=[document.version.project_id, document.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def _kill_mid_render(job_space, queue, lead, **worker_env):
    """Request a PDF, let a slow worker start rendering it, SIGKILL that worker; return the document."""
    slow = start_worker(job_space, queue=queue, name="slow", **{RENDER_DELAY_ENV: "120"}, **worker_env)
    try:
        project = import_project(lead)
        version = version_freeze(project=project, actor=lead)
        document = services.document_request(version=version, kind="draft", requested_by=lead)
        document = wait_for_status(document.pk, DocumentStatus.RENDERING)
        slow.kill()
    finally:
        slow.stop()
    time.sleep(0.5)
    document.refresh_from_db()
    assert document.status == DocumentStatus.RENDERING  # killed mid-render: nobody could record anything
    assert document.attempts == 1
    return document


def test_a_worker_killed_mid_render_is_delivered_again_and_completes(lead, job_space, queue):
    document = _kill_mid_render(job_space, queue, lead, **SHORT_TIMEOUTS)

    # acks_late: the killed worker never acknowledged the job, so Redis hands it out again after the visibility
    # timeout, to the next worker that starts.
    wait = document.started_at.timestamp() + VISIBILITY_TIMEOUT + 1 - timezone.now().timestamp()
    time.sleep(max(0.0, wait))
    document = finish_with_a_fresh_worker(job_space, document.pk, queue=queue, timeout=90, **SHORT_TIMEOUTS)
    assert document.status == DocumentStatus.READY, document.error_message
    assert document.attempts == 2
    assert stored_pdf(document).startswith(b"%PDF-")


def test_a_stale_render_is_queued_again_when_the_page_polls(client, lead, job_space, queue, job_settings):
    document = _kill_mid_render(job_space, queue, lead)
    job_settings.CELERY_TASK_TIME_LIMIT = 1
    job_settings.DOCUMENT_STALE_MARGIN_SECONDS = 1
    time.sleep(2.5)

    client.force_login(lead)
    row = _status_row(client, document)
    document.refresh_from_db()
    assert document.status == DocumentStatus.QUEUED
    assert "queued again automatically" in row
    assert 'hx-trigger="every 1s"' in row  # still being watched

    document = finish_with_a_fresh_worker(job_space, document.pk, queue=queue)
    assert document.status == DocumentStatus.READY, document.error_message
    assert document.attempts == 2


def test_a_stale_render_out_of_attempts_is_failed_by_the_sweep_and_retry_completes_it(
    client, lead, job_space, queue, job_settings, monkeypatch
):
    document = _kill_mid_render(job_space, queue, lead)
    job_settings.CELERY_TASK_TIME_LIMIT = 1
    job_settings.DOCUMENT_STALE_MARGIN_SECONDS = 1
    monkeypatch.setattr(services, "MAX_RENDER_ATTEMPTS", 1)
    time.sleep(2.5)

    assert services.documents_sweep_stale() == 1  # the periodic sweep
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.error_message == services.STALE_RENDERING_MESSAGE

    client.force_login(lead)
    row = _status_row(client, document)
    assert "The PDF worker stopped while making this document" in row
    assert "Retry" in row
    assert "hx-trigger" not in row

    response = client.post(reverse("projects:document_retry", args=[document.version.project_id, document.pk]))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.QUEUED
    assert document.error_message == ""
    document = finish_with_a_fresh_worker(job_space, document.pk, queue=queue)
    assert document.status == DocumentStatus.READY, document.error_message
    assert ActivityEvent.objects.filter(verb="document_retried", actor=lead).count() == 1


SHORT_LEASE = {"DOCUMENT_LEASE_SECONDS": "3", "DOCUMENT_LEASE_RENEW_SECONDS": "1"}


def test_a_killed_workers_lease_lapses_and_the_sweep_queues_the_document_again_within_seconds(
    client, lead, job_space, queue
):
    # Default time limits (180 s hard limit): only the lapsed lease can tell that the worker is gone.
    document = _kill_mid_render(job_space, queue, lead, **SHORT_LEASE)
    assert document.lease_expires_at is not None
    killed_at = timezone.now()
    assert services.documents_sweep_stale() == 0  # the lease is still running

    wait = (document.lease_expires_at - timezone.now()).total_seconds() + 0.2
    time.sleep(max(0.0, wait))
    client.force_login(lead)
    row = _status_row(client, document)  # the status poll sweeps the document on screen
    document.refresh_from_db()
    assert document.status == DocumentStatus.QUEUED
    assert "queued again automatically" in row
    assert (timezone.now() - killed_at).total_seconds() < 10  # not after the 240 s of hard limit plus margin

    document = finish_with_a_fresh_worker(job_space, document.pk, queue=queue, **SHORT_LEASE)
    assert document.status == DocumentStatus.READY, document.error_message
    assert document.attempts == 2
    assert document.lease_expires_at is None


def test_a_live_render_renews_its_lease_so_the_sweep_leaves_it_alone(lead, job_space, queue):
    worker = start_worker(job_space, queue=queue, name="slow", **{RENDER_DELAY_ENV: "6"}, **SHORT_LEASE)
    try:
        project = import_project(lead)
        version = version_freeze(project=project, actor=lead)
        document = services.document_request(version=version, kind="draft", requested_by=lead)
        document = wait_for_status(document.pk, DocumentStatus.RENDERING)
        first_lease = document.lease_expires_at
        time.sleep(4.5)  # longer than the 3 s lease: only a renewal keeps it alive
        assert services.documents_sweep_stale() == 0
        document.refresh_from_db()
        assert document.status == DocumentStatus.RENDERING
        assert document.lease_expires_at > first_lease
        assert document.lease_expires_at > timezone.now()
        document = wait_for_status(document.pk, DocumentStatus.READY, DocumentStatus.FAILED)
    finally:
        worker.stop()
    assert document.status == DocumentStatus.READY, document.error_message
    assert document.attempts == 1


def test_a_broken_template_ends_failed_with_a_message_and_the_pages_still_answer(
    client, lead, job_space, queue, tmp_path
):
    broken = tmp_path / "templates" / "reports"
    broken.mkdir(parents=True)
    (broken / "scope_document.html").write_text("<h1>{% if %}</h1>")
    worker = start_worker(job_space, queue=queue, name="broken", **{TEMPLATE_DIR_ENV: str(tmp_path / "templates")})
    try:
        project = import_project(lead)
        version = version_freeze(project=project, actor=lead)
        document = services.document_request(version=version, kind="draft", requested_by=lead)
        document = wait_for_status(document.pk, DocumentStatus.READY, DocumentStatus.FAILED)
    finally:
        worker.stop()
    assert document.status == DocumentStatus.FAILED
    assert document.error_message.startswith("The PDF template has an error")
    assert not document.file

    client.force_login(lead)
    row = _status_row(client, document)
    assert "The PDF template has an error" in row
    assert "Retry" in row
    page = client.get(reverse("projects:documents", args=[project.pk]))
    assert page.status_code == 200
    assert "Failed" in page.content.decode()
    download = client.get(reverse("projects:document_download", args=[project.pk, document.pk]))
    assert download.status_code == 404


def test_when_redis_is_down_a_request_says_so_and_leaves_no_row(client, lead, queue, monkeypatch):
    project = import_project(lead)
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", DEAD_BROKER)
    client.force_login(lead)
    started = time.monotonic()
    response = client.post(reverse("projects:documents", args=[project.pk]), {"kind": "draft", "version": "current"})
    assert time.monotonic() - started < 10
    assert response.status_code == 200
    assert "The PDF service is not reachable right now; nothing was queued. Try again in a minute." in (
        response.content.decode()
    )
    assert ScopeDocument.objects.count() == 0
    assert ScopeVersion.objects.filter(project=project).count() == 0  # not even the version was frozen
    assert not ActivityEvent.objects.filter(verb__in=("document_requested", "version_frozen")).exists()


def test_when_redis_is_down_the_service_raises_and_a_retry_changes_nothing(lead, queue, monkeypatch):
    project = import_project(lead)
    version = version_freeze(project=project, actor=lead)
    failed = services.document_create(version=version, kind="draft", requested_by=lead)
    render_job.document_fail(document_id=failed.pk, message="Earlier failure.")
    failed.refresh_from_db()
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", DEAD_BROKER)

    with pytest.raises(services.BrokerUnavailable):
        services.document_request(version=version, kind="proposal", requested_by=lead)
    assert list(ScopeDocument.objects.values_list("pk", flat=True)) == [failed.pk]

    with pytest.raises(services.BrokerUnavailable):
        services.document_retry(document=failed, actor=lead)
    failed.refresh_from_db()
    assert (failed.status, failed.error_message) == (DocumentStatus.FAILED, "Earlier failure.")
