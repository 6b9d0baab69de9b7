"""How a stored scope value reads on a page: choice labels, Yes/No, dates, amounts and percentages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import dateformat

from scoping.scope.costs import format_money
from scoping.scope.schema import CHOICES

# --- showing values ---------------------------------------------------------------------------------------------


def has_value(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | dict):
        return bool(value)
    return True


def _plain_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value != 0 else "0"
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-') or 0):,}" + (f".{fraction}" if fraction else "")


def _money_text(value: Decimal, currency: str) -> str:
    return format_money(value, currency, exact=True)


def display_value(db_field: models.Field, value: Any, *, currency: str = "") -> str:
    """How a stored value reads on a page: choice labels, Yes/No, dates and amounts; "" when not given."""
    if not has_value(value):
        return ""
    if isinstance(db_field, models.JSONField) and isinstance(value, list):
        labels = dict(CHOICES.get(db_field.name, ()))
        return ", ".join(str(labels.get(item, item)) for item in value)
    if getattr(db_field, "choices", None):
        return str(dict(db_field.flatchoices).get(value, value))
    if isinstance(db_field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(db_field, models.DateField):
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return value
        return dateformat.format(value, "j M Y")
    if isinstance(db_field, models.DecimalField):
        number = Decimal(str(value))
        if db_field.name.endswith("_pct"):
            return f"{_plain_decimal(number)} %"
        if db_field.decimal_places >= 6:
            return _money_text(number, currency)
        return _plain_decimal(number)
    if isinstance(db_field, models.IntegerField) and isinstance(value, int):
        return f"{value:,}"
    return str(value)
