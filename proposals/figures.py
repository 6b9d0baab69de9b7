"""The engagement step's live totals: what the person has typed -> the ``engagement`` dict the fee maths reads.

Runs on every keystroke before anything is saved, so it accepts anything and never raises; the fee maths
(``scoping.scope.fees``) reports every blank or unusable value as a gap on its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proposals.forms import FIELDS, row_fields
from proposals.models import ENGAGEMENT_ROWS
from scoping.scope.schema import MAX_ROWS, SHORT_TEXT_MAX

LONG_TEXT = 5000


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value or "").strip()[:LONG_TEXT]


def _count(data: Mapping[str, Any], name: str) -> int:
    try:
        return max(0, min(int(_text(data, name)), MAX_ROWS))
    except ValueError:
        return 0


def engagement_from_form(data: Mapping[str, Any]) -> dict[str, Any]:
    """The posted engagement form as scope JSON (raw texts; removed and blank rows left out, as on save)."""
    engagement: dict[str, Any] = {name: _text(data, name) or None for name in FIELDS}
    for rows_key in ENGAGEMENT_ROWS:
        rows = []
        for index in range(_count(data, f"{rows_key}-TOTAL_FORMS")):
            prefix = f"{rows_key}-{index}-"
            if _text(data, prefix + "DELETE").lower() in ("on", "true", "1"):
                continue
            row = {name: _text(data, prefix + name)[:SHORT_TEXT_MAX] or None for name in row_fields(rows_key)}
            if any(row.values()):
                rows.append(row)
        engagement[rows_key] = rows
    return engagement
