"""Writes of the webhooks app: queue deliveries for an audit event, attempt one, send one again, disable an endpoint.

``deliveries_queue`` runs inside the product's own transaction (from the ``post_save`` receiver on
``ActivityEvent``): it writes one ``WebhookDelivery`` per subscribed endpoint and publishes the jobs after the commit,
so a write that rolls back sends nothing. ``delivery_attempt`` is what the job calls: one signed POST, made outside
any transaction, then the outcome recorded under a row lock. No request ever waits for a receiver.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.services import PUBLISH_RETRY_POLICY, email_queue_event, retry_delay
from scoping.audit import activity_record
from scoping.models import ActivityEvent, DiscoveryProject
from webhooks import events, payloads, signing, transport
from webhooks.models import (
    FINISHED_STATUSES,
    AttemptOutcome,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    new_secret,
)
from webhooks.targets import TargetRefused

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 500
EXCERPT_LENGTH = 500
NOT_QUEUED_MESSAGE = "Could not queue the delivery (the job broker did not answer). Redeliver it from the admin."
DISABLED_MESSAGE = "Not sent: the endpoint was disabled before this delivery's turn. Enable it, then redeliver."


class WebhookError(Exception):
    """An admin's request that cannot be done now; the message says why and what to do."""


@dataclass(frozen=True)
class AttemptResult:
    """What the job does next: nothing ("delivered", "failed", "skipped"), or "retry" in ``retry_in`` seconds."""

    outcome: str
    retry_in: int | None = None


def _body_text(delivery_id: uuid.UUID, body: dict[str, Any]) -> str:
    document = {"id": str(delivery_id), **body}
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _publish(delivery_id: str) -> None:
    """Hand the delivery job to the broker (after commit, so the worker always finds the row)."""
    from webhooks.tasks import deliver_webhook  # the job calls this module's delivery_attempt: import it when used

    options: dict[str, Any] = {"retry": True, "retry_policy": PUBLISH_RETRY_POLICY}
    if settings.WEBHOOKS_QUEUE:
        options["queue"] = settings.WEBHOOKS_QUEUE
    try:
        deliver_webhook.apply_async(args=[delivery_id], **options)
    except Exception:  # noqa: BLE001 - whatever the broker library raises, the delivery did not go
        logger.exception("Could not queue webhook delivery %s", delivery_id)
        WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.FAILED, last_error=NOT_QUEUED_MESSAGE
        )


# --- Queueing -------------------------------------------------------------------------------------------------------


@transaction.atomic
def deliveries_queue(*, activity: ActivityEvent) -> list[WebhookDelivery]:
    """One delivery per active endpoint subscribed to each event the audit event raises; jobs go after the commit.

    Costs nothing for a verb that raises no event, and one query when no endpoint wants it.
    """
    names = events.events_for(activity.verb, activity.changes)
    if not names:
        return []
    # A handful of endpoints, filtered here: SQLite (the embedded demo) cannot query inside a JSON list.
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if any(endpoint.subscribes_to(name) for name in names)
    ]
    if not endpoints:
        return []
    project = (
        DiscoveryProject.objects.select_related("client").filter(pk=activity.project_id).first()
        if activity.project_id
        else None
    )
    deliveries = []
    for name in names:
        subscribed = [endpoint for endpoint in endpoints if endpoint.subscribes_to(name)]
        if not subscribed:
            continue
        body = payloads.event_body(event=name, activity=activity, project=project)
        for endpoint in subscribed:
            delivery_id = uuid.uuid4()
            deliveries.append(
                WebhookDelivery(
                    id=delivery_id,
                    endpoint=endpoint,
                    event=name,
                    project=project,
                    activity=activity,
                    body=_body_text(delivery_id, body),
                )
            )
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        transaction.on_commit(partial(_publish, str(delivery.pk)))
    return deliveries


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, actor, request: HttpRequest | None = None) -> WebhookDelivery:
    """Send a delivery's body again, as a new delivery with its own id that points back to the original."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if not endpoint.is_active:
        raise WebhookError(f"{endpoint.name} is disabled. Tick “active” on the endpoint first, then redeliver.")
    copy_id = uuid.uuid4()
    body = json.loads(delivery.body)
    body.pop("id", None)
    copy = WebhookDelivery.objects.create(
        id=copy_id,
        endpoint=endpoint,
        event=delivery.event,
        project_id=delivery.project_id,
        activity_id=delivery.activity_id,
        body=_body_text(copy_id, body),
        redelivery_of=delivery,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    # Not on the project's trail: endpoints are admin configuration, not something the project team sees.
    activity_record(
        actor=actor,
        verb="webhook_redelivered",
        request=request,
        obj=copy,
        object_repr=f"{delivery.event} to {endpoint.name}",
        changes={"redelivery_of": str(delivery.pk)},
    )
    transaction.on_commit(partial(_publish, str(copy.pk)))
    return copy


# --- Delivering -----------------------------------------------------------------------------------------------------


def _signed_headers(delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    timestamp = int(time.time())  # signed afresh at each attempt, so a receiver's age check accepts a retry
    return {
        signing.HEADER: signing.signature_header(secret=delivery.endpoint.secret, timestamp=timestamp, body=body),
        "Firstslice-Event": delivery.event,
        "Firstslice-Delivery": str(delivery.pk),
    }


def delivery_attempt(*, delivery_id: str, retries: int) -> AttemptResult:
    """Make one attempt at a delivery and record it; the job retries when this says "retry".

    ``retries`` is how many attempts the job made before this one. The POST happens outside any transaction, so no
    row stays locked while a receiver thinks. A target that now resolves to a refused address is not retried.
    """
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in FINISHED_STATUSES:
        return AttemptResult("skipped")  # a repeated job, or a row deleted with its endpoint
    if not delivery.endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status__in=FINISHED_STATUSES).update(
            status=DeliveryStatus.FAILED, last_error=DISABLED_MESSAGE, next_attempt_at=None
        )
        return AttemptResult("failed")

    body = delivery.body.encode()
    started_at = timezone.now()
    clock = time.monotonic()
    reply: transport.Reply | None = None
    refused = False
    error = ""
    try:
        reply = transport.post(
            url=delivery.endpoint.url,
            body=body,
            headers=_signed_headers(delivery, body),
            allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
            connect_timeout=settings.WEBHOOKS_CONNECT_TIMEOUT,
            read_timeout=settings.WEBHOOKS_READ_TIMEOUT,
        )
        if not reply.ok:
            error = f"The receiver answered HTTP {reply.status}; only a 2xx answer counts as delivered."
    except TargetRefused as exc:
        refused, error = True, f"Nothing sent: {exc}"
    except transport.DeliveryError as exc:
        error = str(exc)
    return _attempt_record(
        delivery_id=delivery.pk,
        started_at=started_at,
        duration_ms=int((time.monotonic() - clock) * 1000),
        reply=reply,
        refused=refused,
        error=error,
        final=refused or retries >= settings.WEBHOOKS_MAX_RETRIES,
        retries=retries,
    )


@transaction.atomic
def _attempt_record(
    *,
    delivery_id: uuid.UUID,
    started_at,
    duration_ms: int,
    reply: transport.Reply | None,
    refused: bool,
    error: str,
    final: bool,
    retries: int,
) -> AttemptResult:
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status in FINISHED_STATUSES:
        return AttemptResult("skipped")  # another run of the same job finished first
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    delivered = reply is not None and reply.ok
    retry_in = None if delivered or final else retry_delay(retries=retries, base=settings.WEBHOOKS_RETRY_BACKOFF)
    now = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts + 1,
        outcome=AttemptOutcome.DELIVERED
        if delivered
        else (AttemptOutcome.REFUSED if refused else AttemptOutcome.FAILED),
        response_code=reply.status if reply is not None else None,
        error=error[:MAX_ERROR_LENGTH],
        response_excerpt=(reply.excerpt if reply is not None else "")[:EXCERPT_LENGTH],
        address=reply.address if reply is not None else None,
        started_at=started_at,
        duration_ms=duration_ms,
        retry_in_seconds=retry_in,
    )
    delivery.attempts += 1
    delivery.last_attempt_at = started_at
    delivery.response_code = reply.status if reply is not None else None
    delivery.last_error = error[:MAX_ERROR_LENGTH]
    if delivered:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
        if endpoint.consecutive_failures:
            endpoint.consecutive_failures = 0
            endpoint.save(update_fields=["consecutive_failures", "updated_at"])
        outcome = AttemptResult("delivered")
    elif retry_in is not None:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.RETRYING, now + timedelta(seconds=retry_in)
        outcome = AttemptResult("retry", retry_in)
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        _failure_count(endpoint, error=error)
        outcome = AttemptResult("failed")
    delivery.save()
    return outcome


def delivery_record_crash(*, delivery_id: str, error: str) -> None:
    """The job died outright (time limit, bug): say so on the row, where the admin looks."""
    WebhookDelivery.objects.filter(pk=delivery_id).exclude(status__in=FINISHED_STATUSES).update(
        status=DeliveryStatus.FAILED, last_error=error[:MAX_ERROR_LENGTH], next_attempt_at=None
    )


# --- Disabling ------------------------------------------------------------------------------------------------------


def _failure_count(endpoint: WebhookEndpoint, *, error: str) -> None:
    """Count a delivery that failed for good; at the threshold, disable the endpoint and tell the admins."""
    endpoint.consecutive_failures += 1
    fields = ["consecutive_failures", "updated_at"]
    if endpoint.is_active and endpoint.consecutive_failures >= settings.WEBHOOKS_DISABLE_AFTER:
        endpoint.is_active = False
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = (
            f"Disabled after {endpoint.consecutive_failures} deliveries in a row failed. Last error: {error}"
        )[:1000]
        fields += ["is_active", "disabled_at", "disabled_reason"]
        _admins_notify(endpoint, last_error=error)
    endpoint.save(update_fields=fields)


def _admins() -> list:
    users = get_user_model().objects.filter(is_active=True).filter(Q(role=Role.ADMIN) | Q(is_superuser=True))
    return list(users.exclude(email="").order_by("id"))


def _admins_notify(endpoint: WebhookEndpoint, *, last_error: str) -> None:
    """Queue the "endpoint disabled" e-mail to every admin (sent after the commit; never breaks the recording)."""
    link = settings.SITE_URL + reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    for admin in _admins():
        try:
            with transaction.atomic():  # a savepoint: a failure here must not undo the recorded attempt
                email_queue_event(
                    to=admin.email,
                    event="webhook_disabled",
                    context={"recipient": admin, "endpoint": endpoint, "last_error": last_error, "link": link},
                    kind="webhook_disabled",
                )
        except Exception:
            logger.exception("Could not queue the webhook-disabled e-mail to admin %s", admin.pk)


# --- Configuring ----------------------------------------------------------------------------------------------------


@transaction.atomic
def endpoint_save(*, endpoint: WebhookEndpoint, actor, request: HttpRequest | None = None) -> WebhookEndpoint:
    """Save an endpoint an admin validated (``clean`` checked its URL); enabling it again clears its failure count."""
    created = endpoint.pk is None
    if created:
        endpoint.created_by = actor if getattr(actor, "is_authenticated", False) else None
    if endpoint.is_active and endpoint.disabled_at is not None:
        endpoint.consecutive_failures, endpoint.disabled_at, endpoint.disabled_reason = 0, None, ""
    elif not endpoint.is_active and endpoint.disabled_at is None:
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = f"Disabled by {getattr(actor, 'display_name', 'an admin')}."
    endpoint.save()
    activity_record(
        actor=actor,
        verb="webhook_endpoint_created" if created else "webhook_endpoint_edited",
        request=request,
        obj=endpoint,
        changes={"url": endpoint.url, "events": list(endpoint.events), "active": endpoint.is_active},
    )
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: WebhookEndpoint, actor, request: HttpRequest | None = None) -> str:
    """Give the endpoint a new secret; deliveries from now on are signed with it (give it to the receiver)."""
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    activity_record(actor=actor, verb="webhook_secret_rotated", request=request, obj=endpoint)
    return endpoint.secret
