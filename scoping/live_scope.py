"""A project's live scope: its eight sections (created empty when missing) and the scope JSON they hold.

The one reader of a project's rows, shared by the writes (``services``), the importer and exporter (``scope_io``),
the stage machine and the versions. It walks the field catalogue in ``scoping.scope.schema``, so a field added there
and on its model travels without touching this module. Its output is always validated and normalized, so frozen
versions hash the same however the values were typed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Prefetch, QuerySet

from scoping.models import DiscoveryProject
from scoping.models.sections import ROW_MODELS, SECTION_MODELS, AcceptedRisk, ScopeSection
from scoping.models.sessions import FieldSource
from scoping.scope.answered import field_labels
from scoping.scope.field_checks import Field, Group, Rows, canonical_decimal
from scoping.scope.fields import ROWS
from scoping.scope.schema import ENGAGEMENT_FIELDS, OPEN_QUESTIONS, SCHEMA_ID, SECTION_KEYS, SECTIONS, validate_scope
from scoping.scope.schema_v2 import ENGAGEMENT

__all__ = ["ensure_sections", "export_scope", "field_source_json", "scope_of", "with_scope"]


def _json_value(value: object) -> Any:
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _read(instance: models.Model, fields: tuple[Field, ...], prefix: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in fields:
        if isinstance(item, Group):
            data[item.key] = _read(instance, item.fields, prefix + item.attr_prefix)
        elif isinstance(item, Rows):
            rows = getattr(instance, item.key).all()
            data[item.key] = [_read(row, item.fields) for row in rows]
        else:
            data[item.key] = _json_value(getattr(instance, prefix + item.key))
    return data


def _section_or_none(project: DiscoveryProject, key: str) -> ScopeSection | None:
    try:
        return getattr(project, key)
    except ObjectDoesNotExist:
        return None


def _accepted_by(risk: AcceptedRisk) -> str:
    if risk.accepted_by_name:
        return risk.accepted_by_name
    if risk.accepted_by is not None:
        return getattr(risk.accepted_by, "display_name", "") or risk.accepted_by.get_username()
    return ""


def field_source_json(record: FieldSource) -> dict[str, Any]:
    """One record as ``field_sources`` holds it: {"by", "role", "at", "session"} (the session's number, or None)."""
    return {
        "by": record.by_name,
        "role": record.role,
        "at": record.at.isoformat() if record.at else "",
        "session": record.session.number if record.session is not None else None,
    }


def with_scope(projects: QuerySet[DiscoveryProject] | None = None) -> QuerySet[DiscoveryProject]:
    """Projects loaded with everything ``scope_of`` reads: one query per project plus one per kind of row."""
    projects = projects if projects is not None else DiscoveryProject.objects.all()
    return projects.select_related("client", *SECTION_KEYS, "engagement").prefetch_related(
        *(f"{section_key}__{rows_key}" for section_key, rows_key in ROW_MODELS),
        *(f"engagement__{rows.key}" for rows in ENGAGEMENT if rows.kind == ROWS),
        "open_questions",
        "accepted_risks__accepted_by",
        Prefetch("field_sources", queryset=FieldSource.objects.select_related("session")),
    )


def export_scope(project: DiscoveryProject) -> dict[str, Any]:
    """The whole scope of a project in the DESIGN.md format, validated and normalized, read afresh.

    Sections not created yet export as empty. A constant number of queries, whatever the number of rows.
    """
    return scope_of(with_scope().get(pk=project.pk))


def scope_of(project: DiscoveryProject) -> dict[str, Any]:
    """The scope of a project loaded through ``with_scope`` (no query): for a page that needs the rows too."""
    raw: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "project": {
            "name": project.name,
            "client": project.client.name,
            "currency": project.currency,
            "target_decision_date": _json_value(project.target_decision_date),
        },
    }
    for key in SECTION_KEYS:
        section = _section_or_none(project, key)
        raw[key] = _read(section, SECTIONS[key]) if section is not None else {}
    raw["open_questions"] = [_read(question, OPEN_QUESTIONS.fields) for question in project.open_questions.all()]
    raw["accepted_risks"] = [
        {"code": risk.code, "reason": risk.reason, "accepted_by": _accepted_by(risk)}
        for risk in project.accepted_risks.all()
    ]
    engagement = _section_or_none(project, "engagement")
    if engagement is not None:
        raw["engagement"] = {**_read(engagement, ENGAGEMENT_FIELDS), "clauses": list(engagement.clauses or [])}
    # A record of a field the catalogue no longer has is left out rather than making the whole scope invalid.
    raw["field_sources"] = {
        f"{record.section}.{record.field}": field_source_json(record)
        for record in project.field_sources.all()
        if record.field in field_labels(record.section)
    }
    return validate_scope(raw)


def ensure_sections(project: DiscoveryProject) -> dict[str, ScopeSection]:
    """Create whichever of the eight sections a project lacks (empty), and return all eight by key."""
    sections: dict[str, ScopeSection] = {}
    for key, model in SECTION_MODELS.items():
        sections[key], _created = model.objects.get_or_create(project=project)
    return sections
