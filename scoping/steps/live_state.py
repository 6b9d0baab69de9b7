"""A step as the browser holds it: each field's widget string and fingerprint, each list's rows, and who answered.

The autosave answer, the state endpoint (polling and catch-up) and the ``section.saved`` live message all describe a
step the same way, so a tab can apply any of them with one piece of code. A value is given as the string the form's
widget shows (what the input's ``value`` is), never as HTML: the browser sets it as a value, so hostile text stays
text. The fingerprint is the one the form carries back in ``opened__<field>`` (see ``scoping.steps.services``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from scoping.models import DiscoveryProject
from scoping.models.sections import ScopeRow, ScopeSection
from scoping.steps.forms import SECTION_FORM_FIELDS, build_step_forms, row_fields, rows_keys


def _canonical(value: Any) -> Any:
    """A value as JSON, the same whether it came from the database or from the form."""
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
    """A short hash of one field's value (or of a whole list of rows, or of one row) that the form carries back."""
    text = json.dumps(_canonical(value), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def row_fingerprints(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    return [fingerprint(dict(row)) for row in rows]


def saved_values(section: ScopeSection, rows: Mapping[str, list[ScopeRow]], section_key: str) -> dict[str, Any]:
    """Every field of the step as saved; a list of rows as a list of dicts, in order."""
    values: dict[str, Any] = {name: getattr(section, name) for name in SECTION_FORM_FIELDS[section_key]}
    for rows_key in rows_keys(section_key):
        names = row_fields(section_key, rows_key)
        values[rows_key] = [{name: getattr(row, name) for name in names} for row in rows.get(rows_key, ())]
    return values


def widget_string(bound: forms.BoundField) -> str | list[str]:
    """What the field's input holds when the page shows it: a string, or the ticked values of a checkbox group."""
    widget = bound.field.widget
    shown = widget.format_value(bound.value())
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.SelectMultiple):
        return [str(item) for item in shown or []]
    if isinstance(shown, list | tuple):  # a Select gives the chosen value in a list
        return str(shown[0]) if shown else ""
    return "" if shown is None else str(shown)


def step_state(
    *,
    project: DiscoveryProject,
    section_key: str,
    section: ScopeSection,
    rows: Mapping[str, list[ScopeRow]],
    names: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The step as saved: ``fields`` and ``rows`` (only ``names`` when given) with widget strings and fingerprints."""
    wanted = set(names) if names is not None else None
    forms_now = build_step_forms(section_key, section=section, rows=rows, default_currency=project.currency)
    values = saved_values(section, rows, section_key)
    fields = {
        name: {"value": widget_string(forms_now.form[name]), "fingerprint": fingerprint(values[name])}
        for name in SECTION_FORM_FIELDS[section_key]
        if wanted is None or name in wanted
    }
    lists = {}
    for block in forms_now.row_blocks:
        if wanted is not None and block.key not in wanted:
            continue
        saved = values[block.key]
        shown = [
            {name: widget_string(row_form[name]) for name in row_fields(section_key, block.key)}
            for row_form in block.formset.forms[: len(saved)]  # an empty list is offered one blank row: not a row
        ]
        lists[block.key] = {
            "rows": shown,
            "fingerprint": fingerprint(saved),
            "row_fingerprints": row_fingerprints(saved),
        }
    updated_by = getattr(section, "updated_by", None) if section.updated_by_id else None
    return {
        "section": section_key,
        "revision": section.revision,
        "fields": fields,
        "rows": lists,
        "updated_by": updated_by.display_name if updated_by is not None else "",
    }
