"""Project <-> scope JSON: the export behind ``scope.json`` and snapshots, and the importer behind ``import_scope``.

The export itself is ``scoping.live_scope.export_scope`` (re-exported here); the importer creates the project
through ``scoping.projects.services``. Both directions walk the field catalogue in ``scoping.scope.schema``, so a field
there and on its model travels without touching this module. Export output is always validated and normalized, so
export -> import -> export gives the identical dict, and frozen versions hash the same however the values were typed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from proposals.models import ENGAGEMENT_ROWS, Engagement
from scoping.live_scope import ensure_sections, export_scope
from scoping.models import Client, DiscoveryProject
from scoping.models.sections import ROW_MODELS, AcceptedRisk, OpenQuestion, ScopeSection
from scoping.models.sessions import FieldSource
from scoping.projects.services import client_create, project_create, readiness_refresh
from scoping.scope.field_checks import DecimalNumber, Field, Group, IsoDate, Rows
from scoping.scope.schema import (
    ENGAGEMENT_FIELDS,
    OPEN_QUESTIONS,
    SECTIONS,
    SHORT_TEXT_MAX,
    ScopeValidationError,
    as_v2,
    validate_scope,
)

# export_scope and ensure_sections live in scoping.live_scope (the writes read them too); importable from here as ever.
__all__ = [
    "assign_values",
    "engagement_store",
    "ensure_sections",
    "export_scope",
    "field_sources_restore",
    "import_scope",
    "model_value",
    "rows_create",
]


def model_value(item: Field, value: Any) -> Any:
    """Turn a normalized scope value into what the model field stores."""
    if value is None:
        return None
    if isinstance(item, DecimalNumber):
        return Decimal(value)
    if isinstance(item, IsoDate):
        return date.fromisoformat(value)
    return value


def assign_values(instance: models.Model, fields: tuple[Field, ...], values: dict[str, Any], prefix: str = "") -> None:
    """Set a section's (or row's) fields from normalized scope values; groups by their prefix, rows left out."""
    for item in fields:
        if isinstance(item, Group):
            assign_values(instance, item.fields, values[item.key], prefix + item.attr_prefix)
        elif not isinstance(item, Rows):
            setattr(instance, prefix + item.key, model_value(item, values[item.key]))


def rows_create(*, sections: dict[str, ScopeSection], scope: dict[str, Any], section_keys: tuple[str, ...]) -> None:
    """Create the rows of the given sections from the scope, in its order (one insert per kind of row)."""
    for (section_key, rows_key), (row_model, parent_field) in ROW_MODELS.items():
        if section_key not in section_keys:
            continue
        rows_spec = next(item for item in SECTIONS[section_key] if item.key == rows_key)
        rows = []
        for position, values in enumerate(scope[section_key][rows_key]):
            row = row_model(position=position, **{parent_field: sections[section_key]})
            assign_values(row, rows_spec.fields, values)
            rows.append(row)
        row_model.objects.bulk_create(rows)


def engagement_store(*, project: DiscoveryProject, values: dict[str, Any], actor) -> Engagement:
    """Write a normalized ``engagement`` (scope JSON v2) into the project's engagement, its lists replaced."""
    engagement, _created = Engagement.objects.get_or_create(project=project)
    assign_values(engagement, ENGAGEMENT_FIELDS, values)
    engagement.clauses = list(values.get("clauses") or [])
    engagement.updated_by = actor
    engagement.save()
    for rows_key, (row_model, parent_field) in ENGAGEMENT_ROWS.items():
        row_model.objects.filter(**{parent_field: engagement}).delete()
        rows_spec = next(item for item in ENGAGEMENT_FIELDS if item.key == rows_key)
        rows = []
        for position, row_values in enumerate(values[rows_key]):
            row = row_model(position=position, **{parent_field: engagement})
            assign_values(row, rows_spec.fields, row_values)
            rows.append(row)
        row_model.objects.bulk_create(rows)
    return engagement


def field_sources_restore(*, project: DiscoveryProject, sources: dict[str, dict[str, Any]]) -> None:
    """Keep who answered each field, as the file says, on a project made from it (one insert).

    The name and role are kept as text only: a file can name anyone, so it never links a record to an account here.
    The project is new and has no sessions, so a session number cannot be linked either and is not kept.
    """
    records = []
    for path, source in sources.items():
        section, _dot, field = path.partition(".")
        try:
            at = datetime.fromisoformat(source["at"]) if source["at"] else None
        except ValueError:
            at = None
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        records.append(
            FieldSource(
                project=project,
                section=section,
                field=field,
                by_name=source["by"] or "someone",
                role=source["role"][:40],
                at=at or timezone.now(),
            )
        )
    FieldSource.objects.bulk_create(records)


def _checked_client_name(scope: dict[str, Any], client_name: str | None) -> str:
    if client_name is None:
        name = scope["project"]["client"].strip()
        if not name:
            raise ScopeValidationError(
                [("project.client", "is empty: give the client's name in the file, or name the client when importing")]
            )
        return name
    name = client_name.strip()
    if not name:
        raise ScopeValidationError([("project.client", "the client name given for the import is empty")])
    if len(name) > SHORT_TEXT_MAX:
        raise ScopeValidationError(
            [
                (
                    "project.client",
                    f"the client name given for the import is too long: {len(name)} characters; "
                    f"the limit is {SHORT_TEXT_MAX}",
                )
            ]
        )
    if "\x00" in name:
        raise ScopeValidationError(
            [("project.client", "the client name given for the import contains a NUL character")]
        )
    return name


def _client_named(name: str, *, actor) -> Client:
    """The existing client of that name (ignoring case, an exact match first), or a new one."""
    client = Client.objects.filter(name=name).first()
    if client is None:
        client = Client.objects.filter(name__iexact=name).order_by("id").first()
    if client is None:
        client = client_create(actor=actor, name=name)
    return client


@transaction.atomic
def import_scope(*, data: object, client_name: str | None, user) -> DiscoveryProject:
    """Create a draft project, led by ``user``, from a scope JSON; reject the whole file on any error.

    A /1 file is upgraded to /2 first (its per-call fields become one model step, with the same figures).
    ``client_name`` (the ``--client`` option) overrides the client named in the file. Raises
    ``ScopeValidationError`` before anything is written, so a bad file leaves the database unchanged.
    """
    scope = as_v2(validate_scope(data))
    client = _client_named(_checked_client_name(scope, client_name), actor=user)
    project_fields = scope["project"]
    project = project_create(
        actor=user,
        client=client,
        name=project_fields["name"],
        lead_consultant=user,
        currency=project_fields["currency"],
        target_decision_date=model_value(IsoDate("target_decision_date"), project_fields["target_decision_date"]),
    )
    sections = ensure_sections(project)
    for key, section in sections.items():
        assign_values(section, SECTIONS[key], scope[key])
        section.updated_by = user
        section.save()
    rows_create(sections=sections, scope=scope, section_keys=tuple(sections))
    engagement_store(project=project, values=scope["engagement"], actor=user)
    questions = []
    for values in scope["open_questions"]:
        question = OpenQuestion(project=project)
        assign_values(question, OPEN_QUESTIONS.fields, values)
        questions.append(question)
    OpenQuestion.objects.bulk_create(questions)
    AcceptedRisk.objects.bulk_create(
        AcceptedRisk(project=project, code=risk["code"], reason=risk["reason"], accepted_by_name=risk["accepted_by"])
        for risk in scope["accepted_risks"]
    )
    field_sources_restore(project=project, sources=scope["field_sources"])
    readiness_refresh(project=project)
    return project
