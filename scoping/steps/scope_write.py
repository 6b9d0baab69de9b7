"""Writing a whole scope at once (the API's ``PUT …/scope``): compare-and-set on the scope's ETag, sections replaced.

The guided steps write one section at a time with a revision per section; a program writes the whole scope, so its
precondition is the whole scope: the ``ETag`` it read (the SHA-256 of the scope's canonical JSON). If anyone saved
anything since, the write is refused with the current ETag and nothing is written, so a stale write loses nothing.

What a scope file holds that is edited elsewhere (open questions, accepted risks, the client, and who answered what)
must come back as it was read: changing them here would bypass the pages
that record who decided them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from scoping.live_scope import ensure_sections, export_scope
from scoping.models import DiscoveryProject
from scoping.models.sections import ROW_MODELS
from scoping.projects.scope_io import assign_values, engagement_store, model_value, rows_create
from scoping.projects.services import activity_record, readiness_refresh
from scoping.review import hooks as workflow_hooks
from scoping.scope.answered import changed_fields
from scoping.scope.catalogue import SECTION_LABELS
from scoping.scope.field_checks import IsoDate
from scoping.scope.schema import (
    SCHEMA_V2,
    SECTION_KEYS,
    SECTIONS,
    ScopeValidationError,
    as_v2,
    canonical_json,
    validate_scope,
)
from scoping.steps.sources import field_sources_record

# Parts of a scope file this write leaves alone, with where a person changes them.
KEPT_AS_READ = {
    "open_questions": "open questions are added and answered on the project's questions page",
    "accepted_risks": "risks are accepted on the submit page, with the reason of the person who accepts them",
    "field_sources": "who answered each field is recorded by the pages, not sent",
}


class ScopeStale(Exception):
    """The scope changed since the ETag the writer sent; ``current_etag`` is what it is now. Nothing was written."""

    def __init__(self, current_etag: str) -> None:
        self.current_etag = current_etag
        super().__init__(
            "The scope changed since you read it, so nothing was written. Read it again (GET), apply your change to "
            "what it holds now, and send that with its new ETag in If-Match."
        )


class ScopeWriteRefused(Exception):
    """The write may not happen now (a client once the scope left draft, or a frozen scope without ``reopen``)."""

    def __init__(self, message: str, *, status: int) -> None:
        self.status = status
        super().__init__(message)


def scope_etag(scope: dict[str, Any]) -> str:
    """The strong ETag of a scope: its canonical JSON's SHA-256, quoted as HTTP wants it."""
    return f'"{hashlib.sha256(canonical_json(scope)).hexdigest()}"'


def _kept_as_read(scope: dict[str, Any], current: dict[str, Any]) -> list[tuple[str, str]]:
    errors = [
        (key, f"must be sent as it was read: {why}")
        for key, why in KEPT_AS_READ.items()
        if scope.get(key) != current.get(key)
    ]
    if scope["project"]["client"] != current["project"]["client"]:
        errors.append(("project.client", "must be sent as it was read: a project does not move to another client"))
    return errors


@transaction.atomic
def scope_write(
    *,
    project: DiscoveryProject,
    data: object,
    actor,
    if_match: str,
    reopen: bool = False,
    request: HttpRequest | None = None,
) -> tuple[dict[str, Any], bool]:
    """Replace the project's eight sections (and its name, currency and decision date) with ``data``.

    Returns (the scope as now stored, whether anything changed). Raises ``ScopeValidationError`` for a bad file,
    ``ScopeStale`` when ``if_match`` is not the current ETag, and ``ScopeWriteRefused`` when the stage forbids it.
    A /1 file is read as /2.
    """
    scope = as_v2(validate_scope(data))
    locked = DiscoveryProject.objects.select_for_update().select_related("client").get(pk=project.pk)
    current = export_scope(locked)
    if if_match.strip() != scope_etag(current):
        raise ScopeStale(scope_etag(current))
    if isinstance(data, dict) and data.get("schema") != SCHEMA_V2:
        # A /1 file knows nothing of the engagement: writing it replaces the sections and keeps the engagement.
        scope["engagement"] = current["engagement"]
    if not isinstance(data, dict) or "field_sources" not in data:
        # A file that does not say who answered what (a /1 file, or one written by a program) leaves that as it is.
        scope["field_sources"] = current["field_sources"]
    errors = _kept_as_read(scope, current)
    if errors:
        raise ScopeValidationError(errors)
    changed = [key for key in SECTION_KEYS if scope[key] != current[key]]
    project_changed = scope["project"] != current["project"]
    engagement_changed = scope["engagement"] != current["engagement"]
    if not changed and not project_changed and not engagement_changed:
        return current, False

    refusal = workflow_hooks.edit_refusal(user=actor, project=locked)
    if refusal:
        raise ScopeWriteRefused(refusal, status=403)
    consequence = workflow_hooks.edit_consequence(project=locked)
    if consequence is not None and not reopen:
        raise ScopeWriteRefused(
            f"{consequence.missing_confirmation} Send the write again with ?reopen=true to confirm.", status=409
        )

    if project_changed:
        fields = scope["project"]
        locked.name, locked.currency = fields["name"], fields["currency"]
        locked.target_decision_date = model_value(IsoDate("target_decision_date"), fields["target_decision_date"])
        locked.save(update_fields=["name", "currency", "target_decision_date"])
    sections = ensure_sections(locked)
    for key in changed:
        section = sections[key]
        assign_values(section, SECTIONS[key], scope[key])
        section.revision += 1
        section.updated_by = actor
        section.save()
    for (section_key, _rows_key), (row_model, parent_field) in ROW_MODELS.items():
        if section_key in changed:
            row_model.objects.filter(**{parent_field: sections[section_key]}).delete()
    rows_create(sections=sections, scope=scope, section_keys=tuple(changed))
    for key in changed:  # who answered: the writer, for each field its write changed
        field_sources_record(
            project=locked, section_key=key, fields=changed_fields(key, current[key], scope[key]), actor=actor
        )
    if engagement_changed:
        engagement_store(project=locked, values=scope["engagement"], actor=actor)

    activity_record(
        actor=actor,
        verb="scope_written",
        request=request,
        project=locked,
        obj=locked,
        object_repr=locked.name,
        changes={
            **({"project": ["", "name, currency or decision date"]} if project_changed else {}),
            **{key: ["", SECTION_LABELS[key]] for key in changed},
            **({"engagement": ["", "Engagement"]} if engagement_changed else {}),
        },
    )
    readiness_refresh(project=locked)
    workflow_hooks.after_scope_edit(project=locked, actor=actor)
    return export_scope(locked), True
