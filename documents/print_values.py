"""How the PDF prints one snapshot value: labels, text, dates, money, and the table and field blocks.

The template only loops and prints: every decision about wording, labels and gaps is made in Python, where it can
be tested, and where odd snapshot values (None, wrong types) are read as "not stated".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ua_parser import parse as parse_user_agent

from scoping.scope import catalogue
from scoping.scope.costs import format_money
from scoping.scope.fields import CHOICES

NOT_STATED = "Not stated"

CHOICE_LABELS: dict[str, dict[str, str]] = {key: dict(pairs) for key, pairs in CHOICES.items()}


def printed_label(part: str, path: str) -> str:
    """The catalogue's print label of a field or list ("tiers.pilot", "sources.owner")."""
    return catalogue.field_spec(part, path).printed


def print_columns(part: str, rows_key: str, widths: Sequence[int]) -> tuple[tuple[str, int], ...]:
    """Table columns for a list of rows: its fields' print labels, in catalogue order, with the widths given."""
    fields = catalogue.field_spec(part, rows_key).fields
    return tuple((item.printed, width) for item, width in zip(fields, widths, strict=True))


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_rows(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def as_text(value: Any) -> str:
    """Readable text of a scalar snapshot value ('' when it is not given)."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(as_text(item) for item in value if not is_blank(item))
    return str(value).strip()


def choice_text(key: str, value: Any) -> str:
    labels = CHOICE_LABELS.get(key, {})
    if isinstance(value, list):
        return ", ".join(choice_text(key, item) for item in value if not is_blank(item))
    if is_blank(value):
        return ""
    return labels.get(str(value).strip().lower(), str(value).strip())


def value_item(label: str, value: Any, *, choice: str | None = None, long: bool = False, suffix: str = "") -> dict:
    text = choice_text(choice, value) if choice else as_text(value)
    if text and suffix:
        text = f"{text} {suffix}"
    return {"label": label, "text": text or NOT_STATED, "missing": not text, "long": long}


def cell_item(value: Any, *, choice: str | None = None) -> dict:
    text = choice_text(choice, value) if choice else as_text(value)
    return {"text": text or "—", "missing": not text}


def table_block(title: str, columns: Sequence[tuple], rows: list[list[dict]], empty: str) -> dict:
    """A table block; each column is (label, width percent) or (label, width percent, "num") for figures."""
    return {
        "type": "table",
        "title": title,
        "columns": [{"label": column[0], "width": column[1], "num": column[2:] == ("num",)} for column in columns],
        "rows": [
            [{**cell, "num": column[2:] == ("num",)} for cell, column in zip(row, columns, strict=True)] for row in rows
        ],
        "empty": empty,
    }


def fields_block(items: list[dict], title: str = "") -> dict:
    return {"type": "fields", "title": title, "items": items}


def pairs_block(items: list[dict], title: str = "") -> dict:
    """Short label/value items laid out two to a row, for long lists of small figures."""
    half = (len(items) + 1) // 2
    rows = [(items[index], items[index + half] if index + half < len(items) else None) for index in range(half)]
    return {"type": "pairs", "title": title, "rows": rows}


def person_text(person: Any) -> str:
    person = as_mapping(person)
    parts = [as_text(person.get("name")), as_text(person.get("role"))]
    return ", ".join(part for part in parts if part)


def long_date(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, str) and value.strip():
        try:
            return long_date(date.fromisoformat(value.strip()[:10]))
        except ValueError:
            return value.strip()
    return ""


def short_date(value: Any) -> str:
    """'11 Feb 2027', for narrow table columns."""
    if isinstance(value, str) and value.strip():
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value.strip()
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    return ""


def utc_time(value: Any) -> str:
    """A sign-off time as 'YYYY-MM-DD HH:MM:SS UTC' (naive datetimes are taken to be UTC already)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return value.strip() or NOT_STATED
    if not isinstance(value, datetime):
        return NOT_STATED
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return f"{value:%Y-%m-%d %H:%M:%S} UTC"


# Operating systems as people call them; ua-parser's family names otherwise ("Mac OS X" is "macOS" today).
_OS_WORDS = {"Mac OS X": "macOS", "iOS": "iOS", "Windows": "Windows", "Linux": "Linux", "Ubuntu": "Ubuntu Linux"}


def device_in_words(user_agent: Any) -> str:
    """The browser and system a signer used, from the user agent: "Chrome on macOS", "Mobile Safari on iOS (iPhone)"."""
    text = str(user_agent or "").strip()
    if not text:
        return NOT_STATED
    parsed = parse_user_agent(text[:500])
    browser = parsed.user_agent.family if parsed.user_agent and parsed.user_agent.family != "Other" else ""
    system = parsed.os.family if parsed.os and parsed.os.family != "Other" else ""
    device = parsed.device.family if parsed.device and parsed.device.family not in ("Other", "Mac", "Spider") else ""
    system = _OS_WORDS.get(system, system)
    if not browser and not system:
        return "An unrecognised browser or program (the exact text is in the annex)"
    words = f"{browser or 'A browser'} on {system}" if system else browser
    return f"{words} ({device})" if device and device not in words else words


def local_time(value: Any, time_zone: Any) -> str:
    """The signing time in the signer's own time zone, with its UTC offset; "" when the zone is unknown."""
    zone_name = str(time_zone or "").strip()
    if not zone_name or not isinstance(value, datetime):
        return ""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    moment = (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(zone)
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M:%S} {zone_name} (UTC{offset[:3]}:{offset[3:]})"


def money_cell(value: Decimal | None, currency: str, *, per_use: bool = False) -> dict:
    return {"text": format_money(value, currency, per_use=per_use), "missing": value is None}


def money_text(value: Any, currency: str, unit: str = "") -> str:
    """A money input as the PDF prints money ('£1,100.00 a month'); unparseable text is shown as typed."""
    if is_blank(value):
        return ""
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        return as_text(value)
    if not amount.is_finite():
        return as_text(value)
    text = format_money(amount, currency, exact=True)  # a typed price keeps its decimals: 0.395, not 0.40
    return f"{text} {unit}".strip()


def quantity_text(value: Any, singular: str, plural: str) -> str:
    if is_blank(value):
        return ""
    text = as_text(value)
    return f"{text} {singular if text in ('1', '1.0') else plural}"


def percent_text(value: Any) -> str:
    return f"{as_text(value)}%" if not is_blank(value) else ""
