"""Money as people read it, in any ISO 4217 currency Babel knows: the one formatter of pages, PDFs and the chart.

* ``format_money`` rounds half-up to the currency's minor unit (cents, none for JPY) with the currency's own sign and
  grouping (lakhs for INR, as written in India: ₹12,34,567.00); ``per_use`` keeps two significant digits of small
  amounts (0.0017, not 0.00); ``exact`` never rounds a typed price (0.395 per 1M tokens stays 0.395).
* ``format_compact_money`` is for axis labels: €500B, ¥1.2M.
* ``is_currency_code`` is the one test of a currency code: ISO 4217 codes in Babel's (CLDR) list, not any three
  letters.

Rounding is done here, on ``Decimal``, before Babel formats (Babel alone would round half-to-even).
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_scientific,
    get_currency_precision,
    get_currency_symbol,
    list_currencies,
)

__all__ = ["CURRENCY_EXAMPLES", "format_compact_money", "format_money", "is_currency_code", "money_locale"]

CURRENCY_EXAMPLES = "EUR, GBP, USD, JPY or INR"
DEFAULT_LOCALE = "en"
# Currencies whose own English locale groups digits differently from "en" (lakhs and crores).
CURRENCY_LOCALES = {"INR": "en_IN"}
_CONTEXT = decimal.Context(prec=60, rounding=ROUND_HALF_UP)
_KNOWN = frozenset(list_currencies())


def is_currency_code(code: object) -> bool:
    """An ISO 4217 code Babel knows ("EUR", "JPY", "INR"), in capitals; "XYZ" or "EURO" are not."""
    return isinstance(code, str) and len(code) == 3 and code.isascii() and code.isupper() and code in _KNOWN


def money_locale(currency: str) -> str:
    return CURRENCY_LOCALES.get(currency, DEFAULT_LOCALE)


def minor_digits(code: str) -> int:
    """Decimal places of the currency's minor unit: 2 for EUR, 0 for JPY, 3 for KWD; 2 when the code is unknown."""
    return get_currency_precision(code) if is_currency_code(code) else 2


def _spaced(text: str, code: str) -> str:
    """A currency without a sign of its own reads "XYZ 5.00", not "XYZ5.00"."""
    if code and text.startswith(code) and text[len(code) : len(code) + 1].isdigit():
        return f"{code} {text[len(code) :]}"
    if code and text.startswith(f"-{code}") and text[len(code) + 1 : len(code) + 2].isdigit():
        return f"-{code} {text[len(code) + 1 :]}"
    return text


def format_money(value: Decimal | None, currency: str, *, per_use: bool = False, exact: bool = False) -> str:
    """Display form of an amount; ``—`` when it is undefined (a gap, never zero)."""
    if value is None:
        return "—"
    code = (currency or "").strip().upper()
    digits = minor_digits(code)
    value = Decimal(value)
    if not value.is_finite():
        return "—"
    # Enough precision for every digit down to the minor unit, however large the amount someone typed.
    with decimal.localcontext(_CONTEXT) as context:
        context.prec = max(_CONTEXT.prec, value.adjusted() + digits + 4)
        minor = Decimal(1).scaleb(-digits)
        if exact:
            rounded = _at_least(value.normalize(), digits)
        elif per_use and value != 0 and abs(value) < 10 * minor:
            # Two significant digits, at most two more decimals than the currency has: 0.0012 stays 0.0012 rather
            # than collapsing to 0.00; half a yen stays ¥0.5.
            places = min(max(1 - value.adjusted(), digits), digits + 2)
            rounded = _at_least(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize(), digits)
        else:
            rounded = value.quantize(minor, rounding=ROUND_HALF_UP)
        if rounded == 0:
            rounded = abs(rounded)  # no "-£0.00"
        # Babel quantizes in the caller's context: inside this one, so 27-digit amounts do not raise InvalidOperation.
        locale = money_locale(code)
        if not code:
            return format_decimal(rounded, locale=locale, decimal_quantization=False, format=_plain_pattern(digits))
        text = format_currency(rounded, code, locale=locale, currency_digits=True, decimal_quantization=False)
    return _spaced(text, code)


def _at_least(number: Decimal, digits: int) -> Decimal:
    """A normalised number with at least the currency's minor-unit decimals: 1100 -> 1100.00, 0.395 stays."""
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -digits:
        return number.quantize(Decimal(1).scaleb(-digits))
    return number


def _plain_pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits else "")


def format_compact_money(value: Decimal, currency: str) -> str:
    """A short label for a chart axis (see ``_compact_money``), formatted in a context wide enough for any amount."""
    with decimal.localcontext(_CONTEXT):
        return _compact_money(value, currency)


def _compact_money(value: Decimal, currency: str) -> str:
    """A short label for a chart axis: €500B, ¥1.2M, ₹12.35L, £950, £2.50; without a currency, 1.2K.

    Beyond a thousand trillion (which no real cost model reaches) it turns scientific, €5E17, rather than print
    a long row of digits in front of the unit.
    """
    code = (currency or "").strip().upper()
    locale = money_locale(code)
    value = Decimal(value)
    if abs(value) < 1000:
        exact = value == value.to_integral_value()
        if not code:
            return format_decimal(value, locale=locale, format="#,##0" if exact else "#,##0.##")
        pattern = "¤#,##0" if exact else None
        text = format_currency(value, code, locale=locale, format=pattern, currency_digits=not exact)
        return _spaced(text, code)
    if abs(value) >= Decimal(10) ** 15:
        number = format_scientific(value, format="0.##E0", locale=locale)
        symbol = get_currency_symbol(code, locale=locale) if code else ""
        sign = "-" if number.startswith("-") else ""
        return _spaced(f"{sign}{symbol}{number.lstrip('-')}", code)
    if not code:
        return format_compact_decimal(value, format_type="short", locale=locale, fraction_digits=2)
    text = format_compact_currency(value, code, format_type="short", locale=locale, fraction_digits=2)
    return _spaced(text, code)
