"""Reads: the pipeline list and the project overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery

from scoping.access import ProjectAccess
from scoping.models import AcceptedRisk, Client, DiscoveryProject, ScopeVersion


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


def project_overview(*, access: ProjectAccess) -> dict:
    project = access.project
    return {
        "project": project,
        "access": access,
        "events": project.events.select_related("actor")[:15],
        "participants": project.participants.select_related("user"),
        "members": project.memberships.select_related("user"),
    }


@dataclass(frozen=True)
class OpenQuestionCount:
    """How many questions a frozen version leaves open, and how many of those are past their due date."""

    total: int
    overdue: int


def version_open_questions(*, version: ScopeVersion, today: date) -> OpenQuestionCount:
    """Counted in the frozen scope itself: that is what is approved, signed and printed."""
    rows = version.scope.get("open_questions") if isinstance(version.scope, dict) else None
    total = overdue = 0
    for row in rows if isinstance(rows, list) else ():
        if not isinstance(row, dict) or str(row.get("status") or "open") != "open":
            continue
        total += 1
        try:
            due = date.fromisoformat(str(row.get("due") or "")[:10])
        except ValueError:
            continue
        overdue += due < today
    return OpenQuestionCount(total=total, overdue=overdue)
