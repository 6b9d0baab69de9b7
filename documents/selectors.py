"""Reads for the versions and documents pages."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from documents.models import DocumentKind, DocumentStatus, ScopeDocument
from scoping.models import DiscoveryProject, ScopeVersion, SignOffDecision

PENDING_STATUSES = (DocumentStatus.QUEUED, DocumentStatus.RENDERING)


def project_versions(*, project: DiscoveryProject) -> QuerySet[ScopeVersion]:
    """Newest first, each with how many ready documents it has."""
    return (
        ScopeVersion.objects.filter(project=project)
        .select_related("frozen_by")
        .annotate(ready_documents=Count("documents", filter=Q(documents__status=DocumentStatus.READY)))
        .order_by("-number")
    )


def project_documents(*, project: DiscoveryProject) -> QuerySet[ScopeDocument]:
    return (
        ScopeDocument.objects.filter(version__project=project)
        .select_related("version", "requested_by")
        .order_by("-created_at", "-id")
    )


def version_documents(*, version: ScopeVersion) -> QuerySet[ScopeDocument]:
    return version.documents.select_related("version", "requested_by").order_by("-created_at", "-id")


def client_last_seen_version(*, project: DiscoveryProject) -> ScopeVersion | None:
    """The latest version the client has been given: a ready proposal or signed PDF, or a version they signed."""
    return (
        ScopeVersion.objects.filter(project=project)
        .filter(
            Q(
                documents__status=DocumentStatus.READY,
                documents__kind__in=(DocumentKind.PROPOSAL, DocumentKind.SIGNED),
            )
            | Q(signoffs__is_client=True, signoffs__decision=SignOffDecision.SIGNED)
        )
        .order_by("-number")
        .first()
    )
