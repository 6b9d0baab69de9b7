"""Rendered scope documents (PDFs)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DocumentKind(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSAL = "proposal", "Proposal"
    SIGNED = "signed", "Signed"


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def document_path(instance: ScopeDocument, filename: str) -> str:
    return f"documents/{instance.version.project_id}/{instance.pk or 'new'}-{filename}"


class ScopeDocument(models.Model):
    """One PDF rendered from one frozen version. Downloads go through an access-checked view only."""

    version = models.ForeignKey("scoping.ScopeVersion", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=10, choices=DocumentKind.choices, default=DocumentKind.DRAFT)
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED, db_index=True
    )
    file = models.FileField(upload_to=document_path, blank=True, max_length=500)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    byte_size = models.PositiveBigIntegerField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # While rendering: the job renews this every few seconds; once it lies in the past, the worker is gone.
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    # Not stored: ``document_create`` sets it when an identical pending request was returned instead of a new row.
    reused = False

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            # Identical requests share one job: at most one queued or rendering document per version and kind.
            models.UniqueConstraint(
                fields=["version", "kind"],
                condition=models.Q(status__in=["queued", "rendering"]),
                name="one_pending_document_per_version_and_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} PDF of {self.version} ({self.status})"
