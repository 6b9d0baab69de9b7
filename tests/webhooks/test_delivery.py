"""Deliveries to a real HTTP receiver on 127.0.0.1: what it gets, how failures are retried, counted and disabled."""

from __future__ import annotations

import json
import time

import pytest
from celery.canvas import Signature
from celery.exceptions import Retry
from django.core import mail
from django.db import transaction

from accounts.models import OutboundEmail
from documents.models import ScopeDocument
from documents.render_job import document_render
from documents.services import document_create
from documents.versioning import version_freeze
from scoping.models import Stage
from scoping.projects.services import project_archive
from tests.review_support import client_signatory, sign, submit, to_awaiting_signoff
from webhooks import events, services, signing, tasks
from webhooks.models import AttemptOutcome, DeliveryStatus, WebhookAttempt, WebhookDelivery

from .conftest import body_of, make_endpoint

pytestmark = pytest.mark.django_db


def deliver(delivery_id) -> str:
    """Run the delivery job as the worker would, in this process (retries included, at once)."""
    return tasks.deliver_webhook.apply(args=[str(delivery_id)]).get()


def test_a_frozen_version_reaches_a_real_receiver_signed_with_the_endpoint_secret(
    allow_private, receiver, sound_project, lead, published, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url(), [events.VERSION_FROZEN])
    with django_capture_on_commit_callbacks(execute=True):
        version = version_freeze(project=sound_project, actor=lead)

    delivery = WebhookDelivery.objects.get()
    assert published == [str(delivery.pk)]  # queued after the commit
    assert receiver.requests == []  # nothing is sent inside the product's write

    assert deliver(delivery.pk) == "delivered"

    [request] = receiver.requests
    assert request.path == "/hooks/firstslice"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Firstslice-Event"] == "version.frozen"
    assert request.headers["Firstslice-Delivery"] == str(delivery.pk)
    assert request.body == delivery.body.encode()
    header = request.headers["Firstslice-Signature"]
    assert signing.signature_verify(secret=endpoint.secret, header=header, body=request.body)
    assert not signing.signature_verify(secret="not the secret", header=header, body=request.body)
    timestamp = int(header.split(",")[0].removeprefix("t="))
    assert abs(time.time() - timestamp) < 30

    body = json.loads(request.body)
    assert body["id"] == str(delivery.pk)
    assert body["event"] == "version.frozen"
    assert body["project"] == {
        "id": sound_project.pk,
        "name": sound_project.name,
        "client": sound_project.client.name,
        "stage": "draft",
    }
    assert body["data"]["version"]["number"] == version.number
    assert body["data"]["version"]["sha256"] == version.sha256
    assert body["data"]["frozen_by"] == lead.display_name
    assert lead.email not in request.body.decode()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.attempts) == (DeliveryStatus.DELIVERED, 200, 1)
    [attempt] = delivery.attempt_log.all()
    assert (attempt.outcome, attempt.response_code, attempt.address) == (AttemptOutcome.DELIVERED, 200, "127.0.0.1")
    assert attempt.response_excerpt.startswith("answer 200") and len(attempt.response_excerpt) == 500

    assert deliver(delivery.pk) == "skipped"  # idempotent: a delivered delivery is not sent again
    assert len(receiver.requests) == 1


def test_submitting_for_review_sends_the_stage_change(allow_private, receiver, sound_project, lead):
    make_endpoint(receiver.url(), [events.PROJECT_STAGE_CHANGED])
    submit(sound_project, lead)

    delivery = WebhookDelivery.objects.get()  # the version frozen on the way is not subscribed
    deliver(delivery.pk)
    body = json.loads(receiver.requests[0].body)
    assert body["event"] == "project.stage_changed"
    assert body["project"]["stage"] == "in_review"
    assert body["data"] == {"from": "draft", "to": "in_review", "cause": "scope_submitted"}


def test_every_stage_move_of_the_workflow_sends_a_stage_change(allow_private, receiver, sound_project, lead, reviewer):
    make_endpoint(receiver.url(), [events.PROJECT_STAGE_CHANGED])
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    sign(sound_project, client_signatory(sound_project), version)  # not the last signature: no move
    sign(sound_project, lead, version)
    project_archive(project=sound_project, actor=lead)

    moves = [
        (body["data"]["from"], body["data"]["to"], body["data"]["cause"], body["project"]["stage"])
        for body in map(body_of, WebhookDelivery.objects.order_by("activity_id"))
    ]
    assert moves == [
        ("draft", "in_review", "scope_submitted", "in_review"),
        ("in_review", "approved", "review_approved", "approved"),
        ("approved", "awaiting_signoff", "signoff_requested", "awaiting_signoff"),
        ("awaiting_signoff", "signed_off", "scope_signed", "signed_off"),
        ("signed_off", "archived", "project_archived", "archived"),
    ]


def test_an_endpoint_subscribed_only_to_document_ready_receives_nothing_for_a_frozen_version(
    allow_private, start_receiver, sound_project, lead, published, django_capture_on_commit_callbacks
):
    documents_only, everything = start_receiver(), start_receiver()
    make_endpoint(documents_only.url(), [events.DOCUMENT_READY], name="Archive")
    frozen = make_endpoint(everything.url(), [events.VERSION_FROZEN], name="CRM")
    with django_capture_on_commit_callbacks(execute=True):
        version_freeze(project=sound_project, actor=lead)

    [delivery] = WebhookDelivery.objects.all()
    assert delivery.endpoint == frozen and published == [str(delivery.pk)]
    deliver(delivery.pk)
    assert documents_only.requests == [] and len(everything.requests) == 1


def test_a_disabled_endpoint_gets_no_deliveries(allow_private, receiver, sound_project, lead):
    endpoint = make_endpoint(receiver.url(), [events.VERSION_FROZEN])
    endpoint.is_active = False
    services.endpoint_save(endpoint=endpoint, actor=None)
    version_freeze(project=sound_project, actor=lead)
    assert not WebhookDelivery.objects.exists()


def test_review_and_sign_off_send_the_decision_each_signer_and_the_completion(
    allow_private, receiver, sound_project, lead, reviewer
):
    make_endpoint(receiver.url(), [events.REVIEW_DECIDED, events.SIGNOFF_SIGNED, events.SIGNOFF_COMPLETED])
    version = to_awaiting_signoff(sound_project, lead, reviewer)
    priya = client_signatory(sound_project)
    sign(sound_project, priya, version)
    sign(sound_project, lead, version)

    bodies = [body_of(delivery) for delivery in WebhookDelivery.objects.order_by("created_at", "event")]
    assert [body["event"] for body in bodies] == [
        "review.decided",
        "signoff.signed",
        "signoff.signed",
        "signoff.completed",
    ]
    decided, first, last, completed = bodies
    assert decided["data"]["decision"] == "approve"
    assert decided["data"]["reviewer"] == reviewer.display_name
    assert decided["data"]["version"]["sha256"] == version.sha256
    assert (first["data"]["signer"], first["data"]["is_client"], first["data"]["completes_signoff"]) == (
        priya.get_full_name(),
        True,
        False,
    )
    assert (last["data"]["signer"], last["data"]["completes_signoff"]) == (lead.get_full_name(), True)
    assert completed["data"]["signatories"] == [priya.get_full_name(), lead.get_full_name()]
    assert completed["project"]["stage"] == Stage.SIGNED_OFF
    for text in (priya.email, lead.email, reviewer.email):
        assert text not in json.dumps(bodies)

    for delivery in WebhookDelivery.objects.all():
        deliver(delivery.pk)
    assert sorted(json.loads(r.body)["event"] for r in receiver.requests) == sorted(b["event"] for b in bodies)


def test_a_rendered_pdf_sends_document_ready_with_its_fingerprint(
    allow_private, receiver, sound_project, lead, signing_certificate, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    make_endpoint(receiver.url(), [events.DOCUMENT_READY])
    version = version_freeze(project=sound_project, actor=lead)
    document = document_render(document_id=document_create(version=version, kind="draft", requested_by=lead).pk)
    assert document.status == "ready", document.error_message

    delivery = WebhookDelivery.objects.get()
    deliver(delivery.pk)
    data = json.loads(receiver.requests[0].body)["data"]
    stored = ScopeDocument.objects.get(pk=document.pk)
    assert data["document"] == {
        "id": stored.pk,
        "kind": "draft",
        "sha256": stored.sha256,
        "pages": stored.page_count,
        "bytes": stored.byte_size,
    }
    assert data["version"]["number"] == version.number


def test_a_write_that_rolls_back_sends_nothing(
    allow_private, receiver, sound_project, lead, published, django_capture_on_commit_callbacks
):
    make_endpoint(receiver.url(), [events.VERSION_FROZEN])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        version_freeze(project=sound_project, actor=lead)
        raise RuntimeError("the action failed after freezing")
    assert published == [] and not WebhookDelivery.objects.exists()


def test_a_broken_webhook_never_breaks_the_product_write(
    allow_private, receiver, sound_project, lead, monkeypatch, caplog
):
    make_endpoint(receiver.url(), [events.VERSION_FROZEN])

    def broken(**kwargs):
        raise ValueError("a bug in the payload")

    monkeypatch.setattr("webhooks.payloads.event_body", broken)
    version = version_freeze(project=sound_project, actor=lead)
    assert version.pk is not None and sound_project.versions.count() == 1
    assert not WebhookDelivery.objects.exists()
    assert "Could not queue the webhooks" in caplog.text


# --- failures ----------------------------------------------------------------------------------------------------


@pytest.fixture
def frozen_delivery(allow_private, sound_project, lead):
    """Make the endpoint with ``make(url)``; returns the delivery of one frozen version."""

    def make(url: str) -> WebhookDelivery:
        make_endpoint(url, [events.VERSION_FROZEN])
        version_freeze(project=sound_project, actor=lead)
        return WebhookDelivery.objects.select_related("endpoint").get()

    return make


def test_the_job_retries_failures_with_exponential_backoff_then_logs_the_delivery_failed(
    settings, start_receiver, frozen_delivery
):
    settings.WEBHOOKS_MAX_RETRIES = 2
    settings.WEBHOOKS_RETRY_BACKOFF = 7
    receiver = start_receiver(statuses=(500,))
    delivery = frozen_delivery(receiver.url())

    assert deliver(delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.FAILED, 3, 500)
    assert "HTTP 500" in delivery.last_error
    attempts = list(delivery.attempt_log.values_list("number", "outcome", "response_code", "retry_in_seconds"))
    assert attempts == [(1, "failed", 500, 7), (2, "failed", 500, 14), (3, "failed", 500, None)]
    assert len(receiver.requests) == 3
    assert {r.headers["Firstslice-Delivery"] for r in receiver.requests} == {str(delivery.pk)}
    for request in receiver.requests:
        assert signing.signature_verify(
            secret=delivery.endpoint.secret, header=request.headers["Firstslice-Signature"], body=request.body
        )
    delivery.endpoint.refresh_from_db()
    assert (delivery.endpoint.consecutive_failures, delivery.endpoint.is_active) == (1, True)


def test_a_failed_attempt_schedules_the_next_one_through_the_broker_with_the_backoff(
    settings, start_receiver, frozen_delivery, monkeypatch
):
    """Outside eager mode the job asks Celery for a retry with a countdown: captured where it would reach Redis."""
    settings.WEBHOOKS_MAX_RETRIES = 8
    settings.WEBHOOKS_RETRY_BACKOFF = 30
    receiver = start_receiver(statuses=(503,))
    delivery = frozen_delivery(receiver.url())
    scheduled = []
    monkeypatch.setattr(Signature, "apply_async", lambda sig, *a, **kw: scheduled.append(sig))

    # The request a worker gives the job on its fourth attempt.
    tasks.deliver_webhook.push_request(
        args=[str(delivery.pk)], kwargs={}, retries=3, is_eager=False, called_directly=False
    )
    try:
        with pytest.raises(Retry):
            tasks.deliver_webhook.run(str(delivery.pk))
    finally:
        tasks.deliver_webhook.pop_request()

    [retry] = scheduled
    assert tuple(retry.args) == (str(delivery.pk),)
    assert retry.options["countdown"] == 240  # 30 · 2³: the fourth attempt waits eight times the base
    assert retry.options["retries"] == 4
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.next_attempt_at is not None
    assert tasks.deliver_webhook.acks_late and tasks.deliver_webhook.reject_on_worker_lost
    assert tasks.deliver_webhook.max_retries is None  # the service counts, against WEBHOOKS_MAX_RETRIES


def test_consecutive_failed_deliveries_disable_the_endpoint_and_email_the_admins_and_a_success_resets_the_count(
    settings, start_receiver, frozen_delivery, admin_user, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_MAX_RETRIES = 0
    settings.WEBHOOKS_DISABLE_AFTER = 3
    receiver = start_receiver(statuses=(500, 500, 200, 500, 500, 500))
    first = frozen_delivery(receiver.url())
    endpoint = first.endpoint

    def failures_after_one_more() -> int:
        copy = services.delivery_redeliver(delivery=first, actor=admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            deliver(copy.pk)
        endpoint.refresh_from_db()
        return endpoint.consecutive_failures

    deliver(first.pk)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
    assert failures_after_one_more() == 2
    assert failures_after_one_more() == 0  # the receiver answered 200: the count starts again
    assert failures_after_one_more() == 1
    assert failures_after_one_more() == 2
    assert endpoint.is_active and not OutboundEmail.objects.filter(kind="webhook_disabled").exists()

    assert failures_after_one_more() == 3
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert "3 deliveries in a row failed" in endpoint.disabled_reason
    [email] = OutboundEmail.objects.filter(kind="webhook_disabled")
    assert email.to == admin_user.email and endpoint.name in email.subject
    [message] = mail.outbox
    assert message.to == [admin_user.email] and message.subject == f"Webhook endpoint disabled: {endpoint.name}"
    assert receiver.url() in message.body and "HTTP 500" in message.body
    assert f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/" in message.body

    # Queued before it was disabled, its turn comes after: not sent.
    pending = WebhookDelivery.objects.create(endpoint=endpoint, event=first.event, body=first.body)
    sent_so_far = len(receiver.requests)
    assert deliver(pending.pk) == "failed"
    pending.refresh_from_db()
    assert "disabled" in pending.last_error and len(receiver.requests) == sent_so_far

    endpoint.is_active = True
    services.endpoint_save(endpoint=endpoint, actor=admin_user)
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.disabled_at, endpoint.disabled_reason) == (0, None, "")


def test_a_receiver_that_hangs_past_the_read_timeout_fails_within_the_timeout(
    settings, start_receiver, frozen_delivery
):
    settings.WEBHOOKS_READ_TIMEOUT = 1
    settings.WEBHOOKS_MAX_RETRIES = 0
    receiver = start_receiver(hang=30)
    delivery = frozen_delivery(receiver.url())

    started = time.monotonic()
    assert deliver(delivery.pk) == "failed"
    assert time.monotonic() - started < 3

    delivery.refresh_from_db()
    assert delivery.response_code is None and "No complete answer within 1 s" in delivery.last_error
    assert len(receiver.requests) == 1


def test_a_receiver_that_drips_its_answer_is_cut_off_at_the_read_timeout(settings, start_receiver, frozen_delivery):
    """Each byte arrives well within the socket timeout; the whole answer still gets only WEBHOOKS_READ_TIMEOUT."""
    settings.WEBHOOKS_READ_TIMEOUT = 1
    settings.WEBHOOKS_MAX_RETRIES = 0
    receiver = start_receiver(drip=0.2)
    delivery = frozen_delivery(receiver.url())

    started = time.monotonic()
    assert deliver(delivery.pk) == "failed"
    assert time.monotonic() - started < 3
    delivery.refresh_from_db()
    assert "No complete answer within 1 s" in delivery.last_error


def test_a_redirect_is_not_followed(settings, start_receiver, frozen_delivery):
    settings.WEBHOOKS_MAX_RETRIES = 0
    elsewhere = start_receiver()
    receiver = start_receiver(statuses=(302,), location=elsewhere.url("/elsewhere"))
    delivery = frozen_delivery(receiver.url())

    assert deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.response_code == 302 and "HTTP 302" in delivery.last_error
    assert len(receiver.requests) == 1 and elsewhere.requests == []
    assert WebhookAttempt.objects.get().outcome == AttemptOutcome.FAILED
