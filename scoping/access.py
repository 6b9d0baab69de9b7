"""Resolve objects through the access rule. Views never fetch a project any other way."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Client, DiscoveryProject


def project_for_user(user, project_id: int, *, queryset=None) -> DiscoveryProject:
    """The project, if this user may see it; a stranger gets 404, never someone else's data."""
    qs = queryset if queryset is not None else DiscoveryProject.objects.select_related("client", "lead_consultant")
    return get_object_or_404(qs.visible_to(user), pk=project_id)


def is_project_staff(user, project: DiscoveryProject) -> bool:
    """Consultancy staff who may manage the project: its lead, its members, and admins."""
    if user.is_superuser or user.role == "admin":
        return True
    if user.role not in ("consultant", "reviewer"):
        return False
    return project.lead_consultant_id == user.pk or project.memberships.filter(user=user).exists()


def can_edit_scope(user, project: DiscoveryProject) -> bool:
    """Staff on the project and client participants with can_edit may change the scope."""
    if project.is_archived:
        return False
    if is_project_staff(user, project):
        return True
    if user.role == "client":
        return project.participants.filter(user=user, can_edit=True).exists()
    return False


def project_for_staff(user, project_id: int) -> DiscoveryProject:
    """A project the user may manage: 404 if they cannot see it, 403 if they can see it but not manage it."""
    project = project_for_user(user, project_id)
    if not is_project_staff(user, project):
        raise PermissionDenied("Only the project's consultancy team can do this.")
    return project


def require_firm_staff(user) -> None:
    if not user.is_firm_staff and not user.is_superuser:
        raise Http404


def client_for_user(user, client_id: int) -> Client:
    """Client organisations are the consultancy's directory: staff only; client people get 404."""
    require_firm_staff(user)
    return get_object_or_404(Client, pk=client_id)
