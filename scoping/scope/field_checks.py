"""How a value of each field kind is checked and normalised: text, e-mail, currency, counts, decimals, dates, choices.

``checker_for`` turns a catalogue field into its check; ``scoping.scope.schema`` walks the scope JSON with them.
Pure (no Django import), like the rest of the core.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from scoping.scope import fields as kinds
from scoping.scope.fields import (
    CHOICES,
    COUNT_MAX,
    EMAIL_MAX,
    MAX_ROWS,
    MONEY_DECIMAL_PLACES,
    MONEY_MAX,
    SHORT_TEXT_MAX,
    FieldSpec,
)
from scoping.scope.money import is_currency_code


class Invalid(Exception):
    """One field's value is wrong; the message completes the sentence '<path> ...'."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _quote(text: str) -> str:
    shown = text if len(text) <= 60 else text[:60] + "…"
    return repr(shown)


def describe(value: object) -> str:
    """Say what the person wrote, in words, for the end of an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"text {_quote(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


_STORAGE_BREAKING_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def _check_storable(text: str) -> None:
    """Refuse characters PostgreSQL and UTF-8 cannot store, so a bad file fails here and not as a server error."""
    match = _STORAGE_BREAKING_CHARACTERS.search(text)
    if match is None:
        return
    if match.group() == "\x00":
        raise Invalid("contains a NUL character (\\u0000), which cannot be stored; remove it")
    raise Invalid("contains an unpaired UTF-16 surrogate, which is not a real character; retype or remove it")


@dataclass(frozen=True)
class Field:
    """One value in the scope JSON."""

    key: str

    def empty(self) -> Any:
        return None

    def clean(self, value: object) -> Any:  # pragma: no cover - every kind overrides it
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Field):
    max_length: int = SHORT_TEXT_MAX
    required: bool = False
    required_hint: str = ""

    @property
    def is_long(self) -> bool:
        return self.max_length > SHORT_TEXT_MAX

    def empty(self) -> str:
        return ""

    def clean(self, value: object) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise Invalid(f"must be text (a JSON string in quotes); got {describe(value)}")
        if len(value) > self.max_length:
            raise Invalid(
                f"is too long: {len(value)} characters; the limit is {self.max_length}. Shorten it or move detail "
                "to a longer field."
            )
        _check_storable(value)
        if self.required and not value.strip():
            raise Invalid(f"is required{': ' + self.required_hint if self.required_hint else ''}")
        return value


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@dataclass(frozen=True)
class Email(Text):
    max_length: int = EMAIL_MAX

    def clean(self, value: object) -> str:
        text = super().clean(value)
        if text and not _EMAIL.match(text):
            raise Invalid(f"is not an e-mail address such as name@example.com; got {_quote(text)}")
        return text


_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


@dataclass(frozen=True)
class Currency(Text):
    max_length: int = 3

    def clean(self, value: object) -> str:
        if value is None or value == "":
            if self.required:
                raise Invalid("is required: a three-letter ISO 4217 currency code such as EUR, GBP or USD")
            return ""
        if not isinstance(value, str) or not _CURRENCY.match(value) or not is_currency_code(value.upper()):
            raise Invalid(
                f"must be a three-letter ISO 4217 currency code such as EUR, GBP or USD; got {describe(value)}"
            )
        return value.upper()


@dataclass(frozen=True)
class Integer(Field):
    """A count or volume: a whole number, 0 or more."""

    max_value: int = COUNT_MAX

    def clean(self, value: object) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool):
            raise Invalid(f"must be a whole number such as 12; got {describe(value)}")
        if isinstance(value, str):
            raise Invalid(
                f"must be a whole number written without quotes or separators, such as 9000; got {describe(value)}"
            )
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                raise Invalid(f"must be a whole number such as 12; got {describe(value)}")
            value = int(value)
        if isinstance(value, Decimal):
            if not value.is_finite() or value != value.to_integral_value():
                raise Invalid(f"must be a whole number such as 12; got {describe(value)}")
            value = int(value)
        if not isinstance(value, int):
            raise Invalid(f"must be a whole number such as 12; got {describe(value)}")
        if value < 0:
            raise Invalid(f"must be 0 or more; got {value}")
        if value > self.max_value:
            raise Invalid(f"must be at most {self.max_value}; got {value}")
        return value


_PLAIN_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def canonical_decimal(value: Decimal) -> str:
    """Write a decimal without exponent or trailing zeros, so equal amounts hash equally ("2.50" -> "2.5")."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class DecimalNumber(Field):
    """Money, a price, a percentage or a quantity of minutes/hours: a non-negative decimal."""

    max_value: Decimal = MONEY_MAX
    decimal_places: int = MONEY_DECIMAL_PLACES
    what: str = "an amount such as 2.50"

    @property
    def is_percent(self) -> bool:
        return self.what.startswith("a percentage")

    def _parse(self, value: object) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool):
            raise Invalid(f"must be {self.what}; got {describe(value)}")
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise Invalid(f"must be {self.what}; got {describe(value)}")
            return Decimal(repr(value))
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise Invalid(f"must be {self.what}; got {describe(value)}")
            return value
        if isinstance(value, str):
            stripped = value.strip()
            if stripped == "":
                return None
            if not _PLAIN_DECIMAL.match(stripped):
                raise Invalid(
                    f"must be {self.what}, written with digits and one decimal point, without a currency sign, "
                    f"unit or thousands separator; got {describe(value)}"
                )
            try:
                return Decimal(stripped)
            except InvalidOperation:  # pragma: no cover - the pattern above only lets valid decimals through
                raise Invalid(f"must be {self.what}; got {describe(value)}") from None
        raise Invalid(f"must be {self.what}; got {describe(value)}")

    def clean(self, value: object) -> str | None:
        number = self._parse(value)
        if number is None:
            return None
        shown = canonical_decimal(number)
        if number < 0:
            raise Invalid(f"must be 0 or more; got {shown}")
        if number > self.max_value:
            raise Invalid(f"must be at most {canonical_decimal(self.max_value)}; got {shown}")
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.decimal_places:
            raise Invalid(f"has more than {self.decimal_places} decimal places; got {shown}")
        return shown


@dataclass(frozen=True)
class Boolean(Field):
    """A yes/no answer; ``None`` means nobody has answered yet."""

    def clean(self, value: object) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise Invalid(f"must be true or false (without quotes); got {describe(value)}")


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class IsoDate(Field):
    def clean(self, value: object) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value.isoformat()
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            raise Invalid(f"must be a date written as YYYY-MM-DD, such as 2027-02-15; got {describe(value)}")
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise Invalid(f"is not a real calendar date; got {_quote(value)}") from None


def _choice_hint(choices_key: str, value: str) -> str:
    """Point at the intended value when someone typed a label or a different case ("Manual export")."""
    wanted = value.strip().lower().replace(" ", "_").replace("-", "_")
    for choice, label in CHOICES[choices_key]:
        if wanted in (choice, label.lower().replace(" ", "_").replace("-", "_")):
            return f" (did you mean {choice!r}?)"
    return ""


def clean_choice(choices_key: str, value: object) -> str:
    values = [choice for choice, _label in CHOICES[choices_key]]
    if isinstance(value, str) and value in values:
        return value
    hint = _choice_hint(choices_key, value) if isinstance(value, str) else ""
    got = _quote(value) if isinstance(value, str) else describe(value)
    raise Invalid(f"must be one of: {', '.join(values)}; got {got}{hint}")


@dataclass(frozen=True)
class Choice(Field):
    choices_key: str = ""
    default: str = ""

    def __post_init__(self) -> None:
        if not self.choices_key:
            object.__setattr__(self, "choices_key", self.key)

    def empty(self) -> str:
        return self.default

    def clean(self, value: object) -> str:
        if value is None or value == "":
            return self.default
        return clean_choice(self.choices_key, value)


@dataclass(frozen=True)
class ChoiceList(Field):
    """Several choices; normalized without duplicates, in the catalogue's order so equal answers hash equally."""

    choices_key: str = ""

    def __post_init__(self) -> None:
        if not self.choices_key:
            object.__setattr__(self, "choices_key", self.key)

    def empty(self) -> list[str]:
        return []


@dataclass(frozen=True)
class Group(Field):
    """A nested object of plain fields, stored flat on the section model as ``attr_prefix + field key``."""

    fields: tuple[Field, ...] = ()
    attr_prefix: str = ""

    def empty(self) -> dict[str, Any]:
        return {item.key: item.empty() for item in self.fields}


@dataclass(frozen=True)
class Rows(Field):
    """A list of rows; the section model reaches them through the related name equal to ``key``."""

    fields: tuple[Field, ...] = ()
    max_rows: int = MAX_ROWS

    def empty(self) -> list[dict[str, Any]]:
        return []


def checker_for(spec: FieldSpec) -> Field:
    """The check for one catalogue field, by its kind."""
    kind = spec.kind
    if kind in (kinds.TEXT, kinds.LONG_TEXT):
        return Text(spec.key, spec.max_length, required=spec.required, required_hint=spec.required_hint)
    if kind == kinds.EMAIL:
        return Email(spec.key, spec.max_length)
    if kind == kinds.CURRENCY:
        return Currency(spec.key, required=spec.required)
    if kind == kinds.INTEGER:
        return Integer(spec.key, int(spec.max_value or COUNT_MAX))
    if kind in (kinds.MONEY, kinds.PERCENT, kinds.QUANTITY):
        return DecimalNumber(spec.key, Decimal(spec.max_value or 0), spec.decimal_places, spec.what)
    if kind == kinds.BOOLEAN:
        return Boolean(spec.key)
    if kind == kinds.DATE:
        return IsoDate(spec.key)
    if kind == kinds.CHOICE:
        return Choice(spec.key, choices_key=spec.choices_key, default=spec.default)
    if kind == kinds.CHOICE_LIST:
        return ChoiceList(spec.key, choices_key=spec.choices_key)
    if kind == kinds.GROUP:
        return Group(spec.key, fields=checkers_for(spec.fields), attr_prefix=spec.attr_prefix)
    if kind == kinds.ROWS:
        return Rows(spec.key, fields=checkers_for(spec.fields), max_rows=spec.max_rows)
    raise ValueError(f"The catalogue field {spec.key!r} has an unknown kind {kind!r}.")


def checkers_for(specs: tuple[FieldSpec, ...]) -> tuple[Field, ...]:
    return tuple(checker_for(spec) for spec in specs)
