"""Reads of the session record: a project's sessions, one session, its current agenda item, who may be invited."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from scoping.access import ProjectAccess
from scoping.models import AgendaItem, DiscoveryProject, DiscoverySession


def runs_sessions(access: ProjectAccess) -> bool:
    """Planning, starting, running and ending a session is for the project's staff who may change the scope."""
    return access.manage and access.edit


def sessions_of(project: DiscoveryProject) -> QuerySet[DiscoverySession]:
    return project.discovery_sessions.select_related("facilitator").order_by("-number")


def session_of(access: ProjectAccess, number: int) -> DiscoverySession:
    """One session of a project the person may see; 404 for a number the project does not have."""
    session = access.project.discovery_sessions.select_related("facilitator").filter(number=number).first()
    if session is None:
        raise Http404
    session.project = access.project  # already loaded, with its client
    return session


def current_item(session: DiscoverySession) -> AgendaItem | None:
    """The agenda item under way: started and not ended."""
    return session.agenda.filter(started_at__isnull=False, ended_at__isnull=True).first()


def item_ends_at(item: AgendaItem) -> datetime | None:
    return item.started_at + timedelta(minutes=item.minutes) if item.started_at else None


def item_overrun_minutes(item: AgendaItem, now: datetime | None = None) -> int:
    """Whole minutes past the item's planned time (0 while inside it)."""
    ends = item_ends_at(item)
    if ends is None:
        return 0
    late = (now or timezone.now()) - ends
    return max(0, int(late.total_seconds() // 60))


def item_minutes_left(item: AgendaItem, now: datetime | None = None) -> int:
    ends = item_ends_at(item)
    if ends is None:
        return item.minutes
    left = ends - (now or timezone.now())
    return max(0, int(-(-left.total_seconds() // 60)))  # round up: "1 minute left" until it is over


def invitable_people(project: DiscoveryProject) -> tuple[list, list]:
    """The staff and the client participants of the project who may be invited to its sessions."""
    users = get_user_model().objects.filter(is_active=True)
    staff_ids = {project.lead_consultant_id, *project.memberships.values_list("user_id", flat=True)}
    staff = list(users.filter(pk__in=staff_ids))
    clients = list(users.filter(participations__project=project))
    return staff, clients
