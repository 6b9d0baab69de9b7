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

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
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
from scoping.realtime.broadcast import project_broadcast
from scoping.review import hooks as workflow_hooks
from scoping.scope.readiness import SECTION_LABELS, Readiness
from scoping.scope.schema import MAX_ROWS
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
from scoping.steps.live_state import (
    fingerprint,
    row_fingerprints,
    step_state,
    widget_string,
)
from scoping.steps.live_state import saved_values as _saved_values
from scoping.steps.sources import field_sources_record, role_label

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
        opened_rows: dict[str, list[str]] | None = None,
        theirs_values: dict[str, Any] | None = None,
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
        # Their rows' fingerprints (a "keep mine" merges lists row by row against them) and their saved values.
        self.opened_rows = opened_rows or {}
        self.theirs_values = theirs_values or {}
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
    # Said of lists merged row by row (e.g. both people edited the same row: both versions were kept).
    notices: tuple[str, ...] = ()
    # The step as saved now (``live_state.step_state``), and the fields whose saved value is not what was sent
    # (another person's change kept, a list merged with theirs): the tab shows those, and keeps the rest as typed.
    state: dict[str, Any] | None = None
    differs: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowMerge:
    rows: list[dict[str, Any]]
    both_changed: bool  # a row both people changed (or one changed and one removed): the versions are all kept


def rows_merge(*, opened: Sequence[str], mine: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> RowMerge:
    """Three-way merge of a list of rows: base = the fingerprints of the rows as this person opened them.

    The result is their saved list, less the rows this person removed (or edited away), plus the rows this person
    added or edited, each placed after the row it followed in their form. Rows are compared by fingerprint, as
    multisets, so two identical rows stay two. A row of mine already in their list (a save sent twice, or merged
    already) is not added again. A row edited by one person and removed by the other survives, edited; a row both
    edited is kept in both versions, and ``both_changed`` says so.
    """
    base = Counter(opened)
    mine_fps = row_fingerprints(mine)
    theirs_fps = row_fingerprints(theirs)
    removed_by_me = base - Counter(mine_fps)
    gone_from_theirs = base - Counter(theirs_fps)
    to_drop = removed_by_me.copy()
    # Each entry: [fingerprint, row, already matched to a row of mine].
    result: list[list[Any]] = []
    for fp, row in zip(theirs_fps, theirs, strict=True):
        if to_drop[fp] > 0:
            to_drop[fp] -= 1
            continue
        result.append([fp, row, False])
    new_in_theirs = Counter(theirs_fps) - base  # their additions (and what I saved before, when sent again)
    base_left = base.copy()
    has_anchor = any(fp in base or fp in new_in_theirs for fp in mine_fps)
    cursor = 0 if has_anchor else len(result)  # a list I only added to: my rows after theirs
    added = 0
    for fp, row in zip(mine_fps, mine, strict=True):
        if base_left[fp] > 0 or new_in_theirs[fp] > 0:
            if base_left[fp] > 0:
                base_left[fp] -= 1
            else:
                new_in_theirs[fp] -= 1
            at = next((i for i, entry in enumerate(result) if entry[0] == fp and not entry[2]), None)
            if at is not None:  # else they removed it: my next rows follow the previous one
                result[at][2] = True
                cursor = at + 1
            continue
        result.insert(cursor, [fp, row, True])
        cursor += 1
        added += 1
    # A base row gone from both lists, while both added rows: the same row was changed on both sides.
    both_changed = bool(added and (removed_by_me & gone_from_theirs) and (Counter(theirs_fps) - base))
    return RowMerge(rows=[entry[1] for entry in result], both_changed=both_changed)


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


def section_fingerprints(*, section_key: str, section: ScopeSection, rows: dict[str, list[ScopeRow]]) -> dict[str, str]:
    """The fingerprint of every field of a step as saved: what a form opened now was opened with."""
    return {name: fingerprint(value) for name, value in _saved_values(section, rows, section_key).items()}


def section_row_fingerprints(*, section_key: str, rows: Mapping[str, list[ScopeRow]]) -> dict[str, list[str]]:
    """The fingerprints of each row of each list as saved: what a form opened now carries in ``opened_rows__``."""
    fingerprints = {}
    for rows_key in rows_keys(section_key):
        names = row_fields(section_key, rows_key)
        fingerprints[rows_key] = row_fingerprints(
            [{name: getattr(row, name) for name in names} for row in rows.get(rows_key, ())]
        )
    return fingerprints


def forms_showing(*, project: DiscoveryProject, section_key: str, values: dict[str, Any]) -> StepForms:
    """Unbound step forms showing ``values`` (a conflict's merged values), as if they were saved."""
    model = SECTION_MODELS[section_key]
    section = model(project=project, **{name: values[name] for name in SECTION_FORM_FIELDS[section_key]})
    rows = {rows_key: [SimpleNamespace(**row) for row in values[rows_key]] for rows_key in rows_keys(section_key)}
    return build_step_forms(section_key, section=section, rows=rows, default_currency=project.currency)


def conflict_theirs(*, project: DiscoveryProject, section_key: str, conflict: EditConflict) -> dict[str, Any]:
    """Their saved values of a conflict's fields as the form's widgets show them (what "Use theirs" puts back)."""
    if not conflict.theirs_values:
        return {}
    shown = forms_showing(project=project, section_key=section_key, values=conflict.theirs_values)
    formsets = shown.formsets
    values = {}
    for difference in conflict.differences:
        name = difference.name
        if name in formsets:
            count = len(conflict.theirs_values[name])
            values[name] = [
                {column: widget_string(row_form[column]) for column in row_fields(section_key, name)}
                for row_form in formsets[name].forms[:count]
            ]
        else:
            values[name] = widget_string(shown.form[name])
    return values


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
        # With autosave the step is usually saved before the button is pressed: say that it is.
        notices.append(
            (
                message_levels.SUCCESS,
                f"{SECTION_LABELS[result.section_key]} saved. Nothing had changed since the last save.",
            )
        )
    if result.workflow_notice:
        notices.append((message_levels.WARNING, result.workflow_notice))
    return notices


def _submitted_values(
    section_key: str, form, formsets: dict[str, RowFormSet], theirs: dict[str, Any], unchanged: Collection[str]
) -> dict[str, Any]:
    """What the form holds; a field in ``unchanged`` (one that did not validate) counts as their saved value."""
    cleaned = getattr(form, "cleaned_data", {})
    values: dict[str, Any] = {
        name: theirs[name] if name in unchanged else cleaned.get(name) for name in SECTION_FORM_FIELDS[section_key]
    }
    for rows_key in rows_keys(section_key):
        values[rows_key] = theirs[rows_key] if rows_key in unchanged else formsets[rows_key].rows()
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
        opened_rows={rows_key: row_fingerprints(theirs[rows_key]) for rows_key in rows_keys(section_key)},
        theirs_values=theirs,
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
    opened_rows: Mapping[str, Sequence[str]] | None = None,
    reopen_confirmed: bool = False,
    unchanged: Collection[str] = (),
    origin: str = "",
) -> SaveResult:
    """Save one step from its form and row formsets, or raise ``EditConflict``.

    ``expected_revision`` is the revision the person's form was opened at. The section row is locked and then
    updated only ``WHERE revision = <the revision read under the lock>``, so two simultaneous saves cannot both win.
    ``opened`` holds the fingerprints of the values the form was opened with: only the fields whose value is not the
    one opened are written (so a save never writes a field the person did not change), a field someone else changed
    meanwhile is kept, and only a field both changed conflicts. Without ``opened``, a stale save conflicts on every
    difference. ``opened_rows`` holds each list's row fingerprints as opened: a list both changed then merges row by
    row (``rows_merge``) instead of conflicting. ``unchanged`` names fields to leave as saved whatever the form says
    (autosave's fields that did not validate, and those the person has not resolved yet).

    A change to a frozen scope withdraws it (back to draft): it raises ``EditNeedsConfirmation`` unless
    ``reopen_confirmed``, and ``EditRefused`` for a client participant, who may not withdraw it at all.

    After a save, everyone on the project's pages is sent ``section.saved`` (``origin``: the saving tab's id).
    """
    model = SECTION_MODELS[section_key]
    section = model.objects.select_for_update().filter(project=project).first()
    if section is None:  # a project made before its sections existed: create the section, then lock it
        model.objects.get_or_create(project=project)
        section = model.objects.select_for_update().get(project=project)
    saved_rows = {rows_key: list(getattr(section, rows_key).all()) for rows_key in rows_keys(section_key)}
    theirs = _saved_values(section, saved_rows, section_key)
    yours = _submitted_values(section_key, form, formsets, theirs, set(unchanged))
    sent = dict(yours)
    changed = [name for name in yours if not _same(theirs[name], yours[name])]
    currency = yours.get("currency") or theirs.get("currency") or project.currency
    if not changed:
        return SaveResult(section_key=section_key, revision=section.revision, changed_fields=(), saved=False)
    merged_with = None
    notices: list[str] = []
    updated_by = getattr(section, "updated_by", None) if section.updated_by_id else None
    if opened is not None:
        mine = _changed_since_opened(yours, opened) - set(unchanged)
        moved = _changed_since_opened(theirs, opened)  # what others saved since this form was opened
        clashes = {name for name in changed if name in mine} & moved
        for rows_key in sorted(clashes & set(rows_keys(section_key))):
            if opened_rows is None or rows_key not in opened_rows:
                continue  # a form that did not carry its rows: the list is one field, and conflicts
            merge = rows_merge(opened=opened_rows[rows_key], mine=yours[rows_key], theirs=theirs[rows_key])
            if len(merge.rows) > MAX_ROWS:
                continue  # the two lists together would not fit: the person chooses
            yours[rows_key] = merge.rows
            clashes.discard(rows_key)
            if merge.both_changed:
                notices.append(
                    f"You and {updated_by.display_name if updated_by else 'someone else'} both changed a row of "
                    f"{_label(section_key, rows_key).lower()}: both versions are kept. Remove the one you do not want."
                )
        if clashes:
            raise _conflict(section_key, section, theirs, sent, currency, mine=mine, clashes=clashes)
        # Write only what this person changed, and keep what others saved.
        changed = [name for name in changed if name in mine and not _same(theirs[name], yours[name])]
        if not changed:  # what differs is what others saved: the tab is told which fields to take from them
            return SaveResult(
                section_key=section_key,
                revision=section.revision,
                changed_fields=(),
                saved=False,
                differs=tuple(name for name in sent if name not in unchanged and not _same(theirs[name], sent[name])),
            )
        if moved - set(changed) or notices:
            merged_with = updated_by.display_name if updated_by is not None else "someone else"
    elif section.revision != expected_revision:
        raise _conflict(section_key, section, theirs, yours, currency)

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
    state = _saved_broadcast(
        project=project, section_key=section_key, changed=changed, actor=actor, origin=origin, sources=sources.texts
    )
    after = {**theirs, **{name: yours[name] for name in changed}}
    return SaveResult(
        section_key=section_key,
        revision=section.revision + 1,
        changed_fields=tuple(changed),
        readiness=readiness,
        workflow_notice=notice if isinstance(notice, str) and notice else None,
        merged_with=merged_with,
        sources=sources.texts,
        notices=tuple(notices),
        state=state,
        differs=tuple(name for name in sent if name not in unchanged and not _same(after[name], sent[name])),
    )


def _saved_broadcast(
    *, project: DiscoveryProject, section_key: str, changed: list[str], actor, origin: str, sources: dict[str, str]
) -> dict:
    """Tell every open page of the project what was saved (after commit); answer the step's state as saved now."""
    section, rows = section_with_rows(project=project, section_key=section_key)
    state = step_state(project=project, section_key=section_key, section=section, rows=rows)
    name = actor.display_name if getattr(actor, "is_authenticated", False) else ""
    project_broadcast(
        project.pk,
        {
            "type": "section.saved",
            "project": project.pk,
            "section": section_key,
            "revision": state["revision"],
            "changed": list(changed),
            "fields": {key: value for key, value in state["fields"].items() if key in changed},
            "rows": {key: value for key, value in state["rows"].items() if key in changed},
            "by": {"id": getattr(actor, "pk", None), "name": name, "role": role_label(actor) if name else ""},
            "at": timezone.now().isoformat(),
            "origin": origin[:64],
            "sources": sources,
        },
    )
    return state


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
