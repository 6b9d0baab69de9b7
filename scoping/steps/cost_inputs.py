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

from scoping.models.sections import CostModel, ModelStep
from scoping.scope.costs import TIERS
from scoping.scope.field_checks import DecimalNumber, Group, Integer, Rows
from scoping.scope.money import CURRENCY_EXAMPLES, is_currency_code
from scoping.scope.numbers import NumberRefused, NumberRule, read_number
from scoping.scope.schema import MAX_ROWS, ONE_OR_MORE, SECTIONS, SHORT_TEXT_MAX

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
    "reasoning_tokens": "tokens per call",
    "cache_write_share_pct": "% of input tokens",
    "cache_write_price": "{currency} per 1M tokens",
    "reasoning_price": "{currency} per 1M tokens",
    "batch_share_pct": "% of calls",
    "batch_discount_pct": "% off batch calls",
    "residency_uplift_pct": "% on model calls",
    "peak_share_pct": "% of a month's uses",
    "rate_limit_rpm": "requests a minute",
    "rate_limit_tpm": "tokens a minute",
    "self_hosted_gpu_count": "GPUs",
    "self_hosted_gpu_hourly_rate": "{currency} an hour",
    "self_hosted_tokens_per_second_per_gpu": "tokens a second",
    "self_hosted_utilisation_pct": "% of the hours",
    "self_hosted_ops_hours_per_month": "hours a month",
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


def _numeric_specs() -> tuple[dict[str, Integer | DecimalNumber], dict[str, tuple[str, str]], dict[str, Any]]:
    """Form field name -> the scope-schema field holding its limits; grouped fields (``tier_pilot``,
    ``self_hosted_gpu_count``) -> (group, field); and a model step's numeric fields by name."""
    specs: dict[str, Integer | DecimalNumber] = {}
    grouped: dict[str, tuple[str, str]] = {}
    step_specs: dict[str, Integer | DecimalNumber] = {}
    for item in SECTIONS["cost_model"]:
        if isinstance(item, Integer | DecimalNumber):
            specs[item.key] = item
        elif isinstance(item, Group):
            for sub in item.fields:
                specs[f"{item.attr_prefix}{sub.key}"] = sub
                grouped[f"{item.attr_prefix}{sub.key}"] = (item.key, sub.key)
        elif isinstance(item, Rows) and item.key == STEPS_KEY:
            step_specs = {sub.key: sub for sub in item.fields if isinstance(sub, Integer | DecimalNumber)}
    return specs, grouped, step_specs


STEPS_KEY = "steps"
NUMERIC_SPECS, GROUPED_FIELDS, STEP_NUMERIC_SPECS = _numeric_specs()
TIER_FIELDS = {f"tier_{tier}": tier for tier in TIERS}
STEP_TEXT_FIELDS = ("name", "provider", "model")
_COST_MODEL_COLUMNS = frozenset(field.name for field in CostModel._meta.get_fields())


def field_label(name: str) -> str:
    """The label the step form shows for a CostModel field, or for a model step's ("steps-1-input_price")."""
    position, step_field = step_field_of(name)
    if step_field:
        return f"Model step {position + 1}: {ModelStep._meta.get_field(step_field).verbose_name}"
    if name in _COST_MODEL_COLUMNS:
        return str(CostModel._meta.get_field(name).verbose_name)
    return str(ModelStep._meta.get_field(name).verbose_name)  # a step's field, in the units legend


def step_field_of(name: str) -> tuple[int, str]:
    """ "steps-1-input_price" -> (1, "input_price"); any other name -> (-1, "")."""
    prefix, _dash, rest = name.partition("-")
    index, _dash, field = rest.partition("-")
    if prefix == STEPS_KEY and index.isdigit() and field:
        return int(index), field
    return -1, ""


def field_unit(name: str, currency: str) -> str:
    step_field = step_field_of(name)[1]
    return FIELD_UNITS.get(step_field or name, "").format(currency=currency or "money")


def form_field_name(result_name: str) -> str:
    """``compute_costs`` names fields by their scope path; the form's names differ for groups and rows:
    ``tiers.pilot`` is ``tier_pilot``, ``self_hosted.gpu_count`` is ``self_hosted_gpu_count`` and
    ``steps[1].input_price`` is ``steps-1-input_price``."""
    if result_name.startswith("tiers."):
        return "tier_" + result_name.removeprefix("tiers.")
    if result_name.startswith("self_hosted."):
        return "self_hosted_" + result_name.removeprefix("self_hosted.")
    if result_name.startswith(f"{STEPS_KEY}[") and "]." in result_name:
        index, _bracket, field = result_name.removeprefix(f"{STEPS_KEY}[").partition("].")
        return f"{STEPS_KEY}-{index}-{field}"
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
        at_least_one = (step_field_of(name)[1] or name) in ONE_OR_MORE
        return NumberRule(whole=True, min_value=1 if at_least_one else 0, max_value=spec.max_value)
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

    cost_model: dict[str, Any] = {"currency": currency, "tiers": {}, "self_hosted": {}}
    for name, spec in NUMERIC_SPECS.items():
        value = _checked(name, spec, data.get(name), currency, problems)
        if name in GROUPED_FIELDS:
            group, key = GROUPED_FIELDS[name]
            cost_model[group][key] = value
        else:
            cost_model[name] = value
    cost_model[STEPS_KEY] = _steps_from_form(data, currency, problems)
    prices_as_of = _parse_date(_as_text(data.get("prices_as_of")))
    cost_model["prices_as_of"] = prices_as_of.isoformat() if prices_as_of else None
    return CostInputs(cost_model=cost_model, currency=currency, problems=tuple(problems), prices_as_of=prices_as_of)


def _checked(name: str, spec: Integer | DecimalNumber, raw: Any, currency: str, problems: list[InputProblem]) -> str:
    """The canonical text of one number, "" when blank, ``UNUSABLE`` (with its problem recorded) when refused."""
    text = _as_text(raw).strip()
    if not text:
        return ""
    value, problem = _check_number(name, spec, text)
    if problem is not None:
        problems.append(
            InputProblem(field=name, label=field_label(name), unit=field_unit(name, currency), message=problem)
        )
        return UNUSABLE
    return value or ""


def _row_count(data: Mapping[str, Any]) -> int:
    try:
        return max(0, min(int(_as_text(data.get(f"{STEPS_KEY}-TOTAL_FORMS"))), MAX_ROWS))
    except ValueError:
        return 0


def _steps_from_form(data: Mapping[str, Any], currency: str, problems: list[InputProblem]) -> list[dict[str, Any]]:
    """The model steps as posted (the row formset ``steps``): removed and wholly blank rows left out, as on save."""
    steps = []
    for index in range(_row_count(data)):
        prefix = f"{STEPS_KEY}-{index}-"
        if _as_text(data.get(prefix + "DELETE")).strip().lower() in ("on", "true", "1"):
            continue
        texts = {name: _as_text(data.get(prefix + name)).strip()[:SHORT_TEXT_MAX] for name in STEP_TEXT_FIELDS}
        raw_numbers = {name: _as_text(data.get(prefix + name)).strip() for name in STEP_NUMERIC_SPECS}
        if not any(texts.values()) and not any(raw_numbers.values()):
            continue
        step: dict[str, Any] = dict(texts)
        found: list[InputProblem] = []
        for name, spec in STEP_NUMERIC_SPECS.items():
            step[name] = _checked(prefix + name, spec, raw_numbers[name], currency, found)
        problems.extend(found)
        deprecation = _parse_date(_as_text(data.get(prefix + "deprecation_date")))
        step["deprecation_date"] = deprecation.isoformat() if deprecation else None
        steps.append(step)
    return steps


def text_of(value: Any) -> str:
    """A stored value as the form shows it and the audit trail records it: 0.4, 2026-10-15, "" for none."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def form_values_of(section: CostModel) -> dict[str, str]:
    """A saved cost model as the form would post it, so saved and typed figures go through one parser."""
    values = {name: text_of(getattr(section, name)) for name in ("currency", "prices_as_of", *NUMERIC_SPECS)}
    steps = list(section.steps.all()) if section.pk else []
    # The row formset's management form too, so the values post back as the step page would post them.
    values[f"{STEPS_KEY}-TOTAL_FORMS"] = values[f"{STEPS_KEY}-INITIAL_FORMS"] = str(len(steps))
    for index, step in enumerate(steps):
        for name in (*STEP_TEXT_FIELDS, *STEP_NUMERIC_SPECS, "deprecation_date"):
            values[f"{STEPS_KEY}-{index}-{name}"] = text_of(getattr(step, name))
    return values
