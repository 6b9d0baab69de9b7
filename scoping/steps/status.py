"""What the guided-step pages show: step states, findings linked to fields, readable section values.

Pages compute readiness once per request (one ``export_scope`` and one ``evaluate``) and hand the result to these
helpers; the project overview box gets the same through the ``readiness_overview`` inclusion tag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from scoping.models import DiscoveryProject
from scoping.models.sections import ROW_MODELS, SECTION_MODELS, ScopeRow, ScopeSection
from scoping.projects.scope_io import export_scope
from scoping.scope import catalogue
from scoping.scope.answered import section_sources
from scoping.scope.catalogue import GATE_LABELS, SECTION_KEYS, SECTION_LABELS
from scoping.scope.fees import proposal_gaps
from scoping.scope.readiness import Finding, Readiness, evaluate
from scoping.steps.display import display_value
from scoping.steps.forms import FIELD_GROUPS, SECTION_FORM_FIELDS, field_label, row_fields, rows_keys

STEP_KEYS: tuple[str, ...] = SECTION_KEYS
STATE_LABELS = {
    "empty": "Empty",
    "in_progress": "In progress",
    "complete": "Complete",
    "has_blockers": "Has blockers",
}


@dataclass(frozen=True)
class FindingLink:
    """A readiness finding with where to fix it."""

    finding: Finding
    anchor: str
    url: str

    @property
    def is_blocker(self) -> bool:
        return self.finding.severity == "blocker"


@dataclass
class StepStatus:
    key: str
    number: int
    label: str
    state: str
    gate: str
    url: str
    findings: list[FindingLink] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def gate_label(self) -> str:
        return GATE_LABELS[self.gate]

    @property
    def has_warnings(self) -> bool:
        return any(not link.is_blocker for link in self.findings)

    @property
    def blocker_count(self) -> int:
        return sum(1 for link in self.findings if link.is_blocker)

    @property
    def warning_count(self) -> int:
        return sum(1 for link in self.findings if not link.is_blocker)


def step_intro(section_key: str) -> str:
    """One line that says what the step pins down."""
    return catalogue.section(section_key).description


def step_url(project: DiscoveryProject, section_key: str) -> str:
    return reverse("projects:step", args=[project.pk, section_key])


def finding_anchor(section_key: str, field_name: str) -> str:
    """The id of the input (or list) that closes a finding; the readiness engine names fields as in the JSON."""
    if field_name in rows_keys(section_key):
        return f"rows-{field_name}"
    if field_name in SECTION_FORM_FIELDS[section_key]:
        return f"id_{field_name}"
    if f"{field_name}_name" in SECTION_FORM_FIELDS[section_key]:  # ownership's business_owner / technical_owner
        return f"id_{field_name}_name"
    if field_name == "tiers":
        return "id_tier_pilot"
    return "step-form"


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return any(_filled(item) for item in value)
    if isinstance(value, dict):
        return any(_filled(item) for item in value.values())
    return True


def _field_filled(section: dict[str, Any], field_name: str) -> bool:
    value = section.get(field_name)
    if isinstance(value, dict) and "name" in value:  # a person: named or not
        return _filled(value["name"])
    return _filled(value)


def step_state(section: dict[str, Any], gate: str, blockers: list[Finding]) -> str:
    """empty: nothing typed. complete: no blocker (warnings get a mark). in progress: blockers only on fields not
    filled yet, so the person simply has not got there. has blockers: a blocker points at something already filled
    in (a 'TBD' owner, a hand-prepared source, a model that never breaks even): what is there needs changing."""
    if not _filled(section):
        return "empty"
    if gate != "blocked":
        return "complete"
    if any(_field_filled(section, finding.field) for finding in blockers):
        return "has_blockers"
    return "in_progress"


def step_statuses(project: DiscoveryProject, scope: dict[str, Any], readiness: Readiness) -> list[StepStatus]:
    by_section = readiness.by_section()
    statuses = []
    for number, key in enumerate(STEP_KEYS, start=1):
        url = step_url(project, key)
        findings = by_section.get(key, [])
        links = [FindingLink(finding, finding_anchor(key, finding.field), url) for finding in findings]
        gate = readiness.gate(key)
        blockers = [finding for finding in findings if finding.severity == "blocker"]
        statuses.append(
            StepStatus(
                key=key,
                number=number,
                label=SECTION_LABELS[key],
                state=step_state(scope.get(key) or {}, gate, blockers),
                gate=gate,
                url=url,
                findings=links,
            )
        )
    return statuses


@dataclass
class ScopeStatus:
    """The live scope of a project, judged: what the navigator, the overview box and the review page show."""

    scope: dict[str, Any]
    readiness: Readiness
    steps: list[StepStatus]

    @property
    def score(self) -> int:
        return self.readiness.score

    @property
    def out_of(self) -> int:
        return len(SECTION_KEYS)

    @property
    def next_step(self) -> StepStatus | None:
        """The first step that is not complete: where "Continue scoping" goes."""
        return next((step for step in self.steps if step.state != "complete"), None)

    def step(self, section_key: str) -> StepStatus:
        return next(step for step in self.steps if step.key == section_key)

    @property
    def proposal_gaps(self) -> tuple:
        """The proposal check of the engagement, shown beside the eight gates (it is not one of them)."""
        return proposal_gaps(self.scope.get("engagement") or {}, timezone.localdate())


def scope_status(project: DiscoveryProject, scope: dict[str, Any] | None = None) -> ScopeStatus:
    """The project's live scope judged; ``scope`` when the page has already read it this request (else read now)."""
    scope = scope if scope is not None else export_scope(project)
    readiness = evaluate(scope, today=timezone.localdate())
    return ScopeStatus(scope=scope, readiness=readiness, steps=step_statuses(project, scope, readiness))


# --- readable values --------------------------------------------------------------------------------------------


@dataclass
class ShownField:
    name: str
    label: str
    value: str
    is_long: bool
    anchor: str
    source: str = ""  # who answered it: "Priya Shah, client, session 2"


@dataclass
class ShownGroup:
    heading: str
    fields: list[ShownField]


@dataclass
class ShownRows:
    key: str
    label: str
    columns: list[str]
    rows: list[list[str]]
    anchor: str
    source: str = ""


@dataclass
class ShownSection:
    key: str
    label: str
    groups: list[ShownGroup]
    row_lists: list[ShownRows]


def _shown_field(model: type[Model], instance: Model, name: str, currency: str, source: str = "") -> ShownField:
    db_field = model._meta.get_field(name)
    return ShownField(
        name=name,
        label=field_label(model, name),
        value=display_value(db_field, getattr(instance, name), currency=currency),
        is_long=db_field.get_internal_type() == "TextField",
        anchor=f"id_{name}",
        source=source,
    )


def section_shown(
    section_key: str,
    section: ScopeSection,
    rows: dict[str, list[ScopeRow]],
    *,
    currency: str,
    sources: dict[str, str] | None = None,
) -> ShownSection:
    """A section readable; ``sources``: who answered each field ({field key: text}), shown beside it."""
    sources = sources or {}
    model = SECTION_MODELS[section_key]
    currency = getattr(section, "currency", "") or currency
    groups_spec = FIELD_GROUPS.get(section_key) or (("", (SECTION_FORM_FIELDS[section_key],)),)
    groups = [
        ShownGroup(
            heading=heading,
            fields=[
                _shown_field(model, section, name, currency, sources.get(name, "")) for line in lines for name in line
            ],
        )
        for heading, lines in groups_spec
    ]
    row_lists = []
    for rows_key in rows_keys(section_key):
        row_model, _parent = ROW_MODELS[(section_key, rows_key)]
        names = row_fields(section_key, rows_key)
        columns = [row_model._meta.get_field(name) for name in names]
        row_lists.append(
            ShownRows(
                key=rows_key,
                label=catalogue.section(section_key).field(rows_key).label,
                columns=[field_label(row_model, name) for name in names],
                rows=[
                    [display_value(column, getattr(row, column.name), currency=currency) for column in columns]
                    for row in rows.get(rows_key, [])
                ],
                anchor=f"rows-{rows_key}",
                source=sources.get(rows_key, ""),
            )
        )
    return ShownSection(key=section_key, label=SECTION_LABELS[section_key], groups=groups, row_lists=row_lists)


def scope_shown(project: DiscoveryProject, field_sources: dict | None = None) -> list[ShownSection]:
    """All eight sections, readable, in three queries plus one per list of rows; ``field_sources`` of the scope
    JSON, to say who answered each field."""
    loaded = (
        DiscoveryProject.objects.select_related(*STEP_KEYS)
        .prefetch_related(*(f"{section_key}__{rows_key}" for section_key, rows_key in ROW_MODELS))
        .get(pk=project.pk)
    )
    shown = []
    for key, model in SECTION_MODELS.items():
        try:
            section = getattr(loaded, key)
        except model.DoesNotExist:
            section = model(project=loaded)
            rows: dict[str, list[ScopeRow]] = {rows_key: [] for rows_key in rows_keys(key)}
        else:
            rows = {rows_key: list(getattr(section, rows_key).all()) for rows_key in rows_keys(key)}
        shown.append(
            section_shown(key, section, rows, currency=project.currency, sources=section_sources(field_sources, key))
        )
    return shown


# --- tags -------------------------------------------------------------------------------------------------------
