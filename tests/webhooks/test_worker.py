"""A real Celery worker against Redis delivers, and retries through the broker: eager mode is not a test of a job."""

from __future__ import annotations

import pytest
from django.db import connection

from documents.versioning import version_freeze
from tests.documents.worker_harness import WorkerProcess, unique_queue, wait_for, worker_env
from webhooks import events, signing
from webhooks.models import DeliveryStatus, WebhookDelivery

from .conftest import make_endpoint


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_fails_twice_then_succeeds_gets_three_attempts(
    allow_private, start_receiver, sound_project, lead, tmp_path
):
    receiver = start_receiver(statuses=(500, 500, 200))
    queue = unique_queue("webhooks-test")
    allow_private.WEBHOOKS_QUEUE = queue
    worker = WorkerProcess(
        queue=queue,
        env=worker_env(
            database_name=connection.settings_dict["NAME"],
            media_root=tmp_path,
            WEBHOOKS_ALLOW_PRIVATE_TARGETS="true",
            WEBHOOKS_RETRY_BACKOFF="1",
            WEBHOOKS_MAX_RETRIES="3",
        ),
        log_path=tmp_path / "worker.log",
    ).start()
    try:
        endpoint = make_endpoint(receiver.url(), [events.VERSION_FROZEN])
        version_freeze(project=sound_project, actor=lead)  # commits: the job is published to the worker's queue
        delivery = WebhookDelivery.objects.get()
        wait_for(
            lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.DELIVERED).exists(),
            timeout=60,
            message=f"the delivery to succeed on its third attempt\n{worker.log()}",
        )
    finally:
        worker.stop()

    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code) == (3, 200)
    log = list(delivery.attempt_log.values_list("number", "outcome", "response_code", "retry_in_seconds"))
    assert log == [(1, "failed", 500, 1), (2, "failed", 500, 2), (3, "delivered", 200, None)]
    assert len(receiver.requests) == 3
    first, second, third = receiver.requests
    assert second.at - first.at >= 0.9 and third.at - second.at >= 1.9  # the backoff was waited, not skipped
    for request in receiver.requests:
        assert request.body == delivery.body.encode()
        assert signing.signature_verify(
            secret=endpoint.secret, header=request.headers["Firstslice-Signature"], body=request.body
        )
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0
