"""The one reader of numbers people type: every numeric input on the steps and the cost step goes through here.

People write numbers the way they write them on paper: "1,100", "1 100", "1100.50", "12.5 %", "£40", "١٢٣" or
"１２３". ``read_number`` turns such text into a ``Decimal`` (or ``None`` when blank) under one set of rules, and
refuses anything else with a plain-words reason; ``NumberRefused.for_field`` puts the field's name in front, so the
step form (on save) and the live cost figures (as people type) say exactly the same thing.

Rules, in order: any Unicode decimal digit counts as its digit; spaces, no-break spaces and apostrophes inside the
number are digit grouping; commas are thousands separators when they group by three ("1,100", "12,345.50"), and a
lone comma otherwise is a decimal comma ("0,395"); a currency sign in front and a "%" after a percentage are
ignored; "1e9" is read as 1000000000. The result is then held to the field's limits (never negative, at least 1
where zero is nonsense, at most the limit, whole where it must be, at most so many decimal places).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["MAX_TYPED_LENGTH", "NumberRefused", "NumberRule", "read_number"]

MAX_TYPED_LENGTH = 40  # longer than any number the scope can hold; refused before parsing

_GROUPING = {" ", "\u00a0", "\u202f", "\u2009", "'", "\u2019", "_", "\u066c"}  # spaces, apostrophes, Arabic ٬
_MINUS = {"-", "\u2212", "\u2013", "\ufe63", "\uff0d"}
_DECIMAL_POINT = {".", "\u066b", "\uff0e"}  # point, Arabic ٫, full-width ．
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$")
_THOUSANDS_COMMAS = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")


class NumberRefused(ValueError):
    """What is wrong with a typed number, in plain words, without the field's name (``for_field`` adds it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def for_field(self, label: str) -> str:
        return f"{label}: {self.reason}." if label else f"{self.reason[:1].upper()}{self.reason[1:]}."


@dataclass(frozen=True)
class NumberRule:
    """The limits of one numeric input."""

    whole: bool = False
    percent: bool = False
    min_value: int = 0  # 0 or 1: where zero is nonsense, 1
    max_value: Decimal | int | None = None
    decimal_places: int | None = None

    @property
    def example(self) -> str:
        if self.percent:
            return "12.5"
        return "9000 or 9,000" if self.whole else "1100 or 1,100.50"


def _normalised(text: str) -> str:
    """Digits of every script as ASCII, grouping spaces removed, one kind of minus and of decimal point."""
    out = []
    for char in unicodedata.normalize("NFKC", text):
        if char in _GROUPING or unicodedata.category(char) == "Zs":
            continue
        if char in _MINUS:
            out.append("-")
        elif char in _DECIMAL_POINT:
            out.append(".")
        elif char == "\u060c":  # Arabic comma
            out.append(",")
        elif char.isdecimal():
            out.append(str(unicodedata.decimal(char)))
        else:
            out.append(char)
    return "".join(out)


def _strip_signs(text: str, *, percent: bool) -> str:
    """A leading currency sign ("£40", "-€5") and, for percentages, a trailing "%" are not part of the number."""
    sign = ""
    if text[:1] in "+-":
        sign, text = text[0], text[1:]
    while text and unicodedata.category(text[0]) == "Sc":
        text = text[1:]
    if text[:1] in "+-" and not sign:
        sign, text = text[0], text[1:]
    if percent:
        text = text.removesuffix("%")
    return sign + text


def read_number(typed: object, rule: NumberRule) -> Decimal | None:
    """The number typed, ``None`` when blank; raises ``NumberRefused`` when it is not a usable number for ``rule``."""
    text = "" if typed is None else str(typed)
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_TYPED_LENGTH:
        raise NumberRefused("is too long to be a number; type the figure with digits only")
    shown = text
    text = _strip_signs(_normalised(text), percent=rule.percent)
    if _THOUSANDS_COMMAS.match(text):
        text = text.replace(",", "")
    elif _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    if not _PLAIN.match(text):
        raise NumberRefused(f"“{shown}” is not a number; type digits, such as {rule.example}")
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only lets valid decimals through
        raise NumberRefused(f"“{shown}” is not a number; type digits, such as {rule.example}") from None
    if number == 0:
        number = Decimal(0)  # "-0" and "0e5" are plain zero
    if number < 0 and rule.min_value < 1:
        raise NumberRefused("cannot be negative; enter 0 or more")
    if number < rule.min_value:
        raise NumberRefused(
            "must be 1 or more: zero or a negative number makes no sense here. Leave it blank if you don't know yet"
        )
    if rule.percent and number > 100:
        raise NumberRefused("is a percentage, so it must be between 0 and 100")
    if rule.max_value is not None and number > rule.max_value:
        raise NumberRefused(f"is more than the limit of {rule.max_value:,}")
    if rule.whole:
        if number != number.to_integral_value():
            raise NumberRefused("must be a whole number, such as 9000")
        number = Decimal(int(number))
    elif rule.decimal_places is not None:
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > rule.decimal_places:
            raise NumberRefused(f"has more than {rule.decimal_places} decimal places")
    return number
