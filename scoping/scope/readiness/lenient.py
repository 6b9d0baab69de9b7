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
        # Readiness v2: stand-ins for a person who does not exist yet.
        "to be hired",
        "vacant",
        "new hire",
        "recruiting",
        "someone",
        "whoever",
        "later",
    }
)

# Stand-ins that may sit inside a longer text ("Head of Ops (TBD)"), as word sequences. "na" is left out: inside a
# name it is more often initials ("N.A. Smith") than "not applicable", which people write "n/a".
_CONTAINED_PLACEHOLDERS = tuple(tuple(name.split()) for name in PLACEHOLDER_NAMES if name and name != "na")

# A word, with dots or slashes inside it kept ("T.B.D.", "n/a"), so it can be matched and quoted as typed.
_WORD = re.compile(r"[^\W_]+(?:[./][^\W_]+)*\.?")


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
    """True for blank text and text that is entirely a stand-in such as 'TBD', '?', 'n/a' or 'to be decided'."""
    normalised = re.sub(r"[^\w\s]|_", "", as_text(value).lower())
    return " ".join(normalised.split()) in PLACEHOLDER_NAMES


def given(value: Any) -> bool:
    """A prose or short value counts as given unless it is blank or entirely a placeholder."""
    return not is_placeholder(value)


def placeholder_in(value: Any) -> str:
    """The stand-in a person or owner field holds anywhere in it, as typed ("Head of Ops (TBD)" -> "TBD"), else "".

    Blank text is the caller's concern (it is "not given", not a placeholder to quote). A question mark counts
    wherever it stands: "Priya?" is not a confirmed owner.
    """
    text = as_text(value)
    if not text:
        return ""
    if is_placeholder(text):
        return text
    words = list(_WORD.finditer(text))
    normalised = [re.sub(r"[./]", "", word.group(0).lower()) for word in words]
    for position, word in enumerate(words):
        if word.group(0).lower() == "n/a":
            return word.group(0)
        for phrase in _CONTAINED_PLACEHOLDERS:
            if tuple(normalised[position : position + len(phrase)]) == phrase:
                return text[word.start() : words[position + len(phrase) - 1].end()]
    return "?" if "?" in text else ""


def no_person(*values: Any) -> str | None:
    """For a person or owner field (and its role): None when a real person is named, else the words a finding adds.

    "" when the first value is blank; " ('TBD' is a placeholder)" when any value holds a stand-in.
    """
    stand_in = next((found for found in map(placeholder_in, values) if found), "")
    if stand_in:
        return f" ('{stand_in}' is a placeholder)"
    return "" if not given(values[0] if values else None) else None


def has_email(value: Any) -> bool:
    """DESIGN.md's reading: an owner's e-mail is missing when blank or without "@". The form checks it strictly."""
    return "@" in as_text(value)


def row_name(row: Mapping[str, Any], key: str, position: int, noun: str) -> str:
    name = as_text(row.get(key))
    return f"'{name}'" if name else f"{noun} {position} (unnamed)"
