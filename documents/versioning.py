"""Scope versions: freezing the live scope into an immutable snapshot, and what changed between two snapshots.

Review, sign-off and every PDF refer to a frozen version, never to live rows, so a version must be exactly
reproducible: it stores the canonical JSON (sorted keys, no insignificant whitespace) and its SHA-256. Freezing an
unchanged scope returns the latest version instead of minting a new number, so "v4" always means "different
from v3".
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from scoping.audit import version_event_record
from scoping.models import DiscoveryProject, ScopeVersion
from scoping.projects.scope_io import export_scope
from scoping.scope import catalogue
from scoping.scope.field_checks import Boolean, Choice, ChoiceList, Field, Group, Integer, Rows
from scoping.scope.readiness import evaluate
from scoping.scope.schema import (
    ACCEPTED_RISKS,
    CHOICES,
    OPEN_QUESTIONS,
    PROJECT_FIELDS,
    SECTION_KEYS,
    SECTIONS,
    canonical_json,
    validate_scope,
)
from scoping.scope.schema_v2 import upgrade_scope

__all__ = [
    "FieldChange",
    "scope_fingerprint",
    "version_diff",
    "version_freeze",
    "version_is_current",
]


# --- Freezing -------------------------------------------------------------------------------------------------------


def scope_fingerprint(scope: Mapping[str, Any]) -> tuple[str, str]:
    """The canonical JSON text of a validated scope and its SHA-256 hex digest."""
    raw = canonical_json(dict(scope))
    return raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()


def _actor_name(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return (getattr(actor, "display_name", "") or actor.get_username())[:200]


@transaction.atomic
def version_freeze(
    *, project: DiscoveryProject, actor, note: str = "", request: HttpRequest | None = None, actor_name: str = ""
) -> ScopeVersion:
    """Freeze the live scope as the next version, or return the latest version when nothing has changed.

    The project row is locked so two people freezing at once get v3 and v4 (or the same v3), never a clash.
    ``actor`` may be None for the command line; ``actor_name`` then says who froze it.
    Raises ``ScopeValidationError`` if the live scope cannot be exported as valid scope JSON.
    """
    locked = DiscoveryProject.objects.select_for_update().get(pk=project.pk)
    scope = validate_scope(export_scope(locked))
    canonical_text, digest = scope_fingerprint(scope)
    latest = ScopeVersion.objects.filter(project=locked).order_by("-number").first()
    if latest is not None and latest.sha256 == digest:
        return latest
    readiness = evaluate(scope, today=timezone.localdate())
    version = ScopeVersion.objects.create(
        project=locked,
        number=(latest.number + 1) if latest is not None else 1,
        canonical_json=canonical_text,
        scope=scope,
        sha256=digest,
        readiness=readiness.as_json(),
        frozen_by=actor if getattr(actor, "is_authenticated", False) else None,
        frozen_by_name=(_actor_name(actor) or actor_name)[:200],
        note=note.strip(),
    )
    version_event_record(
        actor=actor,
        verb="version_frozen",
        request=request,
        project=locked,
        version=version,
        changes={"sha256": digest, "readiness": f"{readiness.score} of {len(SECTION_KEYS)} gates clear"},
    )
    return version


def version_is_current(project: DiscoveryProject, version: ScopeVersion | None) -> bool:
    """Whether the live scope is exactly what ``version`` froze (False when there is no version yet)."""
    if version is None:
        return False
    _text, digest = scope_fingerprint(export_scope(project))
    return digest == version.sha256


# --- Diff -----------------------------------------------------------------------------------------------------------

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"

# What one row of each list is called, for "Data source added: ...".
ROW_NOUNS: dict[str, str] = {
    rows.key: rows.noun.capitalize()
    for rows in (
        *(rows for key in catalogue.SECTION_KEYS for rows in catalogue.row_lists(key)),
        catalogue.OPEN_QUESTIONS,
        catalogue.ACCEPTED_RISKS,
    )
}

# How much two rows must share (fraction of equal fields) to count as one row edited rather than one removed
# and another added.
ROW_SIMILARITY_THRESHOLD = 0.5
SUMMARY_VALUE_LIMIT = 80


@dataclass(frozen=True)
class FieldChange:
    """One readable difference between two versions."""

    section: str
    path: str
    label: str
    before: str
    after: str
    change: str = CHANGED  # "changed", "added" (a row or first value) or "removed"

    @property
    def section_label(self) -> str:
        return catalogue.PART_LABELS.get(self.section, self.section.replace("_", " ").capitalize())

    @cached_property
    def marked(self) -> tuple[SafeString, SafeString]:
        return marked_words(self.before, self.after)

    @property
    def before_marked(self) -> SafeString:
        """The old value, escaped, with the words that went in <del>."""
        return self.marked[0]

    @property
    def after_marked(self) -> SafeString:
        """The new value, escaped, with the words that came in <ins>."""
        return self.marked[1]


# A text of at least this many words is compared word by word; a shorter one (a number, a choice, a name) is shown
# as replaced whole.
WORD_DIFF_MIN_WORDS = 6
_TOKENS = re.compile(r"\s+|[^\s]+")


def _wrap(tag: str, tokens: Sequence[str]) -> str:
    """Escaped tokens in <tag>, leaving leading and trailing white space outside the mark."""
    text = "".join(tokens)
    core = text.strip()
    if not core:
        return escape(text)
    start = text.index(core)
    return f"{escape(text[:start])}<{tag}>{escape(core)}</{tag}>{escape(text[start + len(core) :])}"


def _merged_opcodes(opcodes, old: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """Join changes separated only by white space, so "the clerks code" is one mark, not three."""
    merged: list[list] = []
    for opcode in opcodes:
        op, old_start, old_end, new_start, new_end = opcode
        if (
            len(merged) >= 2
            and op != "equal"
            and merged[-1][0] == "equal"
            and merged[-2][0] != "equal"
            and not "".join(old[merged[-1][1] : merged[-1][2]]).strip()
        ):
            merged.pop()
            merged[-1] = ["replace", merged[-1][1], old_end, merged[-1][3], new_end]
            continue
        merged.append(list(opcode))
    return [tuple(item) for item in merged]


def marked_words(before: str, after: str) -> tuple[SafeString, SafeString]:
    """Both values as escaped HTML, marking what changed: words in long texts, the whole value in short ones.

    Removed words are wrapped in <del> in the old value, added words in <ins> in the new one; everything else,
    hostile text included, is escaped, so the result is safe to put in a page.
    """
    before, after = before or "", after or ""
    if not before or not after or min(len(before.split()), len(after.split())) < WORD_DIFF_MIN_WORDS:
        return (
            mark_safe(_wrap("del", [before]) if before else ""),  # noqa: S308 (escaped by _wrap)
            mark_safe(_wrap("ins", [after]) if after else ""),  # noqa: S308
        )
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    old_html: list[str] = []
    new_html: list[str] = []
    for op, old_start, old_end, new_start, new_end in _merged_opcodes(matcher.get_opcodes(), old):
        if op == "equal":
            old_html.append(escape("".join(old[old_start:old_end])))
            new_html.append(escape("".join(new[new_start:new_end])))
            continue
        if old_end > old_start:
            old_html.append(_wrap("del", old[old_start:old_end]))
        if new_end > new_start:
            new_html.append(_wrap("ins", new[new_start:new_end]))
    return mark_safe("".join(old_html)), mark_safe("".join(new_html))  # noqa: S308 (every piece escaped)


def _field_label(part: str, path: str) -> str:
    """The catalogue label of a field of one part: "volume_per_month", "tiers.pilot", "sources.owner"."""
    return catalogue.field_spec(part, path).label


def _row_field_label(part: str, spec: Rows, key: str) -> str:
    # Open questions and accepted risks are parts of their own; the other lists sit inside a section.
    return _field_label(part, key if part == spec.key else f"{spec.key}.{key}")


def _choice_label(choices_key: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    return dict(CHOICES.get(choices_key, ())).get(str(value), str(value))


def _display(field: Field, value: Any) -> str:
    """A value as a person reads it: labels for choices, Yes/No, thousands separators; "" when not given."""
    if value is None:
        return ""
    if isinstance(field, Boolean) or isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(field, ChoiceList):
        items = value if isinstance(value, list) else [value]
        return ", ".join(_choice_label(field.choices_key, item) for item in items)
    if isinstance(field, Choice):
        return _choice_label(field.choices_key, value)
    if isinstance(field, Integer) and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | dict):
        return ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
    return str(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def _shorten(text: str, limit: int = SUMMARY_VALUE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _row_name(spec: Rows, row: Mapping[str, Any], position: int) -> str:
    first = spec.fields[0]
    name = _display(first, row.get(first.key)).strip()
    return f"“{_shorten(name, 60)}”" if name else f"#{position + 1}"


def _row_summary(part: str, spec: Rows, row: Mapping[str, Any]) -> str:
    parts = []
    for field in spec.fields:
        text = _display(field, row.get(field.key)).strip()
        if text:
            parts.append(f"{_row_field_label(part, spec, field.key)}: {text}")
    return "; ".join(parts)


def _row_identity(spec: Rows, row: Mapping[str, Any]) -> str:
    return " ".join(str(row.get(spec.fields[0].key) or "").split()).casefold()


def _similarity(spec: Rows, old: Mapping[str, Any], new: Mapping[str, Any]) -> float:
    """Share of the row's free-text fields that are equal; choices and yes/no coincide too often to count."""
    fields = [field for field in spec.fields if not isinstance(field, Choice | ChoiceList | Boolean | Integer)]
    fields = fields or list(spec.fields)
    equal = sum(1 for field in fields if old.get(field.key) == new.get(field.key))
    return equal / len(fields)


def _pair_rows(spec: Rows, old_rows: list[Mapping[str, Any]], new_rows: list[Mapping[str, Any]]):
    """Match rows across versions: same name first, then the most similar rows; the rest were added or removed."""
    pairs: list[tuple[int, int]] = []
    unmatched_old = list(range(len(old_rows)))
    unmatched_new: list[int] = []
    for new_index, new_row in enumerate(new_rows):
        identity = _row_identity(spec, new_row)
        match = next(
            (index for index in unmatched_old if identity and _row_identity(spec, old_rows[index]) == identity),
            None,
        )
        if match is None:
            unmatched_new.append(new_index)
        else:
            unmatched_old.remove(match)
            pairs.append((match, new_index))
    for new_index in list(unmatched_new):
        scored = [(_similarity(spec, old_rows[index], new_rows[new_index]), index) for index in unmatched_old]
        if not scored:
            break
        score, best = max(scored, key=lambda item: (item[0], -item[1]))
        if score >= ROW_SIMILARITY_THRESHOLD:
            unmatched_old.remove(best)
            unmatched_new.remove(new_index)
            pairs.append((best, new_index))
    return sorted(pairs, key=lambda pair: pair[1]), unmatched_old, unmatched_new


def _diff_rows(part: str, prefix: str, spec: Rows, old_value: Any, new_value: Any) -> list[FieldChange]:
    old_rows, new_rows = _rows(old_value), _rows(new_value)
    noun = ROW_NOUNS.get(spec.key, "Row")
    pairs, removed, added = _pair_rows(spec, old_rows, new_rows)
    changes: list[FieldChange] = [
        _whole_row_change(part, prefix, spec, noun, old_rows, index, REMOVED) for index in removed
    ]
    for old_index, new_index in pairs:
        old_row, new_row = old_rows[old_index], new_rows[new_index]
        name = _row_name(spec, new_row, new_index)
        for field in spec.fields:
            before, after = _display(field, old_row.get(field.key)), _display(field, new_row.get(field.key))
            if old_row.get(field.key) != new_row.get(field.key) and before != after:
                changes.append(
                    FieldChange(
                        section=part,
                        path=f"{prefix}[{new_index}].{field.key}",
                        label=f"{noun} {name} · {_row_field_label(part, spec, field.key)}",
                        before=before,
                        after=after,
                    )
                )
    changes.extend(_whole_row_change(part, prefix, spec, noun, new_rows, index, ADDED) for index in added)
    return changes


def _whole_row_change(
    part: str, prefix: str, spec: Rows, noun: str, rows: list[Mapping[str, Any]], index: int, change: str
) -> FieldChange:
    """A row on one side only: its summary stands before (removed) or after (added)."""
    row = rows[index]
    summary = _row_summary(part, spec, row)
    return FieldChange(
        section=part,
        path=f"{prefix}[{index}]",
        label=f"{noun} {'removed' if change == REMOVED else 'added'}: {_row_name(spec, row, index)}",
        before=summary if change == REMOVED else "",
        after=summary if change == ADDED else "",
        change=change,
    )


def _diff_fields(
    part: str, prefix: str, fields: Sequence[Field], old: Mapping[str, Any], new: Mapping[str, Any], label_prefix=""
) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for field in fields:
        path = f"{prefix}.{field.key}"
        old_value, new_value = old.get(field.key), new.get(field.key)
        if isinstance(field, Group):
            changes += _diff_fields(
                part, path, field.fields, _mapping(old_value), _mapping(new_value), label_prefix=f"{field.key}."
            )
        elif isinstance(field, Rows):
            changes += _diff_rows(part, path, field, old_value, new_value)
        elif old_value != new_value:
            before, after = _display(field, old_value), _display(field, new_value)
            if before == after:
                continue  # e.g. None versus "" for a text nobody has written
            changes.append(
                FieldChange(
                    section=part,
                    path=path,
                    label=_field_label(part, label_prefix + field.key),
                    before=before,
                    after=after,
                    change=ADDED if not before else REMOVED if not after else CHANGED,
                )
            )
    return changes


def scope_diff(old_scope: Mapping[str, Any] | None, new_scope: Mapping[str, Any]) -> list[FieldChange]:
    """Every readable difference between two scope snapshots, in document order (a /1 snapshot read as /2)."""
    old = upgrade_scope(dict(_mapping(old_scope))) if old_scope else {}
    new = upgrade_scope(dict(_mapping(new_scope)))
    changes = _diff_fields(
        "project", "project", PROJECT_FIELDS, _mapping(old.get("project")), _mapping(new.get("project"))
    )
    for key in SECTION_KEYS:
        changes += _diff_fields(key, key, SECTIONS[key], _mapping(old.get(key)), _mapping(new.get(key)))
    changes += _diff_rows(
        "open_questions", "open_questions", OPEN_QUESTIONS, old.get("open_questions"), new.get("open_questions")
    )
    changes += _diff_rows(
        "accepted_risks", "accepted_risks", ACCEPTED_RISKS, old.get("accepted_risks"), new.get("accepted_risks")
    )
    return changes


def version_diff(old: ScopeVersion | None, new: ScopeVersion) -> list[FieldChange]:
    """What changed from ``old`` to ``new`` ("what changed since the client last saw it"); everything when no old."""
    return scope_diff(old.scope if old is not None else None, new.scope)


def changes_by_section(changes: Sequence[FieldChange]) -> list[dict[str, Any]]:
    """Consecutive changes of one section together, as the diff tables show them: section, label and changes."""
    groups: list[dict[str, Any]] = []
    for change in changes:
        if not groups or groups[-1]["section"] != change.section:
            groups.append({"section": change.section, "label": change.section_label, "changes": []})
        groups[-1]["changes"].append(change)
    return groups
