"""pytest fixtures and helpers shared by the job, worker-fault and browser document tests.

The fixtures (``job_space``, ``job_worker``, ``job_settings``) are in tests/conftest.py. Workers share the test
database (pytest-django's test_<name>), the Redis db of REDIS_URL and a media directory with the tests.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import redis
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from pypdf import PdfReader

from documents.certificates import make_self_signed_pkcs12
from documents.models import DocumentStatus, ScopeDocument
from scoping.models import DiscoveryProject
from scoping.projects.scope_io import import_scope
from tests.documents.worker_harness import WorkerProcess, wait_for, worker_env
from tests.review_support import with_engagement

FIXTURE_SCOPE = Path(__file__).resolve().parents[1] / "fixtures" / "invoice-coding.json"


def scope_data() -> dict:
    return json.loads(FIXTURE_SCOPE.read_text())


def import_project(user, *, data: dict | None = None):
    """The worked example (Kestrel Foods Ltd, "Supplier invoice coding") as a project led by ``user``."""
    project = import_scope(data=with_engagement(data or scope_data()), client_name=None, user=user)
    return DiscoveryProject.objects.get(pk=project.pk)  # fresh: the importer's instance caches empty sections


def write_signing_certificate(path: Path) -> Path:
    path.write_bytes(
        make_self_signed_pkcs12(
            common_name="Firstslice test signing",
            organisation="Firstslice tests",
            password=django_settings.SIGNING_PKCS12_PASSWORD.encode(),
        )
    )
    return path


def document_status(document_id: int) -> str:
    return ScopeDocument.objects.filter(pk=document_id).values_list("status", flat=True).first() or ""


def wait_for_status(document_id: int, *statuses: str, timeout: float = 60) -> ScopeDocument:
    wait_for(
        lambda: document_status(document_id) in statuses,
        timeout=timeout,
        message=f"document {document_id} to become {' or '.join(statuses)} (now {document_status(document_id)!r})",
    )
    return ScopeDocument.objects.select_related("version").get(pk=document_id)


def stored_pdf(document: ScopeDocument) -> bytes:
    with default_storage.open(document.file.name, "rb") as handle:
        return handle.read()


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, with whitespace runs collapsed (line breaks fall anywhere in extracted text)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def pdf_page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def flush_broker_db() -> None:
    """Start from an empty Redis db (REDIS_URL's db is reserved for these tests)."""
    redis.Redis.from_url(django_settings.CELERY_BROKER_URL).flushdb()


def start_worker(job_space, *, queue: str, name: str, **env: str) -> WorkerProcess:
    """A worker of the test's own, with extra environment (render delay, template dir, short timeouts)."""
    worker_environment = worker_env(
        database_name=job_space.database, media_root=job_space.media, signing_path=job_space.signing, **env
    )
    return WorkerProcess(queue=queue, env=worker_environment, log_path=job_space.root / f"{queue}-{name}.log").start()


def finish_with_a_fresh_worker(
    job_space, document_id: int, *, queue: str, timeout: float = 60, **env: str
) -> ScopeDocument:
    """Start a new worker, wait until the document is ready or failed, and stop the worker again."""
    fresh = start_worker(job_space, queue=queue, name="fresh", **env)
    try:
        return wait_for_status(document_id, DocumentStatus.READY, DocumentStatus.FAILED, timeout=timeout)
    finally:
        fresh.stop()
