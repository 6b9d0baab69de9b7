"""The section catalogue: each of the eight sections described once.

Every section has its key, its label (the step title), its place in the order and a one-line description; every
field its key, label, kind, limits, help text, choices and, only where the PDF needs a shorter one, a print label.
The schema validator, the section models and step forms, the readiness messages, the version diff, the step pages
and the PDF all read their labels and limits from here, so a label edited here changes everywhere, and a help text
edit is not a migration (help lives here, not on the model fields).

Pure: no Django import, so the validator, the readiness engine and the importer can share it.
"""

from __future__ import annotations

from scoping.scope.fields import (
    CHOICES,
    GROUP,
    ROWS,
    FieldSpec,
    SectionSpec,
    choice,
    currency,
    day,
    long_text,
    rows,
    text,
)
from scoping.scope.sections import (
    cost_model,
    data_path,
    failure_modes,
    first_slice,
    ownership,
    production_target,
    security,
    workflow,
)

SECTIONS: tuple[SectionSpec, ...] = (
    production_target.SECTION,
    first_slice.SECTION,
    data_path.SECTION,
    failure_modes.SECTION,
    security.SECTION,
    cost_model.SECTION,
    workflow.SECTION,
    ownership.SECTION,
)

SECTION_KEYS: tuple[str, ...] = tuple(spec.key for spec in SECTIONS)
SECTION_LABELS: dict[str, str] = {spec.key: spec.label for spec in SECTIONS}
# Open questions name the section they belong to; the choice list is the sections themselves.
CHOICES["section"] = tuple(SECTION_LABELS.items())

# --- the parts of a scope that are not sections ---------------------------------------------------------------------

PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    text("name", "Project name", required=True, required_hint="give the project a name"),
    text("client", "Client"),
    currency("currency", "Currency", required=True),
    day("target_decision_date", "Target decision date"),
)

# "answer" is not in DESIGN.md's listing; it is carried so that export -> import keeps answered questions whole.
OPEN_QUESTIONS = rows(
    "open_questions",
    "Open questions",
    noun="open question",
    fields=(
        long_text(
            "question",
            "Question",
            "One question that needs an answer. Example: “Can the supplier portal push invoices by webhook?”",
        ),
        choice("section", "Section", "The step of the scope the answer affects."),
        text("owner", "Who finds out", "The named person who gets the answer. Example: “Dan Whitfield”."),
        day("due", "Due", "When the answer is needed."),
        choice("status", "Status", "Open until answered or dropped.", default="open"),
        long_text("answer", "Answer", "The answer, once known, and where it came from."),
    ),
)

ACCEPTED_RISKS = rows(
    "accepted_risks",
    "Accepted risks",
    noun="accepted risk",
    fields=(
        text(
            "code",
            "Finding code",
            "The code of the readiness finding accepted, e.g. data_path.hand_prepared_source.",
            required=True,
            required_hint="name the readiness finding that is accepted",
        ),
        long_text(
            "reason",
            "Reason",
            "Why it is acceptable to go ahead with this gap, and what limits the risk. Example: “Vendor master is "
            "refreshed by hand weekly until the ERP API access is granted in January.”",
            required=True,
            required_hint="an accepted risk needs a written reason",
        ),
        text(
            "accepted_by",
            "Accepted by",
            "The name of the person who accepted the risk, kept even if their account is removed.",
        ),
    ),
)

PART_LABELS: dict[str, str] = {
    "project": "Project",
    **SECTION_LABELS,
    OPEN_QUESTIONS.key: OPEN_QUESTIONS.label,
    ACCEPTED_RISKS.key: ACCEPTED_RISKS.label,
}

# --- gates and tiers ------------------------------------------------------------------------------------------------

GATE_LABELS: dict[str, str] = {"clear": "Clear", "warning": "Warning", "blocked": "Blocked"}

# The volume tiers of the cost model, in order, by their printed names ("Pilot", "Launch", "Scale").
TIER_LABELS: dict[str, str] = {
    tier.key: tier.printed for tier in SECTIONS[SECTION_KEYS.index("cost_model")].field("tiers").fields
}

# --- looking things up ----------------------------------------------------------------------------------------------

_BY_KEY: dict[str, SectionSpec] = {spec.key: spec for spec in SECTIONS}


def section(key: str) -> SectionSpec:
    return _BY_KEY[key]


def section_number(key: str) -> int:
    """A section's place in the guided steps and the PDF, from 1."""
    return SECTION_KEYS.index(key) + 1


def field_spec(part: str, path: str) -> FieldSpec:
    """A field of any part of the scope: a section's ("tiers.pilot"), the project's, or a row of a list
    ("success_metrics.metric", "open_questions.owner")."""
    if part == "project":
        return next(item for item in PROJECT_FIELDS if item.key == path)
    if part in (OPEN_QUESTIONS.key, ACCEPTED_RISKS.key):
        return (OPEN_QUESTIONS if part == OPEN_QUESTIONS.key else ACCEPTED_RISKS).field(path)
    if part == cost_model.SECTION.key and path in _PER_CALL:
        return _PER_CALL[path]  # a /1 cost model's per-call field (old files and frozen /1 versions)
    return _BY_KEY[part].field(path)


_PER_CALL = {spec.key: spec for spec in cost_model.PER_CALL_FIELDS}


def columns(fields: tuple[FieldSpec, ...]) -> tuple[tuple[str, FieldSpec], ...]:
    """(attribute name, field) for every plain field, groups flattened with their prefix, lists of rows left out:
    the columns of a section or row model."""
    flat: list[tuple[str, FieldSpec]] = []
    for item in fields:
        if item.kind == GROUP:
            flat += [(item.attr_prefix + sub.key, sub) for sub in item.fields]
        elif item.kind != ROWS:
            flat.append((item.key, item))
    return tuple(flat)


def row_lists(section_key: str) -> tuple[FieldSpec, ...]:
    """The lists of rows a section has, in order (most sections have one, some none)."""
    return tuple(item for item in _BY_KEY[section_key].fields if item.kind == ROWS)
