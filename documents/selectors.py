"""Reads for the versions and documents pages."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from documents.models import DocumentKind, DocumentStatus, ScopeDocument
from scoping.models import DiscoveryProject, ScopeVersion, SignOffDecision

PENDING_STATUSES = (DocumentStatus.QUEUED, DocumentStatus.RENDERING)


def pending_twin(*, version: ScopeVersion, kind: str, exclude_pk: int | None = None) -> ScopeDocument | None:
    """The queued or rendering document of this version and kind, if there is one (there is at most one)."""
    pending = ScopeDocument.objects.filter(version=version, kind=kind, status__in=PENDING_STATUSES)
    if exclude_pk is not None:
        pending = pending.exclude(pk=exclude_pk)
    return pending.first()


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


def default_comparison(*, versions: list[ScopeVersion], client_seen: ScopeVersion | None) -> dict[str, str]:
    """The versions compared when none are asked for: since the client last saw the scope, else the latest change."""
    latest = versions[0]
    if client_seen is not None and client_seen.number < latest.number:
        default_from = str(client_seen.number)
    else:
        default_from = str(versions[1].number) if len(versions) > 1 else "0"
    return {"from_version": default_from, "to_version": str(latest.number)}
