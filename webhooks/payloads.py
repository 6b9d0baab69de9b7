"""The JSON body of each webhook event, read from the database when the delivery is queued.

A body carries ids, stages, fingerprints and the names the project already shows its team (reviewer, signer); never
e-mail addresses, IP addresses, free-text comments or the scope itself. A receiver that needs more asks the API.
"""

from __future__ import annotations

from typing import Any

from documents.models import ScopeDocument
from scoping.models import ActivityEvent, DiscoveryProject, Review, ScopeVersion, SignOff
from webhooks import events


def project_data(project: DiscoveryProject | None) -> dict[str, Any] | None:
    if project is None:
        return None
    return {"id": project.pk, "name": project.name, "client": project.client.name, "stage": project.stage}


def _version_data(version: ScopeVersion) -> dict[str, Any]:
    return {
        "id": version.pk,
        "number": version.number,
        "label": version.label,
        "sha256": version.sha256,
        "frozen_at": version.frozen_at.isoformat(),
    }


def _object_pk(activity: ActivityEvent, model) -> int | None:
    """The primary key of the row the audit event is about, when it is a ``model`` row."""
    if activity.object_type != model._meta.label or not activity.object_id.isdigit():
        return None
    return int(activity.object_id)


def _stage_changed(activity: ActivityEvent) -> dict[str, Any]:
    before, after = events.stage_change(activity.changes)  # events_for raised this event only with a pair
    return {"from": before, "to": after, "cause": activity.verb}


def _version_frozen(activity: ActivityEvent) -> dict[str, Any]:
    version = ScopeVersion.objects.get(pk=_object_pk(activity, ScopeVersion))
    return {"version": _version_data(version), "frozen_by": version.frozen_by_name}


def _review_decided(activity: ActivityEvent) -> dict[str, Any]:
    review = Review.objects.select_related("version", "reviewer").get(pk=_object_pk(activity, Review))
    return {
        "decision": review.decision,
        "reviewer": review.reviewer.display_name,
        "version": _version_data(review.version),
        "sections_commented": list(review.comments.values_list("section", flat=True)),
    }


def _signoff_signed(activity: ActivityEvent) -> dict[str, Any]:
    signoff = SignOff.objects.select_related("version").get(pk=_object_pk(activity, SignOff))
    return {
        "signer": signoff.typed_name,
        "role": signoff.role,
        "is_client": signoff.is_client,
        "signed_at": signoff.signed_at.isoformat(),
        "version": _version_data(signoff.version),
        "completes_signoff": events.stage_change(activity.changes) is not None,
    }


def _signoff_completed(activity: ActivityEvent) -> dict[str, Any]:
    version = ScopeVersion.objects.get(pk=_object_pk(activity, ScopeVersion))
    signers = list(
        version.signoffs.filter(decision="signed").order_by("signed_at", "id").values_list("typed_name", flat=True)
    )
    return {"version": _version_data(version), "signatories": signers}


def _document_ready(activity: ActivityEvent) -> dict[str, Any]:
    document = ScopeDocument.objects.select_related("version").get(pk=_object_pk(activity, ScopeDocument))
    return {
        "document": {
            "id": document.pk,
            "kind": document.kind,
            "sha256": document.sha256,
            "pages": document.page_count,
            "bytes": document.byte_size,
        },
        "version": _version_data(document.version),
    }


EVENT_DATA = {
    events.PROJECT_STAGE_CHANGED: _stage_changed,
    events.VERSION_FROZEN: _version_frozen,
    events.REVIEW_DECIDED: _review_decided,
    events.SIGNOFF_SIGNED: _signoff_signed,
    events.SIGNOFF_COMPLETED: _signoff_completed,
    events.DOCUMENT_READY: _document_ready,
}


def event_body(*, event: str, activity: ActivityEvent, project: DiscoveryProject | None) -> dict[str, Any]:
    """Everything in the body except ``id``, which each delivery adds (it is the delivery's own id)."""
    return {
        "event": event,
        "created_at": activity.created_at.isoformat(),
        "project": project_data(project),
        "data": EVENT_DATA[event](activity),
    }
