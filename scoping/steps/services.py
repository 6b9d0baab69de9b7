"""Saving a guided step: compare-and-set on the section's revision, rows replaced in order, audit, readiness.

Two people may edit the same step at once (a consultant and a client stakeholder in a session). Each form carries
the revision it was opened at; a save made from an older revision is never applied silently. It raises
``EditConflict`` with the other person's saved values, so the page can show both side by side and let the person
choose. A save that would change nothing is not a conflict, whatever the revision.

The form also carries a fingerprint of each value it was opened with (``opened``). With those, a stale save is only a
conflict on the fields BOTH people changed; a field only one of them changed merges on its own, so "keep mine" never
writes a value the person did not touch. A list of rows counts as one field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from scoping.models import DiscoveryProject
from scoping.models.sections import ROW_MODELS, SECTION_MODELS, ScopeRow, ScopeSection
from scoping.projects.services import activity_record, readiness_refresh
from scoping.review import hooks as workflow_hooks
from scoping.scope.readiness import SECTION_LABELS, Readiness
from scoping.steps.display import display_value
from scoping.steps.forms import (
    SECTION_FORM_FIELDS,
    RowFormSet,
    StepForms,
    build_step_forms,
    field_label,
    row_fields,
    rows_keys,
)
from scoping.steps.sources import field_sources_record

AUDIT_VALUE_MAX = 200


@dataclass(frozen=True)
class Difference:
    """One field that differs between the saved section and what this person submitted, ready to show."""

    name: str
    label: str
    theirs: str
    yours: str


class EditConflict(Exception):
    """Someone else saved the section after this person opened it, and their values differ from what was sent."""

    def __init__(
        self,
        *,
        section_key: str,
        current_revision: int,
        updated_by_name: str,
        updated_at: datetime | None,
        differences: list[Difference],
        shown_values: dict[str, Any] | None = None,
        opened: dict[str, str] | None = None,
    ) -> None:
        self.section_key = section_key
        self.current_revision = current_revision
        self.updated_by_name = updated_by_name
        self.updated_at = updated_at
        self.differences = differences
        # What the re-rendered form shows (their values, with mine where I changed something), and the
        # fingerprints of their saved values, so that submitting it again ("keep mine") writes only my changes.
        self.shown_values = shown_values
        self.opened = opened or {}
        super().__init__(
            f"{section_key} was saved by {updated_by_name or 'someone else'} (revision {current_revision}) "
            f"after the form was opened; {len(differences)} field(s) differ."
        )


class EditNeedsConfirmation(Exception):
    """The scope is frozen (in review, approved, in or after sign-off) and the person did not confirm that saving
    withdraws it. Nothing was saved; ``consequence`` says what saving would do."""

    def __init__(self, consequence) -> None:
        self.consequence = consequence
        super().__init__(consequence.missing_confirmation)


class EditRefused(Exception):
    """This person may not change the scope in its current stage (a client participant once it left draft)."""


@dataclass(frozen=True)
class SaveResult:
    section_key: str
    revision: int
    changed_fields: tuple[str, ...]
    readiness: Readiness | None = None
    saved: bool = field(default=True)
    # What the review workflow wants the editor told (e.g. "editing the approved scope started a new draft").
    workflow_notice: str | None = None
    # Someone saved other fields after this person opened the step; their changes were kept alongside.
    merged_with: str | None = None
    # Who answered each changed field, as the step shows it: {"<field>": "Priya Shah, client, session 2"}.
    sources: dict[str, str] = field(default_factory=dict)


def _same(before: Any, after: Any) -> bool:
    """Equal as a reader would see it: blank text and no value are the same; 0.40 equals 0.4."""
    if before in (None, "") and after in (None, ""):
        return True
    if isinstance(before, Decimal) or isinstance(after, Decimal):
        try:
            return Decimal(str(before)) == Decimal(str(after))
        except Exception:  # noqa: BLE001 - a value that is not a number is simply different
            return False
    if isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            return False
        return all(_same_row(one, other) for one, other in zip(before, after, strict=True))
    return before == after


def _same_row(before: Any, after: Any) -> bool:
    if isinstance(before, dict) and isinstance(after, dict):
        return all(_same(before.get(name), after.get(name)) for name in before.keys() | after.keys())
    return _same(before, after)


def _canonical(value: Any) -> Any:
    """A value as JSON, the same whether it came from the database or from the form (see ``_same``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(name): _canonical(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return str(value)


def fingerprint(value: Any) -> str:
    """A short hash of one field's value (or of a whole list of rows) that the form carries back."""
    text = json.dumps(_canonical(value), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def section_fingerprints(*, section_key: str, section: ScopeSection, rows: dict[str, list[ScopeRow]]) -> dict[str, str]:
    """The fingerprint of every field of a step as saved: what a form opened now was opened with."""
    return {name: fingerprint(value) for name, value in _saved_values(section, rows, section_key).items()}


def forms_showing(*, project: DiscoveryProject, section_key: str, values: dict[str, Any]) -> StepForms:
    """Unbound step forms showing ``values`` (a conflict's merged values), as if they were saved."""
    model = SECTION_MODELS[section_key]
    section = model(project=project, **{name: values[name] for name in SECTION_FORM_FIELDS[section_key]})
    rows = {rows_key: [SimpleNamespace(**row) for row in values[rows_key]] for rows_key in rows_keys(section_key)}
    return build_step_forms(section_key, section=section, rows=rows, default_currency=project.currency)


def conflict_forms(
    *, project: DiscoveryProject, section_key: str, forms: StepForms, opened: dict[str, str] | None, conflict
) -> StepForms:
    """The forms to re-show after a conflict: their values where only they changed a field, else what was posted."""
    if opened is not None and conflict.shown_values is not None:
        return forms_showing(project=project, section_key=section_key, values=conflict.shown_values)
    return forms


def section_save_notices(result: SaveResult, *, action: str) -> list[tuple[int, str]]:
    """The messages (level, text) that tell the editor what a save did."""
    notices = []
    if result.saved:
        saved = f"{SECTION_LABELS[result.section_key]} saved."
        if result.merged_with:
            saved += (
                f" {result.merged_with} saved other fields of this step after you opened it;"
                " their changes are kept alongside yours."
            )
        notices.append((message_levels.SUCCESS, saved))
    elif action == "save":
        notices.append((message_levels.INFO, "Nothing had changed, so there was nothing to save."))
    if result.workflow_notice:
        notices.append((message_levels.WARNING, result.workflow_notice))
    return notices


def _saved_values(section: ScopeSection, rows: dict[str, list[ScopeRow]], section_key: str) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(section, name) for name in SECTION_FORM_FIELDS[section_key]}
    for rows_key, saved_rows in rows.items():
        names = row_fields(section_key, rows_key)
        values[rows_key] = [{name: getattr(row, name) for name in names} for row in saved_rows]
    return values


def _submitted_values(section_key: str, form, formsets: dict[str, RowFormSet]) -> dict[str, Any]:
    values: dict[str, Any] = {name: form.cleaned_data.get(name) for name in SECTION_FORM_FIELDS[section_key]}
    for rows_key in rows_keys(section_key):
        values[rows_key] = formsets[rows_key].rows()
    return values


def _shown(section_key: str, name: str, value: Any, currency: str) -> str:
    """A value as the conflict table shows it; a list of rows reads one row per line."""
    model = SECTION_MODELS[section_key]
    if name in rows_keys(section_key):
        row_model, _parent = ROW_MODELS[(section_key, name)]
        lines = []
        for number, row in enumerate(value or [], start=1):
            cells = [
                display_value(row_model._meta.get_field(column), cell, currency=currency)
                for column, cell in row.items()
            ]
            lines.append(f"{number}. " + " · ".join(cell for cell in cells if cell))
        return "\n".join(lines)
    return display_value(model._meta.get_field(name), value, currency=currency)


def _label(section_key: str, name: str) -> str:
    if name in rows_keys(section_key):
        row_model, _parent = ROW_MODELS[(section_key, name)]
        return str(row_model._meta.verbose_name_plural).capitalize()
    return field_label(SECTION_MODELS[section_key], name)


def _audit_text(text: str) -> str:
    return text if len(text) <= AUDIT_VALUE_MAX else text[: AUDIT_VALUE_MAX - 1] + "…"


def _rows_text(count: int) -> str:
    return f"{count} row{'s' if count != 1 else ''}"


def _audit_change(section_key: str, name: str, before: Any, after: Any, currency: str) -> list[str]:
    """[old, new] as the audit trail shows them: short text, and a row count for lists."""
    if name in rows_keys(section_key):
        old, new = len(before or []), len(after or [])
        return [_rows_text(old), _rows_text(new) + (" (edited)" if old == new else "")]
    old_text = _shown(section_key, name, before, currency)
    new_text = _shown(section_key, name, after, currency)
    return [_audit_text(old_text), _audit_text(new_text)]


def _row_objects(section_key: str, rows_key: str, section: ScopeSection, values: list[dict[str, Any]]) -> list:
    row_model, parent_field = ROW_MODELS[(section_key, rows_key)]
    return [row_model(position=position, **{parent_field: section}, **row) for position, row in enumerate(values)]


def _conflict(
    section_key: str,
    section: ScopeSection,
    theirs: dict,
    yours: dict,
    currency: str,
    *,
    mine: set[str] | None = None,
    clashes: set[str] | None = None,
) -> EditConflict:
    """The conflict on the fields both changed (``clashes``; None: all that differ). ``mine`` is what this person
    changed (None: unknown, so all): the re-rendered form shows those values, and theirs elsewhere."""
    differences = [
        Difference(
            name=name,
            label=_label(section_key, name),
            theirs=_shown(section_key, name, theirs[name], currency),
            yours=_shown(section_key, name, yours[name], currency),
        )
        for name in yours
        if not _same(theirs[name], yours[name]) and (clashes is None or name in clashes)
    ]
    updated_by = getattr(section, "updated_by", None)
    shown = {name: (yours[name] if mine is None or name in mine else theirs[name]) for name in yours}
    return EditConflict(
        section_key=section_key,
        current_revision=section.revision,
        updated_by_name=updated_by.display_name if updated_by is not None else "",
        updated_at=section.updated_at,
        differences=differences,
        shown_values=shown,
        opened={name: fingerprint(value) for name, value in theirs.items()},
    )


def _changed_since_opened(values: dict[str, Any], opened: Mapping[str, str]) -> set[str]:
    """Fields whose value is not the one the form was opened with (a missing fingerprint counts as changed)."""
    return {name for name, value in values.items() if opened.get(name) != fingerprint(value)}


@transaction.atomic
def section_save(
    *,
    project: DiscoveryProject,
    section_key: str,
    form,
    formsets: dict[str, RowFormSet],
    expected_revision: int,
    actor,
    request: HttpRequest | None = None,
    opened: Mapping[str, str] | None = None,
    reopen_confirmed: bool = False,
) -> SaveResult:
    """Save one step from its validated form and row formsets, or raise ``EditConflict``.

    ``expected_revision`` is the revision the person's form was opened at. The section row is locked and then
    updated only ``WHERE revision = <the revision read under the lock>``, so two simultaneous saves cannot both win.
    ``opened`` holds the fingerprints of the values the form was opened with: a stale save then merges the fields
    only one person changed and conflicts only on fields both changed. Without it, every difference conflicts.

    A change to a frozen scope withdraws it (back to draft): it raises ``EditNeedsConfirmation`` unless
    ``reopen_confirmed``, and ``EditRefused`` for a client participant, who may not withdraw it at all.
    """
    model = SECTION_MODELS[section_key]
    section = model.objects.select_for_update().filter(project=project).first()
    if section is None:  # a project made before its sections existed: create the section, then lock it
        model.objects.get_or_create(project=project)
        section = model.objects.select_for_update().get(project=project)
    saved_rows = {rows_key: list(getattr(section, rows_key).all()) for rows_key in rows_keys(section_key)}
    theirs = _saved_values(section, saved_rows, section_key)
    yours = _submitted_values(section_key, form, formsets)
    changed = [name for name in yours if not _same(theirs[name], yours[name])]
    currency = yours.get("currency") or theirs.get("currency") or project.currency
    if not changed:
        return SaveResult(section_key=section_key, revision=section.revision, changed_fields=(), saved=False)
    merged_with = None
    if section.revision != expected_revision:
        if opened is None:
            raise _conflict(section_key, section, theirs, yours, currency)
        mine = _changed_since_opened(yours, opened)
        clashes = {name for name in changed if name in mine} & _changed_since_opened(theirs, opened)
        if clashes:
            raise _conflict(section_key, section, theirs, yours, currency, mine=mine, clashes=clashes)
        # Nothing clashes: write only what this person changed, and keep the other person's fields.
        changed = [name for name in changed if name in mine]
        if not changed:
            return SaveResult(section_key=section_key, revision=section.revision, changed_fields=(), saved=False)
        updated_by = getattr(section, "updated_by", None)
        merged_with = updated_by.display_name if updated_by is not None else "someone else"

    # Read under a lock on the project row, so a submission cannot slip in between this check and the save.
    consequence = workflow_hooks.edit_consequence(project=project)
    if consequence is not None:
        refusal = workflow_hooks.edit_refusal(user=actor, project=project, stage=consequence.stage)
        if refusal:
            raise EditRefused(refusal)
        if not reopen_confirmed:
            raise EditNeedsConfirmation(consequence)

    plain = {name: yours[name] for name in SECTION_FORM_FIELDS[section_key] if name in changed}
    actor_or_none = actor if getattr(actor, "is_authenticated", False) else None
    updated = model.objects.filter(pk=section.pk, revision=section.revision).update(
        revision=F("revision") + 1, updated_at=timezone.now(), updated_by=actor_or_none, **plain
    )
    if updated != 1:  # only possible where select_for_update is a no-op (SQLite)
        section.refresh_from_db()
        saved_rows = {rows_key: list(getattr(section, rows_key).all()) for rows_key in rows_keys(section_key)}
        raise _conflict(section_key, section, _saved_values(section, saved_rows, section_key), yours, currency)
    for rows_key in rows_keys(section_key):
        if rows_key in changed:
            row_model, parent_field = ROW_MODELS[(section_key, rows_key)]
            row_model.objects.filter(**{parent_field: section}).delete()
            row_model.objects.bulk_create(_row_objects(section_key, rows_key, section, yours[rows_key]))

    sources = field_sources_record(project=project, section_key=section_key, fields=changed, actor=actor)
    activity_record(
        actor=actor,
        verb="section_saved",
        request=request,
        project=project,
        obj=section,
        object_repr=str(model._meta.verbose_name).capitalize(),
        changes={name: _audit_change(section_key, name, theirs[name], yours[name], currency) for name in changed}
        | sources.audit,  # the role and session it was answered in ("answered_as"; not a field)
    )
    readiness = readiness_refresh(project=project)
    notice = workflow_hooks.after_scope_edit(
        project=project, actor=actor, why=f"the {SECTION_LABELS[section_key]} step was saved"
    )
    return SaveResult(
        section_key=section_key,
        revision=section.revision + 1,
        changed_fields=tuple(changed),
        readiness=readiness,
        workflow_notice=notice if isinstance(notice, str) and notice else None,
        merged_with=merged_with,
        sources=sources.texts,
    )


def section_with_rows(
    *, project: DiscoveryProject, section_key: str, loaded: bool = False
) -> tuple[ScopeSection, dict[str, list[ScopeRow]]]:
    """The section (created empty if the project lacks it) and its rows in order, in two or three queries.

    ``loaded``: the project was read through ``live_scope.with_scope`` in this request, so the section and its rows
    are taken from it (no query). Never pass it for an instance that may hold sections cached earlier.
    """
    model = SECTION_MODELS[section_key]
    keys = rows_keys(section_key)
    if loaded:
        section = getattr(project, section_key, None)  # None: the project lacks this section
    else:
        section = model.objects.filter(project=project).prefetch_related(*keys).first()
    if section is None:
        section, _created = model.objects.get_or_create(project=project)
    return section, {rows_key: list(getattr(section, rows_key).all()) for rows_key in keys}
