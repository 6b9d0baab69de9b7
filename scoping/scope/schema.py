"""The scope JSON contract: validation and canonical form, built from the section catalogue.

Pure module (no Django import) so that the importer, ``scope_check``, the readiness engine, the cost maths and the
snapshot hasher all agree on one definition of a valid scope. Which fields exist, their kinds and limits come from
``scoping.scope.catalogue``; this module only knows how to check a value of each kind.

Normalized values:
- text, long text, e-mail and single choices are strings ("" when missing);
- counts are ``int`` (``None`` when missing);
- money, prices, percentages and minutes/hours are canonical decimal strings such as "0.2", "1100", "12.5"
  (no exponent, no trailing zeros; ``None`` when missing);
- dates are ISO strings "2027-02-15" (``None`` when missing);
- yes/no answers are ``True`` / ``False`` (``None`` when not answered yet);
- lists of choices and row lists are lists (``[]`` when missing).
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from scoping.scope import catalogue
from scoping.scope import fields as kinds
from scoping.scope.catalogue import SECTION_KEYS
from scoping.scope.fields import (
    CHOICE_MAX,
    CHOICES,
    COUNT_MAX,
    EMAIL_MAX,
    LONG_TEXT_MAX,
    MAX_ROWS,
    MONEY_DECIMAL_PLACES,
    MONEY_MAX,
    PERCENT_DECIMAL_PLACES,
    QUANTITY_DECIMAL_PLACES,
    QUANTITY_MAX,
    SHORT_TEXT_MAX,
    TOKENS_MAX,
    VOLUME_MAX,
    WEEKS_MAX,
    FieldSpec,
)
from scoping.scope.money import is_currency_code

# The limits are the catalogue's; they are named here too because the scope JSON contract is where callers look.
__all__ = [
    "ACCEPTED_RISKS",
    "CHOICES",
    "CHOICE_MAX",
    "COUNT_MAX",
    "EMAIL_MAX",
    "LONG_TEXT_MAX",
    "MAX_ROWS",
    "MONEY_DECIMAL_PLACES",
    "MONEY_MAX",
    "ONE_OR_MORE",
    "OPEN_QUESTIONS",
    "PERCENT_DECIMAL_PLACES",
    "PROJECT_FIELDS",
    "QUANTITY_DECIMAL_PLACES",
    "QUANTITY_MAX",
    "SCHEMA_ID",
    "SECTIONS",
    "SECTION_KEYS",
    "SHORT_TEXT_MAX",
    "TOKENS_MAX",
    "VOLUME_MAX",
    "WEEKS_MAX",
    "Boolean",
    "Choice",
    "ChoiceList",
    "Currency",
    "DecimalNumber",
    "Email",
    "Field",
    "Group",
    "Integer",
    "IsoDate",
    "Rows",
    "ScopeValidationError",
    "Text",
    "canonical_decimal",
    "canonical_json",
    "empty_scope",
    "validate_scope",
]

SCHEMA_ID = "firstslice.scope/1"

TOP_LEVEL_PATH = "(top level)"


class ScopeValidationError(ValueError):
    """A scope was rejected; ``errors`` lists every ``(path, message)`` found, not only the first."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        super().__init__(self.summary())

    def summary(self) -> str:
        count = len(self.errors)
        heading = "The scope has 1 problem:" if count == 1 else f"The scope has {count} problems:"
        return "\n".join([heading, *(f"  {path}: {message}" for path, message in self.errors)])


class _Invalid(Exception):
    """One field's value is wrong; the message completes the sentence '<path> ...'."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _quote(text: str) -> str:
    shown = text if len(text) <= 60 else text[:60] + "…"
    return repr(shown)


def _describe(value: object) -> str:
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
        raise _Invalid("contains a NUL character (\\u0000), which cannot be stored; remove it")
    raise _Invalid("contains an unpaired UTF-16 surrogate, which is not a real character; retype or remove it")


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
            raise _Invalid(f"must be text (a JSON string in quotes); got {_describe(value)}")
        if len(value) > self.max_length:
            raise _Invalid(
                f"is too long: {len(value)} characters; the limit is {self.max_length}. Shorten it or move detail "
                "to a longer field."
            )
        _check_storable(value)
        if self.required and not value.strip():
            raise _Invalid(f"is required{': ' + self.required_hint if self.required_hint else ''}")
        return value


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@dataclass(frozen=True)
class Email(Text):
    max_length: int = EMAIL_MAX

    def clean(self, value: object) -> str:
        text = super().clean(value)
        if text and not _EMAIL.match(text):
            raise _Invalid(f"is not an e-mail address such as name@example.com; got {_quote(text)}")
        return text


_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


@dataclass(frozen=True)
class Currency(Text):
    max_length: int = 3

    def clean(self, value: object) -> str:
        if value is None or value == "":
            if self.required:
                raise _Invalid("is required: a three-letter ISO 4217 currency code such as EUR, GBP or USD")
            return ""
        if not isinstance(value, str) or not _CURRENCY.match(value) or not is_currency_code(value.upper()):
            raise _Invalid(
                f"must be a three-letter ISO 4217 currency code such as EUR, GBP or USD; got {_describe(value)}"
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
            raise _Invalid(f"must be a whole number such as 12; got {_describe(value)}")
        if isinstance(value, str):
            raise _Invalid(
                f"must be a whole number written without quotes or separators, such as 9000; got {_describe(value)}"
            )
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                raise _Invalid(f"must be a whole number such as 12; got {_describe(value)}")
            value = int(value)
        if isinstance(value, Decimal):
            if not value.is_finite() or value != value.to_integral_value():
                raise _Invalid(f"must be a whole number such as 12; got {_describe(value)}")
            value = int(value)
        if not isinstance(value, int):
            raise _Invalid(f"must be a whole number such as 12; got {_describe(value)}")
        if value < 0:
            raise _Invalid(f"must be 0 or more; got {value}")
        if value > self.max_value:
            raise _Invalid(f"must be at most {self.max_value}; got {value}")
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
            raise _Invalid(f"must be {self.what}; got {_describe(value)}")
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise _Invalid(f"must be {self.what}; got {_describe(value)}")
            return Decimal(repr(value))
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise _Invalid(f"must be {self.what}; got {_describe(value)}")
            return value
        if isinstance(value, str):
            stripped = value.strip()
            if stripped == "":
                return None
            if not _PLAIN_DECIMAL.match(stripped):
                raise _Invalid(
                    f"must be {self.what}, written with digits and one decimal point, without a currency sign, "
                    f"unit or thousands separator; got {_describe(value)}"
                )
            try:
                return Decimal(stripped)
            except InvalidOperation:  # pragma: no cover - the pattern above only lets valid decimals through
                raise _Invalid(f"must be {self.what}; got {_describe(value)}") from None
        raise _Invalid(f"must be {self.what}; got {_describe(value)}")

    def clean(self, value: object) -> str | None:
        number = self._parse(value)
        if number is None:
            return None
        shown = canonical_decimal(number)
        if number < 0:
            raise _Invalid(f"must be 0 or more; got {shown}")
        if number > self.max_value:
            raise _Invalid(f"must be at most {canonical_decimal(self.max_value)}; got {shown}")
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.decimal_places:
            raise _Invalid(f"has more than {self.decimal_places} decimal places; got {shown}")
        return shown


@dataclass(frozen=True)
class Boolean(Field):
    """A yes/no answer; ``None`` means nobody has answered yet."""

    def clean(self, value: object) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise _Invalid(f"must be true or false (without quotes); got {_describe(value)}")


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class IsoDate(Field):
    def clean(self, value: object) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value.isoformat()
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            raise _Invalid(f"must be a date written as YYYY-MM-DD, such as 2027-02-15; got {_describe(value)}")
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise _Invalid(f"is not a real calendar date; got {_quote(value)}") from None


def _choice_hint(choices_key: str, value: str) -> str:
    """Point at the intended value when someone typed a label or a different case ("Manual export")."""
    wanted = value.strip().lower().replace(" ", "_").replace("-", "_")
    for choice, label in CHOICES[choices_key]:
        if wanted in (choice, label.lower().replace(" ", "_").replace("-", "_")):
            return f" (did you mean {choice!r}?)"
    return ""


def _clean_choice(choices_key: str, value: object) -> str:
    values = [choice for choice, _label in CHOICES[choices_key]]
    if isinstance(value, str) and value in values:
        return value
    hint = _choice_hint(choices_key, value) if isinstance(value, str) else ""
    got = _quote(value) if isinstance(value, str) else _describe(value)
    raise _Invalid(f"must be one of: {', '.join(values)}; got {got}{hint}")


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
        return _clean_choice(self.choices_key, value)


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


def _checker(spec: FieldSpec) -> Field:
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
        return Group(spec.key, fields=_checkers(spec.fields), attr_prefix=spec.attr_prefix)
    if kind == kinds.ROWS:
        return Rows(spec.key, fields=_checkers(spec.fields), max_rows=spec.max_rows)
    raise ValueError(f"The catalogue field {spec.key!r} has an unknown kind {kind!r}.")


def _checkers(specs: tuple[FieldSpec, ...]) -> tuple[Field, ...]:
    return tuple(_checker(spec) for spec in specs)


PROJECT_FIELDS: tuple[Field, ...] = _checkers(catalogue.PROJECT_FIELDS)
SECTIONS: dict[str, tuple[Field, ...]] = {spec.key: _checkers(spec.fields) for spec in catalogue.SECTIONS}
OPEN_QUESTIONS = _checker(catalogue.OPEN_QUESTIONS)
ACCEPTED_RISKS = _checker(catalogue.ACCEPTED_RISKS)

# Counts where zero (or less) is nonsense: a workflow that never runs, a pilot of zero weeks, a call with no tokens.
# The step forms refuse these below one, and so do the cost step's live figures.
# Tier volumes are not here: a zero-volume tier is a valid plan (its cost per use shows as "—").
ONE_OR_MORE = frozenset(
    name for spec in catalogue.SECTIONS for name, item in catalogue.columns(spec.fields) if item.at_least_one
)

TOP_LEVEL_KEYS: tuple[str, ...] = ("schema", "project", *SECTION_KEYS, "open_questions", "accepted_risks")


def _unknown_key_message(key: object, known: list[str]) -> str:
    close = difflib.get_close_matches(str(key), known, n=1)
    if close:
        return f"is not a known field; did you mean {close[0]!r}?"
    return f"is not a known field here; known fields: {', '.join(known)}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Validator:
    """Walks the catalogue over the input, collecting every problem with its path."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    def fields(self, data: object, fields: tuple[Field, ...], path: str) -> dict[str, Any]:
        result = {item.key: item.empty() for item in fields}
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.error(path, f"must be an object {{...}}; got {_describe(data)}")
            return result
        known = [item.key for item in fields]
        for key in data:
            if key not in known:
                self.error(_join(path, str(key)), _unknown_key_message(key, known))
        for item in fields:
            result[item.key] = self.value(item, data.get(item.key), _join(path, item.key))
        return result

    def value(self, item: Field, value: object, path: str) -> Any:
        if isinstance(item, Group):
            return self.fields(value, item.fields, path)
        if isinstance(item, Rows):
            return self.rows(item, value, path)
        if isinstance(item, ChoiceList):
            return self.choice_list(item, value, path)
        try:
            return item.clean(value)
        except _Invalid as problem:
            self.error(path, problem.message)
            return item.empty()

    def rows(self, item: Rows, value: object, path: str) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"must be a list of rows [...]; got {_describe(value)}")
            return []
        if len(value) > item.max_rows:
            self.error(path, f"has {len(value)} rows; the limit is {item.max_rows}")
            return []
        return [self.fields(row, item.fields, f"{path}[{index}]") for index, row in enumerate(value)]

    def choice_list(self, item: ChoiceList, value: object, path: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f'must be a list of choices such as ["gdpr"]; got {_describe(value)}')
            return []
        chosen: set[str] = set()
        for index, entry in enumerate(value):
            try:
                chosen.add(_clean_choice(item.choices_key, entry))
            except _Invalid as problem:
                self.error(f"{path}[{index}]", problem.message)
        return [choice for choice, _label in CHOICES[item.choices_key] if choice in chosen]


def _check_accepted_risk_codes(risks: list[dict[str, Any]], validator: _Validator) -> None:
    first_seen: dict[str, int] = {}
    for index, risk in enumerate(risks):
        code = risk["code"]
        if not code:
            continue
        if code in first_seen:
            validator.error(
                f"accepted_risks[{index}].code",
                f"accepts {code!r} a second time (already at accepted_risks[{first_seen[code]}]); keep one row",
            )
        else:
            first_seen[code] = index


def validate_scope(data: object) -> dict[str, Any]:
    """Check a whole scope and return it normalized; raise ``ScopeValidationError`` listing every problem."""
    if not isinstance(data, dict):
        raise ScopeValidationError(
            [(TOP_LEVEL_PATH, f"the scope must be a JSON object {{...}}; got {_describe(data)}")]
        )
    schema = data.get("schema")
    if schema != SCHEMA_ID:
        # Against another schema every further message would mislead, so this one stands alone.
        message = (
            f'is missing; a scope file starts with "schema": "{SCHEMA_ID}"'
            if schema is None
            else f"must be {SCHEMA_ID!r}; got {_describe(schema)}. This file was not written for this version of "
            "Firstslice."
        )
        raise ScopeValidationError([("schema", message)])

    validator = _Validator()
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            validator.error(str(key), _unknown_key_message(key, list(TOP_LEVEL_KEYS)))
    scope: dict[str, Any] = {"schema": SCHEMA_ID}
    if data.get("project") is None:
        validator.error("project", "is missing; give at least the project's name and currency")
    scope["project"] = validator.fields(data.get("project"), PROJECT_FIELDS, "project")
    for section_key in SECTION_KEYS:
        scope[section_key] = validator.fields(data.get(section_key), SECTIONS[section_key], section_key)
    scope["open_questions"] = validator.rows(OPEN_QUESTIONS, data.get("open_questions"), "open_questions")
    scope["accepted_risks"] = validator.rows(ACCEPTED_RISKS, data.get("accepted_risks"), "accepted_risks")
    _check_accepted_risk_codes(scope["accepted_risks"], validator)
    if validator.errors:
        raise ScopeValidationError(validator.errors)
    return scope


def empty_scope(*, name: str = "", client: str = "", currency: str = "EUR") -> dict[str, Any]:
    """A scope with every key present and nothing answered: the starting point of a new project."""
    return {
        "schema": SCHEMA_ID,
        "project": {"name": name, "client": client, "currency": currency, "target_decision_date": None},
        **{key: {item.key: item.empty() for item in SECTIONS[key]} for key in SECTION_KEYS},
        "open_questions": [],
        "accepted_risks": [],
    }


def canonical_json(scope: dict[str, Any]) -> bytes:
    """The one byte form of a scope that frozen versions are hashed over (SHA-256)."""
    return json.dumps(scope, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
