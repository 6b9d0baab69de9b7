"""Starting points of a new project: blank, one of the shipped templates, or a copy of a scope the person may see.

Every starting point that is not blank travels as a scope JSON through ``scope_io.import_scope``, the one way a
scope enters the database: a template file and a copied scope are validated like an uploaded file, and whatever the
scope JSON carries (the engagement included) comes along without this module knowing its fields.

What a copy takes from its source:

* **with its answers**: every answer of the eight sections, the open questions, and the engagement, as exported.
  Never the source's versions, sign-offs, reviews, documents, activity history, team or client participants (they
  are not in the scope JSON), its accepted risks (they were accepted by someone for that project and that client;
  this project's team must accept its own) or who answered which field (``field_sources``: people of the other
  project). A cost model that relied on the source project's currency keeps that currency, so no amount changes
  meaning when the new project's currency differs.
* **without its answers**: the skeleton only, the shape of the system and nothing anyone answered about it. Each
  list keeps its rows with only the words that name them (``SKELETON_FIELDS``): success metrics and acceptance
  criteria by name, data sources by name, system and kind, failure modes by scenario and category, access roles by
  name, model steps by name, provider, model and calls per use, responsibilities by name. Every other value is
  dropped: section texts, choices, people, e-mails, volumes, token counts, prices and other money, dates, open
  questions, accepted risks and the engagement. Rows are the reusable part of a scope; a text answer describes one
  client's situation and is not safe to carry to another client unread.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from scoping.access import require_creator, resolve_project
from scoping.audit import activity_record
from scoping.live_scope import export_scope
from scoping.models import Client, DiscoveryProject
from scoping.projects import services
from scoping.projects.scope_io import import_scope
from scoping.scope.schema import ScopeValidationError, as_v2, empty_scope, validate_scope

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "demo_data" / "templates"

BLANK = "blank"
COPY = "copy"
TEMPLATE_PREFIX = "template:"


@dataclass(frozen=True)
class ScopeTemplate:
    """One shipped template: a scope JSON file of typical answers with the client's facts left blank."""

    key: str
    title: str
    description: str
    filename: str

    @property
    def choice(self) -> str:
        return f"{TEMPLATE_PREFIX}{self.key}"

    def scope(self) -> dict[str, Any]:
        """The template's scope, validated and normalized (a fresh copy: callers may change it)."""
        return copy.deepcopy(_template_scope(self.filename))


TEMPLATES: tuple[ScopeTemplate, ...] = (
    ScopeTemplate(
        key="document_processing",
        title="Document processing",
        description="Extract the fields of invoices, contracts or forms into the system of record, checked by a "
        "person.",
        filename="document-processing.json",
    ),
    ScopeTemplate(
        key="customer_assistant",
        title="Customer-facing assistant",
        description="A support chat that answers customers from the knowledge base and hands over to agents.",
        filename="customer-assistant.json",
    ),
    ScopeTemplate(
        key="classification_triage",
        title="Classification and triage",
        description="Classify, prioritise and route incoming tickets, claims or requests to the right queue.",
        filename="classification-triage.json",
    ),
)
TEMPLATES_BY_CHOICE = {template.choice: template for template in TEMPLATES}


@cache
def _template_scope(filename: str) -> dict[str, Any]:
    return as_v2(validate_scope(json.loads((TEMPLATES_DIR / filename).read_text(encoding="utf-8"))))


# The words that name a row, kept by a copy without answers; every other column of the row is dropped.
SKELETON_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("production_target", "success_metrics"): ("metric",),
    ("first_slice", "acceptance_criteria"): ("criterion",),
    ("data_path", "sources"): ("name", "system", "kind"),
    ("failure_modes", "items"): ("scenario", "category"),
    ("security", "access_roles"): ("role",),
    ("cost_model", "steps"): ("name", "provider", "model", "calls_per_use"),
    ("ownership", "responsibilities"): ("responsibility",),
}


def scope_skeleton(scope: dict[str, Any]) -> dict[str, Any]:
    """A normalized scope reduced to its skeleton: its rows with only the fields that name them (a pure function)."""
    project = scope["project"]
    skeleton = empty_scope(name=project["name"], client=project["client"], currency=project["currency"])
    for (section_key, rows_key), kept in SKELETON_FIELDS.items():
        skeleton[section_key][rows_key] = [
            {key: row[key] for key in kept} for row in scope[section_key][rows_key] if any(row[key] for key in kept)
        ]
    return validate_scope(skeleton)


def scope_with_answers(scope: dict[str, Any]) -> dict[str, Any]:
    """A normalized scope as a copy takes it: everything but the accepted risks and who answered which field."""
    copied = copy.deepcopy(scope)
    copied["accepted_risks"] = []
    copied["field_sources"] = {}
    if not copied["cost_model"]["currency"]:
        copied["cost_model"]["currency"] = scope["project"]["currency"]
    return copied


@dataclass(frozen=True)
class StartedProject:
    """A new project and a phrase saying where it started from, for the page's message."""

    project: DiscoveryProject
    origin: str


def _project_from_scope(
    *,
    scope: dict[str, Any],
    actor,
    name: str,
    client: Client,
    lead_consultant,
    currency: str | None,
    target_decision_date: date | None,
    request: HttpRequest | None,
) -> DiscoveryProject:
    scope["project"]["name"] = name
    scope["project"]["client"] = client.name
    if currency:
        scope["project"]["currency"] = currency
    scope["project"]["target_decision_date"] = target_decision_date.isoformat() if target_decision_date else None
    try:
        project = import_scope(data=scope, client_name=client.name, user=actor)
    except ScopeValidationError as problem:  # a name or date the page let through but the scope format refuses
        raise ValidationError([f"{path}: {message}" for path, message in problem.errors]) from None
    if lead_consultant is not None and lead_consultant != project.lead_consultant:
        services.project_update(project=project, actor=actor, request=request, lead_consultant=lead_consultant)
    return project


@transaction.atomic
def project_from_template(
    *,
    template: ScopeTemplate,
    actor,
    name: str,
    client: Client,
    lead_consultant=None,
    currency: str | None = None,
    target_decision_date: date | None = None,
    request: HttpRequest | None = None,
) -> DiscoveryProject:
    """Create a draft project, led by ``actor`` unless another lead is named, from one of the shipped templates."""
    require_creator(actor)
    project = _project_from_scope(
        scope=template.scope(),
        actor=actor,
        name=name,
        client=client,
        lead_consultant=lead_consultant,
        currency=currency,
        target_decision_date=target_decision_date,
        request=request,
    )
    activity_record(
        actor=actor,
        verb="project_created_from_template",
        request=request,
        project=project,
        obj=project,
        changes={"template": template.title},
    )
    return project


@transaction.atomic
def project_clone(
    *,
    source: DiscoveryProject,
    actor,
    name: str,
    client: Client,
    with_answers: bool,
    lead_consultant=None,
    currency: str | None = None,
    target_decision_date: date | None = None,
    request: HttpRequest | None = None,
) -> DiscoveryProject:
    """Create a draft project from the scope of ``source``, with its answers or as its skeleton (module docstring).

    The caller resolves ``source`` through the access rule; it is checked again here, so a project the actor cannot
    see raises ``Http404`` (its existence never leaks) and nothing is written. The audit event names the source by
    its name only: the new project's people may not be allowed to open it.
    """
    require_creator(actor)
    resolve_project(actor, source.pk)
    exported = export_scope(source)
    scope = scope_with_answers(exported) if with_answers else scope_skeleton(exported)
    project = _project_from_scope(
        scope=scope,
        actor=actor,
        name=name,
        client=client,
        lead_consultant=lead_consultant,
        currency=currency,
        target_decision_date=target_decision_date,
        request=request,
    )
    activity_record(
        actor=actor,
        verb="project_cloned",
        request=request,
        project=project,
        obj=project,
        changes={"copied_from": source.name, "answers_copied": with_answers},
    )
    return project


@transaction.atomic
def project_start(
    *,
    actor,
    starting_point: str,
    source: DiscoveryProject | None = None,
    copy_answers: bool = False,
    request: HttpRequest | None = None,
    **project_fields: Any,
) -> StartedProject:
    """Create a project from the starting point chosen on the "New project" page (``BLANK``, ``COPY`` or a template).

    ``project_fields`` are the page's project fields (client, name, lead consultant, currency, decision date); a
    blank project is created exactly as before the starting points existed.
    """
    if starting_point == BLANK:
        project = services.project_create(actor=actor, request=request, **project_fields)
        return StartedProject(project=project, origin="")
    fields = {key: project_fields.get(key) for key in ("lead_consultant", "currency", "target_decision_date")}
    if starting_point == COPY:
        if source is None:
            raise ValueError("A copy needs its source project.")
        project = project_clone(
            source=source,
            actor=actor,
            name=project_fields["name"],
            client=project_fields["client"],
            with_answers=copy_answers,
            request=request,
            **fields,
        )
        answers = "with its answers" if copy_answers else "without its answers (the rows' names only)"
        return StartedProject(project=project, origin=f"as a copy of “{source.name}”, {answers}")
    template = TEMPLATES_BY_CHOICE[starting_point]
    project = project_from_template(
        template=template,
        actor=actor,
        name=project_fields["name"],
        client=project_fields["client"],
        request=request,
        **fields,
    )
    return StartedProject(project=project, origin=f"from the “{template.title}” template")
