"""Reads: the pipeline list and the project overview."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery

from .access import can_edit_scope, is_project_staff
from .models import AcceptedRisk, Client, DiscoveryProject


def project_pipeline(*, user, query: str = "", stage: str = "", client: Client | None = None) -> QuerySet:
    """Projects the user may see, newest activity first, with everything the list shows in one query."""
    projects = DiscoveryProject.objects.visible_to(user).select_related("client", "lead_consultant")
    if query:
        projects = projects.filter(name__icontains=query)
    if stage:
        projects = projects.filter(stage=stage)
    if client is not None:
        projects = projects.filter(client=client)
    # A correlated count, evaluated only for the rows of the page (a JOIN + GROUP BY would touch every project).
    accepted = (
        AcceptedRisk.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    projects = projects.annotate(accepted_risk_count=Subquery(accepted, output_field=IntegerField()))
    return projects.order_by("-last_activity_at", "-pk")


def project_overview(*, project: DiscoveryProject, user) -> dict:
    return {
        "project": project,
        "is_staff_member": is_project_staff(user, project),
        "can_edit": can_edit_scope(user, project),
        "events": project.events.select_related("actor")[:15],
        "participants": project.participants.select_related("user"),
        "members": project.memberships.select_related("user"),
    }
