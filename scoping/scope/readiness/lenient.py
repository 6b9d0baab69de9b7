"""Lenient readers of loose scope input: a missing key, ``None``, blank text or a wrong type reads as "not given".

The rules never raise on odd input; they read every value through these, and word a gap instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from scoping.scope import catalogue

PLACEHOLDER_NAMES = frozenset(
    {
        "",
        "tbd",
        "tba",
        "tbc",
        "na",
        "none",
        "unknown",
        "to be decided",
        "to be determined",
        "to be confirmed",
        "to be agreed",
        "unassigned",
        "nobody",
        "no one",
        "pending",
        "null",
    }
)


def field_name(section: str, path: str) -> str:
    """A field's catalogue label as it reads inside a sentence: "input price per 1M tokens"."""
    label = catalogue.field_spec(section, path).label
    return label[:1].lower() + label[1:]


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_text(value: Any) -> str:
    """Stripped text of a scalar; anything else (lists, dicts, booleans, None) is no text at all."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return ""


def as_rows(value: Any) -> list[Mapping[str, Any]]:
    """The non-empty mapping rows of a list field; a string or other non-list counts as no rows."""
    if not isinstance(value, list | tuple):
        return []
    return [row for row in value if isinstance(row, Mapping) and any(as_text(cell) for cell in row.values())]


def as_number(value: Any) -> Decimal | None:
    """A finite Decimal from a number or numeric string, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = str(value)
    if isinstance(value, str):
        value = value.strip()
    if not isinstance(value, int | str | Decimal):
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def as_count(value: Any) -> int | None:
    """A whole non-negative count, else None."""
    number = as_number(value)
    if number is None or number < 0 or number != number.to_integral_value():
        return None
    return int(number)


def as_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "y", "1", "on"}
    return False


def as_choice(value: Any) -> str:
    """Normalise a choice value so 'Manual export' and 'manual-export' both read as 'manual_export'."""
    return re.sub(r"[\s\-]+", "_", as_text(value).lower())


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = as_text(value)
    if not text or not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def is_placeholder(value: Any) -> bool:
    """True for blank names and stand-ins such as 'TBD', '?', 'n/a' or 'to be decided'."""
    normalised = re.sub(r"[^\w\s]|_", "", as_text(value).lower())
    return " ".join(normalised.split()) in PLACEHOLDER_NAMES


def row_name(row: Mapping[str, Any], key: str, position: int, noun: str) -> str:
    name = as_text(row.get(key))
    return f"'{name}'" if name else f"{noun} {position} (unnamed)"
