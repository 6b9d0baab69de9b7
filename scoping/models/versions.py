"""Frozen versions of a scope, and the decisions taken on them: reviews and sign-offs.

Review, sign-off and PDFs always refer to a version, never to live rows. Versions and sign-offs are immutable;
the database refuses UPDATE and DELETE on both (migration 0005).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScopeVersion(models.Model):
    """An immutable snapshot of the whole scope in the export format, with its SHA-256."""

    project = models.ForeignKey("scoping.DiscoveryProject", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # The exact canonical JSON text that was hashed; `scope` is the same data for querying and rendering.
    canonical_json = models.TextField()
    scope = models.JSONField()
    sha256 = models.CharField(max_length=64, db_index=True)
    readiness = models.JSONField(default=dict)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    frozen_by_name = models.CharField(max_length=200, blank=True)
    frozen_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True, max_length=5000)

    class Meta:
        ordering = ("project", "-number")
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def label(self) -> str:
        return f"v{self.number}"

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Scope versions are immutable; freeze a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Scope versions are immutable and cannot be deleted.")


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REQUEST_CHANGES = "request_changes", "Request changes"


class Review(models.Model):
    """A reviewer's decision on one version."""

    version = models.ForeignKey(ScopeVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    summary = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on {self.version}"


class ReviewComment(models.Model):
    """A reviewer's comment on one section of a version; shown on that step until the next version."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=30)
    comment = models.TextField(max_length=5000)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.section}: {self.comment[:40]}"


class SignOffDecision(models.TextChoices):
    SIGNED = "signed", "Signed"
    DECLINED = "declined", "Declined"


class SignOff(models.Model):
    """One signatory's sign-off (or refusal) of one version. Append-only."""

    version = models.ForeignKey(ScopeVersion, on_delete=models.PROTECT, related_name="signoffs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=SignOffDecision.choices, default=SignOffDecision.SIGNED)
    typed_name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, help_text="e.g. Finance Director (client) or Lead consultant")
    is_client = models.BooleanField(default=False)
    signed_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    # The signer's IANA time zone as their browser reported it ("Europe/Berlin"), so the certificate can give the
    # local time they signed at; blank when the browser said nothing usable.
    time_zone = models.CharField(max_length=64, blank=True)
    version_sha256 = models.CharField(max_length=64)
    consent = models.BooleanField(default=False)
    consent_text = models.TextField()
    reason = models.TextField(blank=True, max_length=5000, help_text="Why the signatory declined.")
    # How the signer proved who they are beyond their sign-in (``SigningIdentity``); blank for signatures made
    # before identity checks existed, which the certificate reads as a sign-in.
    identity = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ("signed_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "user"],
                condition=models.Q(decision="signed"),
                name="one_signature_per_signatory_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.typed_name} {self.decision} {self.version}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Sign-offs are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Sign-offs are append-only.")


class SigningIdentity(models.TextChoices):
    """How a signatory proved who they are when signing, as the certificate words it."""

    SIGN_IN = "sign_in", "Signed in to their own account"
    EMAIL_CODE = "email_code", "Signed in to their own account and confirmed a 6-digit code e-mailed to them"


class SigningOrder(models.TextChoices):
    """Who signs when: everyone at once, or two groups one after the other (the next is invited when one completes)."""

    PARALLEL = "parallel", "Everyone at once"
    CLIENT_FIRST = "client_first", "The client's signatories first, then the consultancy's lead"
    CONSULTANCY_FIRST = "consultancy_first", "The consultancy's lead first, then the client's signatories"


class SignOffRequestQuerySet(models.QuerySet):
    def open(self) -> SignOffRequestQuerySet:
        """Requests still out for signature: neither expired nor closed (signed off, declined, withdrawn)."""
        return self.filter(expired_at__isnull=True, closed_at__isnull=True)


class SignOffRequest(models.Model):
    """One sending of a version for signature: who asked, when, and until when it can be signed.

    A project has at most one open request (the database says so). Signing it off, a refusal, an edit or a new
    request closes it; the expiry job marks it expired and returns the scope to approved.
    """

    project = models.ForeignKey("scoping.DiscoveryProject", on_delete=models.PROTECT, related_name="signoff_requests")
    version = models.ForeignKey(ScopeVersion, on_delete=models.PROTECT, related_name="signoff_requests")
    # Null only for requests rebuilt from an audit event without an actor (migration 0016).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    expired_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    order = models.CharField(max_length=20, choices=SigningOrder.choices, default=SigningOrder.PARALLEL)

    objects = SignOffRequestQuerySet.as_manager()

    class Meta:
        ordering = ("-requested_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(expired_at__isnull=True, closed_at__isnull=True),
                name="one_open_signoff_request_per_project",
            )
        ]
        indexes = [models.Index(fields=["expires_at"], name="signoff_request_expiry")]

    def __str__(self) -> str:
        return f"Sign-off request for {self.version} (expires {self.expires_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.expired_at is None and self.closed_at is None


class SignOffReminder(models.Model):
    """One reminder e-mail to one signatory about one request: the record that makes reminders idempotent."""

    request = models.ForeignKey(SignOffRequest, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    by_hand = models.BooleanField(default=False, help_text="Sent with “Remind now” rather than by the daily job.")

    class Meta:
        ordering = ("sent_at", "id")
        indexes = [models.Index(fields=["request", "user", "-sent_at"], name="signoff_reminder_last")]

    def __str__(self) -> str:
        return f"Reminder to {self.user_id} about {self.request_id} at {self.sent_at:%Y-%m-%d %H:%M}"


class SigningCode(models.Model):
    """A 6-digit code e-mailed to one signatory for one sign-off request: confirmed before they may sign.

    Only a keyed hash of the code is kept. A code works for ``SIGNING_CODE_MINUTES``; five wrong tries lock signing
    of that request for that person (``locked_until``); a confirmed code is used up by the signature it allowed.
    """

    request = models.ForeignKey(SignOffRequest, on_delete=models.CASCADE, related_name="codes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    sent_to = models.EmailField()
    sent_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-sent_at", "-id")
        indexes = [models.Index(fields=["request", "user", "-sent_at"], name="signing_code_last")]

    def __str__(self) -> str:
        return f"Signing code for {self.user_id} on request {self.request_id} sent {self.sent_at:%Y-%m-%d %H:%M}"
