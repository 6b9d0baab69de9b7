"""The PDF job end to end with a REAL Celery worker on Redis (a subprocess; eager mode is not a test of a job)."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from documents import render_job, services
from documents.certificates import certificate_from_pkcs12
from documents.models import DocumentStatus, ScopeDocument
from documents.signature_checks import inspect_signatures
from documents.tasks import render_document
from documents.versioning import version_freeze
from scoping.models import ActivityEvent, ScopeVersion, SignOff
from scoping.scope.costs import compute_costs, format_money
from scoping.scope.readiness import SECTION_LABELS
from tests.documents.job_fixtures import import_project, pdf_page_count, pdf_text, stored_pdf, wait_for_status
from tests.documents.worker_harness import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kestrel(lead):
    return import_project(lead)


def _request_current(client, project, kind="draft"):
    return client.post(reverse("projects:documents", args=[project.pk]), {"kind": kind, "version": "current"})


def test_a_requested_pdf_is_rendered_by_a_real_worker_from_the_frozen_version(
    client, lead, kestrel, job_worker, job_settings
):
    client.force_login(lead)
    response = _request_current(client, kestrel)
    assert response.status_code == 302
    document = ScopeDocument.objects.get(version__project=kestrel)
    assert document.status in (DocumentStatus.QUEUED, DocumentStatus.RENDERING, DocumentStatus.READY)
    assert document.version.number == 1

    document = wait_for_status(document.pk, DocumentStatus.READY, DocumentStatus.FAILED)
    assert document.status == DocumentStatus.READY, document.error_message
    pdf = stored_pdf(document)
    assert pdf.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert document.byte_size == len(pdf)
    assert document.page_count == pdf_page_count(pdf)
    assert document.render_seconds > 0
    assert document.attempts == 1
    assert document.finished_at >= document.started_at

    text = pdf_text(pdf)
    for label in SECTION_LABELS.values():
        assert label in text, f"section heading {label!r} missing from the PDF"
    launch = compute_costs(document.version.scope["cost_model"]).tiers["launch"]
    assert format_money(launch.cost_per_use, "GBP", per_use=True) in text
    assert document.version.short_hash in text
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert document.version.sha256 in (metadata.get("/Keywords") or "")
    assert ActivityEvent.objects.filter(verb="document_rendered", project=kestrel).count() == 1


def test_the_status_row_polls_while_pending_and_offers_the_download_when_ready(
    client, lead, kestrel, job_worker, job_settings
):
    version = version_freeze(project=kestrel, actor=lead)
    document = services.document_create(version=version, kind="draft", requested_by=lead)  # queued, not yet sent
    client.force_login(lead)
    status_url = reverse("projects:document_status", args=[kestrel.pk, document.pk])
    pending = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in pending
    assert "Queued" in pending
    assert "Download" not in pending

    services._enqueue(document.pk)
    wait_for_status(document.pk, DocumentStatus.READY)
    done = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done  # polling stops
    assert reverse("projects:document_download", args=[kestrel.pk, document.pk]) in done
    assert "<html" not in done  # a partial for htmx, not a page


def test_the_download_is_an_attachment_named_client_project_version(
    client, participant, lead, job_worker, job_settings
):
    project = import_project(lead)
    project.participants.create(user=participant, can_edit=False, is_signatory=True)
    version = version_freeze(project=project, actor=lead)
    document = services.document_request(version=version, kind="proposal", requested_by=lead)
    document = wait_for_status(document.pk, DocumentStatus.READY)

    client.force_login(participant)  # a client stakeholder may download, not only staff
    response = client.get(reverse("projects:document_download", args=[project.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="kestrel-foods-ltd-supplier-invoice-coding-v1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == document.sha256
    assert ActivityEvent.objects.filter(verb="document_downloaded", actor=participant).count() == 1


def test_a_signed_document_carries_a_pades_signature_and_the_signoff_certificate(
    client, lead, participant, job_worker, job_settings, job_space
):
    project = import_project(lead)
    version = version_freeze(project=project, actor=lead)
    SignOff.objects.create(
        version=version,
        user=participant,
        typed_name="Priya Raman",
        role="Finance Director",
        is_client=True,
        ip="203.0.113.7",
        user_agent="Firefox test",
        version_sha256=version.sha256,
        consent=True,
        consent_text="I agree.",
    )
    document = services.document_request(version=version, kind="signed", requested_by=lead, check_broker=False)
    document = wait_for_status(document.pk, DocumentStatus.READY, DocumentStatus.FAILED)
    assert document.status == DocumentStatus.READY, document.error_message

    pdf = stored_pdf(document)
    certificate = certificate_from_pkcs12(job_space.signing.read_bytes(), job_settings.SIGNING_PKCS12_PASSWORD.encode())
    reports = inspect_signatures(pdf, trusted_certificates=[certificate])
    assert len(reports) == 1
    assert reports[0].authentic, reports[0].summary
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()  # the hash of the signed file, as the verify page sees it
    text = pdf_text(pdf)
    assert "Priya Raman" in text
    assert "203.0.113.7" in text
    assert version.sha256 in text.replace(" ", "")


def test_running_the_job_twice_leaves_a_ready_document_alone(lead, job_worker, job_settings):
    project = import_project(lead)
    version = version_freeze(project=project, actor=lead)
    first = services.document_request(version=version, kind="draft", requested_by=lead)
    first = wait_for_status(first.pk, DocumentStatus.READY)

    render_document.apply_async(args=[first.pk], queue=job_worker.queue)  # a duplicate delivery
    second = services.document_request(version=version, kind="proposal", requested_by=lead)
    wait_for_status(second.pk, DocumentStatus.READY)  # the solo worker ran the duplicate before this one

    again = ScopeDocument.objects.get(pk=first.pk)
    assert (again.sha256, again.file.name, again.attempts, again.finished_at) == (
        first.sha256,
        first.file.name,
        1,
        first.finished_at,
    )


def _post_at_once(count: int, post) -> list[int]:
    """Run ``post()`` in ``count`` threads released together (each thread has its own database connection)."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(post().status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.parametrize("version_choice", ["current", "1"])
def test_five_identical_requests_at_once_make_one_document_and_one_render(
    lead, kestrel, job_worker, job_settings, monkeypatch, version_choice
):
    version_freeze(project=kestrel, actor=lead)  # v1, so "1" and "current" name the same frozen scope
    published: list[int] = []
    real_enqueue = services._enqueue

    def counting_enqueue(document_id: int) -> None:
        published.append(document_id)
        real_enqueue(document_id)

    monkeypatch.setattr(services, "_enqueue", counting_enqueue)

    def post():
        client = Client()
        client.force_login(lead)
        url = reverse("projects:documents", args=[kestrel.pk])
        return client.post(url, {"kind": "draft", "version": version_choice})

    assert _post_at_once(5, post) == [302] * 5
    document = ScopeDocument.objects.get()  # one row
    assert published == [document.pk]  # one job
    document = wait_for_status(document.pk, DocumentStatus.READY, DocumentStatus.FAILED)
    assert document.status == DocumentStatus.READY, document.error_message
    assert document.attempts == 1
    assert ActivityEvent.objects.filter(verb="document_rendered").count() == 1
    assert ActivityEvent.objects.filter(verb="document_requested").count() == 1


def test_a_request_while_the_same_pdf_is_being_made_reuses_it_and_says_so(client, lead, kestrel, job_settings):
    version = version_freeze(project=kestrel, actor=lead)
    rendering = services.document_create(version=version, kind="draft", requested_by=lead)
    ScopeDocument.objects.filter(pk=rendering.pk).update(status=DocumentStatus.RENDERING)
    client.force_login(lead)
    response = _request_current(client, kestrel)
    assert response.status_code == 302
    assert list(ScopeDocument.objects.values_list("pk", flat=True)) == [rendering.pk]
    page = client.get(response.url).content.decode()
    assert "Draft PDF of v1 is already being made" in page

    _request_current(client, kestrel, kind="proposal")  # another kind is another document
    assert ScopeDocument.objects.count() == 2
    ScopeDocument.objects.filter(pk=rendering.pk).update(status=DocumentStatus.FAILED)
    _request_current(client, kestrel)  # a failed one is not reused: a new request makes a new document
    assert ScopeDocument.objects.filter(kind="draft").count() == 2


def test_a_document_of_another_project_is_not_found_through_this_project(
    client, lead, project, job_worker, job_settings
):
    other = import_project(lead)
    version = version_freeze(project=other, actor=lead)
    document = services.document_request(version=version, kind="draft", requested_by=lead)
    wait_for_status(document.pk, DocumentStatus.READY)
    client.force_login(lead)
    for name in ("projects:document_download", "projects:document_status"):
        assert client.get(reverse(name, args=[project.pk, document.pk])).status_code == 404


def test_requesting_through_the_page_needs_the_project_team(client, reviewer, participant, kestrel, job_settings):
    kestrel.participants.create(user=participant, can_edit=True, is_signatory=True)
    for user in (reviewer, participant):
        client.force_login(user)
        assert _request_current(client, kestrel).status_code == 403
    assert not ScopeDocument.objects.exists()
    assert not ScopeVersion.objects.filter(project=kestrel).exists()


def test_a_signed_document_cannot_be_requested_from_the_page(client, lead, kestrel, job_settings):
    client.force_login(lead)
    response = _request_current(client, kestrel, kind="signed")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ScopeDocument.objects.exists()


def test_render_scope_renders_through_the_job_function_and_freezes_only_when_the_scope_changed(
    lead, tmp_path, job_settings
):
    project = import_project(lead)
    out = tmp_path / "scope.pdf"
    call_command("render_scope", project.pk, "--out", str(out))
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-")
    document = ScopeDocument.objects.get(version__project=project)
    assert document.status == DocumentStatus.READY
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert document.version.number == 1
    assert document.version.frozen_by_name == "manage.py render_scope"

    call_command("render_scope", project.pk, "--out", str(tmp_path / "again.pdf"), "--kind", "proposal")
    assert ScopeVersion.objects.filter(project=project).count() == 1  # unchanged scope: same version

    project.production_target.workflow_name = "Code supplier invoices and credit notes"
    project.production_target.save()
    call_command("render_scope", project.pk, "--out", str(tmp_path / "v2.pdf"))
    assert ScopeVersion.objects.filter(project=project).count() == 2
    assert "credit notes" in pdf_text((tmp_path / "v2.pdf").read_bytes())


def test_render_scope_explains_a_bad_project_id_or_a_signed_kind_without_signoffs(lead, tmp_path, job_settings):
    with pytest.raises(CommandError, match="no project with id 999999"):
        call_command("render_scope", 999999, "--out", str(tmp_path / "x.pdf"))
    project = import_project(lead)
    with pytest.raises(CommandError, match="no sign-off"):
        call_command("render_scope", project.pk, "--out", str(tmp_path / "x.pdf"), "--kind", "signed")
    assert not (tmp_path / "x.pdf").exists()


def test_the_worker_writes_through_django_storage(lead, job_worker, job_settings, job_space):
    project = import_project(lead)
    version = version_freeze(project=project, actor=lead)
    document = services.document_request(version=version, kind="draft", requested_by=lead)
    document = wait_for(
        lambda: ScopeDocument.objects.filter(pk=document.pk, status=DocumentStatus.READY).first(),
        message="the document to be ready",
    )
    assert default_storage.exists(document.file.name)
    assert (job_space.media / document.file.name).is_file()
    assert document.file.name.startswith(f"documents/{project.pk}/")


def test_the_render_task_is_declared_for_late_acks_retries_and_time_limits(settings):
    assert render_document.acks_late is True
    assert render_document.reject_on_worker_lost is True
    assert render_document.max_retries == 3
    assert render_document.retry_backoff
    assert OSError in render_document.autoretry_for
    assert OperationalError in render_document.autoretry_for
    assert render_document.soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert render_document.time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert render_document.soft_time_limit < render_document.time_limit


def test_a_final_task_failure_is_written_on_the_row_in_words_a_person_understands(lead, job_settings):
    version = version_freeze(project=import_project(lead), actor=lead)
    document = services.document_create(version=version, kind="draft", requested_by=lead)
    render_document.on_failure(OSError("disk full"), "task-id", (document.pk,), {}, None)
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.error_message.startswith("The PDF could not be saved because the file store or the database")
    assert "Press Retry" in document.error_message

    other = services.document_create(version=version, kind="draft", requested_by=lead)
    render_document.on_failure(SoftTimeLimitExceeded(), "task-id", (), {"document_id": other.pk}, None)
    other.refresh_from_db()
    assert other.error_message.startswith(
        f"Making this PDF took longer than {job_settings.CELERY_TASK_SOFT_TIME_LIMIT}"
    )


def test_a_ready_document_is_never_marked_failed(lead, job_settings):
    version = version_freeze(project=import_project(lead), actor=lead)
    document = ScopeDocument.objects.create(version=version, status=DocumentStatus.READY, sha256="a" * 64)
    render_job.document_fail(document_id=document.pk, message="late failure report")
    document.refresh_from_db()
    assert (document.status, document.error_message) == (DocumentStatus.READY, "")


def test_the_sweep_fails_a_document_queued_for_too_long_and_leaves_fresh_ones(lead, job_settings):
    version = version_freeze(project=import_project(lead), actor=lead)
    lost = services.document_create(version=version, kind="draft", requested_by=lead)
    fresh = services.document_create(version=version, kind="proposal", requested_by=lead)
    ScopeDocument.objects.filter(pk=lost.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert services.documents_sweep_stale() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == DocumentStatus.FAILED
    assert "No PDF worker picked this document up for 15 minutes" in lost.error_message
    assert fresh.status == DocumentStatus.QUEUED


def test_the_admin_shows_documents_read_only(client, admin_user, lead, job_settings):
    version = version_freeze(project=import_project(lead), actor=lead)
    document = ScopeDocument.objects.create(version=version, status=DocumentStatus.READY)
    client.force_login(admin_user)
    assert client.get(reverse("admin:reports_scopedocument_changelist")).status_code == 200
    assert client.get(reverse("admin:reports_scopedocument_change", args=[document.pk])).status_code == 200
    assert client.get(reverse("admin:reports_scopedocument_add")).status_code == 403
    response = client.post(reverse("admin:reports_scopedocument_delete", args=[document.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert ScopeDocument.objects.filter(pk=document.pk).exists()


def test_retrying_a_failed_document_while_the_same_pdf_is_being_made_again_is_refused(lead, kestrel, job_settings):
    version = version_freeze(project=kestrel, actor=lead)
    failed = services.document_create(version=version, kind="draft", requested_by=lead)
    render_job.document_fail(document_id=failed.pk, message="Earlier failure.")
    newer = services.document_create(version=version, kind="draft", requested_by=lead)
    assert newer.pk != failed.pk and not newer.reused
    failed.refresh_from_db()
    with pytest.raises(services.DocumentRefused, match="already being made"):
        services.document_retry(document=failed, actor=lead)
    failed.refresh_from_db()
    assert failed.status == DocumentStatus.FAILED
    # A late delivery of the failed job does not render it next to the newer one.
    assert render_job.document_render(document_id=failed.pk).status == DocumentStatus.FAILED
    assert ScopeDocument.objects.get(pk=failed.pk).attempts == 0
