"""S3 storage faults, against moto's S3-compatible server: PDFs stored and served through django-storages; with the
store stopped, the download says so plainly (503, not a 500) and the render job is retried until the store is back.
"""

from __future__ import annotations

import hashlib
import itertools

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from django.urls import reverse
from moto.server import ThreadedMotoServer

from documents import render_job, services
from documents.models import DocumentStatus, ScopeDocument
from documents.storage_faults import FILE_MISSING_MESSAGE, STORE_UNAVAILABLE_MESSAGE
from documents.tasks import render_document
from documents.versioning import version_freeze
from tests.documents.job_fixtures import import_project, start_worker, wait_for_status
from tests.documents.worker_harness import unique_queue, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BUCKET = "firstslice-documents"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
_PORTS = itertools.cycle(range(18710, 18740))  # this helper's port range; a fresh port per test


class S3Server:
    """moto's S3 server on loopback, which the test can stop and start again (state is lost on stop)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self._server: ThreadedMotoServer | None = None

    def start(self) -> S3Server:
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.client().create_bucket(Bucket=BUCKET)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        )

    def env(self) -> dict[str, str]:
        """What production sets to store documents in this bucket (config/settings.py reads these)."""
        return {"AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_ENDPOINT_URL": self.endpoint, **CREDENTIALS}


@pytest.fixture
def s3(settings, job_settings):
    server = S3Server(next(_PORTS)).start()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": server.endpoint,
                "access_key": CREDENTIALS["AWS_ACCESS_KEY_ID"],
                "secret_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                "region_name": CREDENTIALS["AWS_DEFAULT_REGION"],
                "default_acl": None,
                "client_config": Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}),
            },
        },
    }
    yield server
    server.stop()


@pytest.fixture
def no_broker(monkeypatch):
    monkeypatch.setattr("documents.services._enqueue", lambda document_id: None)


def _rendered(lead, *, render: bool = True) -> ScopeDocument:
    version = version_freeze(project=import_project(lead), actor=lead)
    document = services.document_create(version=version, kind="draft", requested_by=lead)
    if render:
        document = render_job.document_render(document_id=document.pk)
        assert document.status == DocumentStatus.READY, document.error_message
    return document


def _download(client, document):
    return client.get(reverse("projects:document_download", args=[document.version.project_id, document.pk]))


def test_a_pdf_is_stored_in_the_s3_bucket_and_served_from_it(client, lead, s3, no_broker):
    document = _rendered(lead)
    stored = s3.client().get_object(Bucket=BUCKET, Key=document.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == document.sha256

    client.force_login(lead)
    response = _download(client, document)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256


def test_with_the_store_stopped_the_download_says_so_instead_of_a_server_error(client, lead, s3, no_broker):
    document = _rendered(lead)
    client.force_login(lead)
    s3.stop()

    response = _download(client, document)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert STORE_UNAVAILABLE_MESSAGE in response.content.decode()
    assert STORE_UNAVAILABLE_MESSAGE == "The PDF store is not answering; try again in a minute."


def test_a_file_missing_from_the_bucket_gives_a_clear_404(client, lead, s3, no_broker):
    document = _rendered(lead)
    s3.client().delete_object(Bucket=BUCKET, Key=document.file.name)
    client.force_login(lead)

    response = _download(client, document)
    assert response.status_code == 404
    assert FILE_MISSING_MESSAGE in response.content.decode()


def test_s3_errors_are_transient_for_the_render_job():
    for error in (EndpointConnectionError, ClientError):
        assert issubclass(error, render_document.autoretry_for), error
    message = render_job.failure_message(EndpointConnectionError(endpoint_url="http://s3"), attempts=4)
    assert message.startswith("The PDF could not be saved because the file store")
    assert "4 attempts" in message


@pytest.mark.worker
def test_the_render_job_is_retried_while_the_store_is_down_and_succeeds_when_it_is_back(
    client, lead, s3, job_space, job_settings
):
    queue = unique_queue("s3")
    job_settings.DOCUMENT_QUEUE = queue
    s3.stop()
    worker = start_worker(job_space, queue=queue, name="s3", **s3.env())
    try:
        document = services.document_request(
            version=version_freeze(project=import_project(lead), actor=lead), kind="draft", requested_by=lead
        )
        retrying = wait_for(
            lambda: ScopeDocument.objects.filter(pk=document.pk, error_message__contains="trying again").first(),
            timeout=60,
            message="the job to note an automatic retry",
        )
        assert retrying.status == DocumentStatus.QUEUED
        assert "EndpointConnectionError" in retrying.error_message
        s3.start()  # the store is back (empty: moto keeps nothing across a restart)
        document = wait_for_status(document.pk, DocumentStatus.READY, DocumentStatus.FAILED, timeout=90)
    finally:
        worker.stop()
    assert document.status == DocumentStatus.READY, document.error_message
    assert document.attempts >= 2
    stored = s3.client().get_object(Bucket=BUCKET, Key=document.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    client.force_login(lead)
    assert _download(client, document).status_code == 200


def test_the_page_names_the_problem_only_for_people_who_may_see_the_project(client, outsider, lead, s3, no_broker):
    document = _rendered(lead)
    s3.stop()
    client.force_login(outsider)
    assert _download(client, document).status_code == 404  # the access rule first: strangers learn nothing
