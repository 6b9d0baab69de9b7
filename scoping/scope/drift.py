"""Drift watch (pure): re-cost a scope at today's catalogue prices and compare it with what was signed.

A scope copies its prices when a model is picked, so a later catalogue change never alters it; this module says what
the change would mean. For a signed scope the yardstick is its *cost envelope*: the launch cost per use from the
price as signed up to the worst of the ×2 what-ifs printed on the proposal (``sensitivity``). Rising above that top
is what the owners must hear about; a price that falls is good news and raises nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from scoping.scope.costs import compute_costs
from scoping.scope.sensitivity import sensitivity


@dataclass(frozen=True)
class CataloguePrice:
    """The latest catalogue prices of one model, per 1M tokens, in the catalogue's currency."""

    provider: str
    model: str
    currency: str
    input_per_1m: Decimal
    cached_input_per_1m: Decimal | None
    output_per_1m: Decimal
    deprecation_date: date | None = None
    cache_write_per_1m: Decimal | None = None
    reasoning_per_1m: Decimal | None = None

    @property
    def fingerprint(self) -> str:
        """Identifies this set of prices: a new fingerprint is a new catalogue change, alerted once."""
        parts = (
            self.provider,
            self.model,
            self.currency,
            self.input_per_1m,
            self.cached_input_per_1m,
            self.output_per_1m,
        )
        parts += (self.cache_write_per_1m, self.reasoning_per_1m, self.deprecation_date)
        return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Recost:
    """A scope's cost model at catalogue prices, or why it cannot be re-costed."""

    cost_model: dict[str, Any] | None
    changed: bool
    refused: str = ""


# How the price picker names what it copied. Into a model step: the catalogue's model name as the step's model and
# its provider as the step's provider, "openai" or with a conversion "openai, USD prices × 0.79"
# (``scoping.steps.prices.model_prices_copy``). A /1 cost model (and a step upgraded from one) held both in its model
# text: "gpt-4o (openai)", "gpt-4o (openai), USD prices × 0.79".
_CONVERSION = r"(?:, (?P<currency>[A-Z]{3}) prices × (?P<rate>[0-9.]+))?"
_PICKED = re.compile(rf"^(?P<model>.+) \((?P<provider>[^()]+)\){_CONVERSION}$")
_PROVIDER = re.compile(rf"^(?P<provider>.+?){_CONVERSION}$")
PRICE_PLACES = Decimal("0.000001")  # the scope's money places, as the picker rounds


@dataclass(frozen=True)
class ModelReference:
    provider: str
    model: str
    rate: Decimal | None  # the exchange rate the picker applied, if any


def _rate(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        rate = Decimal(text)
    except InvalidOperation:
        return None
    return rate if rate.is_finite() and rate > 0 else None


def model_reference(text: Any) -> ModelReference:
    """Which catalogue model a /1 model text names; a text the picker did not write names the model itself."""
    text = str(text or "").strip()
    match = _PICKED.match(text)
    if match is None:
        return ModelReference(provider="", model=text, rate=None)
    return ModelReference(provider=match.group("provider"), model=match.group("model"), rate=_rate(match.group("rate")))


def step_reference(step: Mapping[str, Any]) -> ModelReference:
    """Which catalogue model a model step calls: its model, and its provider with the rate the picker noted there.

    A step with no provider may hold a /1 model text ("gpt-4o (openai)"), as an upgraded scope's single step does.
    """
    provider = str(step.get("provider") or "").strip()
    if not provider:
        return model_reference(step.get("model"))
    match = _PROVIDER.match(provider)
    model = str(step.get("model") or "").strip()
    if match is None:  # unreachable for a non-empty provider, but a reference is always returned
        return ModelReference(provider=provider, model=model, rate=None)
    return ModelReference(provider=match.group("provider"), model=model, rate=_rate(match.group("rate")))


def uses(reference: ModelReference, price: CataloguePrice) -> bool:
    """The reference names this catalogue model (a provider, when named, in any letter case: "OpenAI" is "openai")."""
    return reference.model == price.model and reference.provider.casefold() in ("", price.provider.casefold())


def _same(scope_value: Any, catalogue_value: Decimal | None) -> bool:
    if catalogue_value is None:
        return scope_value in (None, "")
    try:
        return Decimal(str(scope_value)) == catalogue_value
    except (ArithmeticError, ValueError):
        return False


def _converted(value: Decimal | None, rate: Decimal) -> Decimal | None:
    return None if value is None else (value * rate).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


def _put(target: dict[str, Any], key: str, value: Decimal | None) -> bool:
    if _same(target.get(key), value):
        return False
    target[key] = None if value is None else format(value.normalize(), "f")
    return True


def _currency(cost_model: Mapping[str, Any], project_currency: str) -> str:
    return str(cost_model.get("currency") or project_currency or "").strip().upper()


def recost(cost_model: Mapping[str, Any], price: CataloguePrice, *, project_currency: str = "") -> Recost:
    """The cost model with the catalogue's prices for ``price`` put in, wherever that model is used.

    /1 scopes have one model (``cost_model.model``); /2 scopes a model per step, named by its model and provider
    (``step_reference``). The exchange rate the picker applied is applied again; prices in another currency than the
    scope's with no rate are refused with a reason, because a guessed rate is never used. Only prices count as a
    change here: a step's retirement date is not a cost (``retirement_refresh`` puts it in).
    """
    currency = _currency(cost_model, project_currency)
    steps = cost_model.get("steps") if isinstance(cost_model.get("steps"), list) else None
    places = [step for step in steps if isinstance(step, Mapping)] if steps is not None else [cost_model]
    references = [
        step_reference(place) if steps is not None else model_reference(place.get("model")) for place in places
    ]
    if not any(uses(reference, price) for reference in references):
        return Recost(None, False, refused=f"the scope does not use {price.model}")
    updated = dict(cost_model)
    new_steps = []
    changed = False
    for place, reference in zip(places, references, strict=True):
        target = dict(place)
        if uses(reference, price):
            rate = reference.rate or Decimal(1)
            if reference.rate is None and price.currency.upper() != currency:
                return Recost(
                    None,
                    False,
                    refused=f"the catalogue prices {price.model} in {price.currency.upper()} and the scope is in "
                    f"{currency or 'no currency'}; with no exchange rate it is not re-costed",
                )
            changed |= _put(target, "input_price", _converted(price.input_per_1m, rate))
            changed |= _put(target, "cached_input_price", _converted(price.cached_input_per_1m, rate))
            changed |= _put(target, "output_price", _converted(price.output_per_1m, rate))
            if steps is not None:
                changed |= _put(target, "cache_write_price", _converted(price.cache_write_per_1m, rate))
                changed |= _put(target, "reasoning_price", _converted(price.reasoning_per_1m, rate))
        if steps is None:
            updated.update(target)
        else:
            new_steps.append(target)
    if steps is not None:
        updated["steps"] = new_steps
    return Recost(updated, changed)


def retirement_refresh(
    steps: list[Mapping[str, Any]], price: CataloguePrice, *, provider_named: bool = False
) -> dict[int, date | None]:
    """The steps (by position) that call ``price``'s model and whose retirement date is not the catalogue's, with the
    catalogue's date. The currency plays no part: a model retires on the same day whatever its prices are in.

    ``provider_named``: only steps that name the provider count, because the catalogue lists the model under several
    providers, whose dates may differ (a step naming none would otherwise take each date in turn, every day).
    """
    refreshed: dict[int, date | None] = {}
    for position, step in enumerate(steps):
        reference = step_reference(step)
        if not uses(reference, price) or (provider_named and not reference.provider):
            continue
        held = step.get("deprecation_date")
        held_text = held.isoformat() if isinstance(held, date) else str(held or "")
        wanted = price.deprecation_date.isoformat() if price.deprecation_date else ""
        if held_text != wanted:
            refreshed[position] = price.deprecation_date
    return refreshed


@dataclass(frozen=True)
class EnvelopeCheck:
    """The launch cost per use at catalogue prices against the envelope the scope was signed with."""

    signed_cost_per_use: Decimal | None
    envelope_top: Decimal | None
    new_cost_per_use: Decimal | None

    @property
    def left_envelope(self) -> bool:
        return (
            self.envelope_top is not None
            and self.new_cost_per_use is not None
            and self.new_cost_per_use > self.envelope_top
        )


def envelope_check(signed_cost_model: Mapping[str, Any], repriced_cost_model: Mapping[str, Any]) -> EnvelopeCheck:
    """Compare the re-costed launch cost per use with the top of the signed ×2 sensitivity band."""
    rows = sensitivity(signed_cost_model)
    figures = [row.cost_per_use for row in rows if row.cost_per_use is not None]
    return EnvelopeCheck(
        signed_cost_per_use=rows[0].cost_per_use if rows else None,
        envelope_top=max(figures) if figures else None,
        new_cost_per_use=compute_costs(repriced_cost_model).tiers["launch"].cost_per_use,
    )


def retired_before(price: CataloguePrice, handover: date | None) -> bool:
    """The catalogue says the model is retired before the scope's handover date."""
    return price.deprecation_date is not None and handover is not None and price.deprecation_date < handover
