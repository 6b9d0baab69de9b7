"""The audit trail's one writer: ``activity_record`` appends an event and marks the project as active.

It imports only models and the client-address rule, so every area's writes (accounts' included) can record what
they did without importing the scoping services that import them.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from config.client_ip import client_ip
from scoping.models import ActivityEvent, DiscoveryProject

__all__ = ["activity_record", "version_event_record"]


def activity_record(
    *,
    actor,
    verb: str,
    request: HttpRequest | None = None,
    project: DiscoveryProject | None = None,
    obj: models.Model | None = None,
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> ActivityEvent:
    """Append one event to the audit trail, and mark the project as active."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    event = ActivityEvent.objects.create(
        actor=actor,
        actor_repr=(actor.display_name if actor else "")[:200],
        verb=verb,
        project=project,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:300],
        changes=changes or {},
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:500],
    )
    if project is not None:
        DiscoveryProject.objects.filter(pk=project.pk).update(last_activity_at=event.created_at)
    return event


def version_event_record(
    *,
    actor,
    verb: str,
    project: DiscoveryProject,
    version,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> ActivityEvent:
    """Append an event about one frozen version, named the way the audit trail shows it: label and fingerprint.

    ``obj`` is the row the event is about when that is not the version itself (a review of it).
    """
    return activity_record(
        actor=actor,
        verb=verb,
        request=request,
        project=project,
        obj=obj if obj is not None else version,
        object_repr=f"{version.label} ({version.short_hash})",
        changes=changes,
    )
