"""Webhook endpoints configured by admins, the deliveries queued for them, and each attempt to deliver one."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from webhooks.events import EVENT_LABELS
from webhooks.targets import TargetRefused
from webhooks.transport import url_check

EVENT_CHOICES = [(name, f"{name}: {label}") for name, label in EVENT_LABELS.items()]


def new_secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpoint(models.Model):
    """A URL that hears about the events it subscribes to, in POSTs signed with its own secret."""

    name = models.CharField(max_length=100, help_text="Who receives it, e.g. “CRM” or “Delivery tracker”.")
    url = models.URLField(
        "URL",
        max_length=500,
        help_text="An http:// or https:// URL on a public address. Redirects are not followed.",
    )
    secret = models.CharField(
        max_length=64,
        default=new_secret,
        editable=False,
        help_text="Give this to the receiver: it checks the Firstslice-Signature header with it.",
    )
    events = models.JSONField(default=list, blank=True, help_text="The events this endpoint receives.")
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick to stop deliveries. Firstslice unticks it after repeated failures; tick it to resume.",
    )
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "id")
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    def clean(self) -> None:
        """Refuse an unknown event, and a URL that is not http(s) or resolves to a non-public address now.

        The same check runs again at every delivery against what DNS answers then.
        """
        unknown = sorted(set(self.events or []) - set(EVENT_LABELS))
        if not isinstance(self.events, list) or unknown:
            raise ValidationError({"events": f"Unknown events: {', '.join(unknown) or self.events}."})
        if self.url:
            try:
                url_check(self.url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)
            except TargetRefused as error:
                raise ValidationError({"url": str(error)}) from error

    def subscribes_to(self, event: str) -> bool:
        return event in (self.events or [])


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RETRYING = "retrying", "Failed, retrying"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


FINISHED_STATUSES = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


class WebhookDelivery(models.Model):
    """One event for one endpoint: the exact body, and where its delivery stands.

    Its id is the ``id`` in the body and the ``Firstslice-Delivery`` header, so a receiver can ignore a repeat.
    Sending it again by hand makes a new delivery (with a new id) that points back to this one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=EVENT_CHOICES)
    project = models.ForeignKey(
        "scoping.DiscoveryProject", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activity = models.ForeignKey(
        "scoping.ActivityEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(help_text="The JSON sent, byte for byte.")
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Of the last attempt.")
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["endpoint", "-created_at"]), models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint.name} ({self.get_status_display()})"


class AttemptOutcome(models.TextChoices):
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused: the target is not allowed"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: when, how long, what came back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True, help_text="The start of the answer's body.")
    address = models.GenericIPAddressField(null=True, blank=True, help_text="The checked address connected to.")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    retry_in_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="When another attempt follows.")

    class Meta:
        ordering = ("delivery", "number", "id")
        verbose_name = "webhook attempt"

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.get_outcome_display()}"
