"""The cost step's raw form values -> a scope-JSON ``cost_model`` for ``compute_costs``, plus plain-words problems.

The live figures run on whatever the person has typed so far, before anything is saved, so this parser must accept
anything and never raise. Blank stays blank (a gap, never zero); a value the step form would refuse on save is
reported here in the same terms and passed on as unusable, so the figures never run on a number the scope cannot
hold. Limits come from ``scoping.scope.schema`` and labels from the ``CostModel`` fields, so the messages name
exactly what the form shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from scoping.models.sections import CostModel
from scoping.scope.costs import TIERS
from scoping.scope.field_checks import DecimalNumber, Integer
from scoping.scope.money import CURRENCY_EXAMPLES, is_currency_code
from scoping.scope.numbers import NumberRefused, NumberRule, read_number
from scoping.scope.schema import ONE_OR_MORE, SECTIONS

UNUSABLE = "unusable"  # not a number, so compute_costs lists the field as invalid rather than missing

# Units shown beside each input and in gap messages; "{currency}" is filled in with the scope's currency.
FIELD_UNITS: dict[str, str] = {
    "calls_per_use": "calls per use",
    "input_tokens": "tokens per call",
    "output_tokens": "tokens per call",
    "cached_share_pct": "% of input tokens",
    "input_price": "{currency} per 1M tokens",
    "cached_input_price": "{currency} per 1M tokens",
    "output_price": "{currency} per 1M tokens",
    "retry_overhead_pct": "% extra calls",
    "retrieval_per_use": "{currency} per use",
    "other_per_use": "{currency} per use",
    "review_rate_pct": "% of uses",
    "review_minutes": "minutes per review",
    "reviewer_hourly_rate": "{currency} an hour",
    "hosting": "{currency} a month",
    "monitoring": "{currency} a month",
    "licences": "{currency} a month",
    "maintenance_hours": "hours a month",
    "maintenance_rate": "{currency} an hour",
    "manual_minutes": "minutes per use",
    "manual_hourly_rate": "{currency} an hour",
    "other_value_per_use": "{currency} per use",
    "tier_pilot": "uses a month",
    "tier_launch": "uses a month",
    "tier_scale": "uses a month",
}


def _numeric_specs() -> dict[str, Integer | DecimalNumber]:
    """Form field name -> the scope-schema field that holds its limits (tiers are stored as ``tier_<name>``)."""
    specs: dict[str, Integer | DecimalNumber] = {}
    for item in SECTIONS["cost_model"]:
        if isinstance(item, Integer | DecimalNumber):
            specs[item.key] = item
        elif getattr(item, "key", "") == "tiers":
            for tier in item.fields:
                specs[f"{item.attr_prefix}{tier.key}"] = tier
    return specs


NUMERIC_SPECS = _numeric_specs()
TIER_FIELDS = {f"tier_{tier}": tier for tier in TIERS}


def field_label(name: str) -> str:
    """The label the step form shows for a CostModel field."""
    return str(CostModel._meta.get_field(name).verbose_name)


def field_unit(name: str, currency: str) -> str:
    return FIELD_UNITS.get(name, "").format(currency=currency or "money")


def form_field_name(result_name: str) -> str:
    """``compute_costs`` names tiers ``tiers.pilot``; the form calls them ``tier_pilot``."""
    if result_name.startswith("tiers."):
        return "tier_" + result_name.removeprefix("tiers.")
    return result_name


@dataclass(frozen=True)
class InputProblem:
    """One input the figures cannot use, said in the form's own words, with its unit."""

    field: str
    label: str
    unit: str
    message: str

    def __str__(self) -> str:
        return f"{labelled(self.label, self.unit)}: {self.message}."


def labelled(label: str, unit: str) -> str:
    """ "Hosting per month (GBP a month)"; a label that already says "(%)" gives way to the fuller unit."""
    if not unit:
        return label
    if "%" in unit:
        label = label.removesuffix("(%)").strip()
    return f"{label} ({unit})"


@dataclass(frozen=True)
class CostInputs:
    cost_model: dict[str, Any]
    currency: str
    problems: tuple[InputProblem, ...]
    prices_as_of: date | None


def _as_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    return raw if isinstance(raw, str) else str(raw)


def number_rule(name: str, spec: Integer | DecimalNumber) -> NumberRule:
    """The reading rule of one cost input: the same the step form applies on save."""
    if isinstance(spec, Integer):
        return NumberRule(whole=True, min_value=1 if name in ONE_OR_MORE else 0, max_value=spec.max_value)
    return NumberRule(percent=spec.is_percent, max_value=spec.max_value, decimal_places=spec.decimal_places)


def _check_number(name: str, spec: Integer | DecimalNumber, text: str) -> tuple[str | None, str | None]:
    """(canonical value, None) when usable, else (None, what is wrong in plain words)."""
    try:
        number = read_number(text, number_rule(name, spec))
    except NumberRefused as refused:
        return None, refused.reason
    if number is None:  # pragma: no cover - blank text never reaches here
        return "", None
    if isinstance(spec, Integer):
        return str(int(number)), None
    return format(number.normalize(), "f") if number else "0", None


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def cost_inputs_from_form(data: Mapping[str, Any], *, default_currency: str) -> CostInputs:
    """Parse the cost step's field values (CostModel field names) without ever raising."""
    problems: list[InputProblem] = []
    currency_text = _as_text(data.get("currency")).strip()
    if is_currency_code(currency_text.upper()):
        currency = currency_text.upper()
    else:
        currency = (default_currency or "").strip().upper()
        if currency_text:
            problems.append(
                InputProblem(
                    field="currency",
                    label=field_label("currency"),
                    unit="",
                    message=(
                        f"must be an ISO 4217 currency code such as {CURRENCY_EXAMPLES}; "
                        f"showing {currency or 'no currency'}"
                    ),
                )
            )

    cost_model: dict[str, Any] = {"currency": currency, "model": _as_text(data.get("model")).strip()[:200]}
    tiers: dict[str, Any] = {}
    for name, spec in NUMERIC_SPECS.items():
        text = _as_text(data.get(name)).strip()
        value: str | None = ""
        if text:
            value, problem = _check_number(name, spec, text)
            if problem is not None:
                problems.append(
                    InputProblem(field=name, label=field_label(name), unit=field_unit(name, currency), message=problem)
                )
                value = UNUSABLE
        if name in TIER_FIELDS:
            tiers[TIER_FIELDS[name]] = value
        else:
            cost_model[name] = value
    cost_model["tiers"] = tiers
    prices_as_of = _parse_date(_as_text(data.get("prices_as_of")))
    cost_model["prices_as_of"] = prices_as_of.isoformat() if prices_as_of else None
    return CostInputs(cost_model=cost_model, currency=currency, problems=tuple(problems), prices_as_of=prices_as_of)


def form_values_of(section: CostModel) -> dict[str, str]:
    """A saved cost model as the form would post it, so saved and typed figures go through one parser."""
    names = ["currency", "model", "prices_as_of", *NUMERIC_SPECS]
    values = {}
    for name in names:
        value = getattr(section, name)
        if value is None:
            values[name] = ""
        elif isinstance(value, Decimal):
            values[name] = format(value.normalize(), "f") if value else "0"
        elif isinstance(value, date):
            values[name] = value.isoformat()
        else:
            values[name] = str(value)
    return values
