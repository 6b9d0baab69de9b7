"""Writes for the model price catalogue: importing price lists, and copying one model's prices into a scope.

Copying, not linking: a scope keeps the prices it was given, so a later catalogue edit never changes a scope, let
alone a frozen version of one. A pick fills one model step of the cost model (or adds one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from scoping.models import ModelPrice
from scoping.models.sections import CostModel, ModelStep
from scoping.projects.services import activity_record, readiness_refresh
from scoping.review import hooks as workflow_hooks
from scoping.scope.prices import OPTIONAL_PRICES, PriceEntry, PriceFileError
from scoping.scope.schema import MAX_ROWS, MONEY_DECIMAL_PLACES, MONEY_MAX, SHORT_TEXT_MAX
from scoping.steps.cost_inputs import text_of

CATALOGUE_PLACES = Decimal(1).scaleb(-ModelPrice._meta.get_field("input_per_1m").decimal_places)
CATALOGUE_MAX = Decimal(10) ** (
    ModelPrice._meta.get_field("input_per_1m").max_digits - ModelPrice._meta.get_field("input_per_1m").decimal_places
)
SCOPE_PLACES = Decimal(1).scaleb(-MONEY_DECIMAL_PLACES)
EXCHANGE_RATE_MAX = Decimal(1_000_000)
# The catalogue columns an import writes (besides currency and source).
CATALOGUE_FIELDS = ("input_per_1m", "output_per_1m", *OPTIONAL_PRICES, "deprecation_date")


@dataclass(frozen=True)
class PriceImportCounts:
    created: int
    updated: int
    unchanged: int
    skipped: int

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped (not token-priced chat, completion or embedding models)"
        )


class PriceCopyConflict(Exception):
    """The cost model was saved by someone else since the page was loaded; nothing was copied."""


class PriceCopyRefused(ValueError):
    """The prices cannot be copied as asked (e.g. a currency mismatch without an exchange rate)."""


def _catalogue_price(entry: PriceEntry, field: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    rounded = value.quantize(CATALOGUE_PLACES, rounding=ROUND_HALF_UP)
    if rounded >= CATALOGUE_MAX:
        raise PriceFileError(f'Model "{entry.model}": {field} per 1M tokens is too large to store ({value}).')
    return rounded


def _checked(entry: PriceEntry) -> tuple[tuple[str, str], dict[str, object]]:
    """Key and values of one entry, or PriceFileError naming the model and field that cannot be stored."""
    provider_limit = ModelPrice._meta.get_field("provider").max_length
    model_limit = ModelPrice._meta.get_field("model").max_length
    if len(entry.provider) > provider_limit:
        raise PriceFileError(f'Model "{entry.model}": litellm_provider is longer than {provider_limit} characters.')
    if not entry.model.strip() or len(entry.model) > model_limit:
        raise PriceFileError(f'Model "{entry.model[:60]}": the model name must be 1 to {model_limit} characters.')
    values = {
        "input_per_1m": _catalogue_price(entry, "input_cost_per_token", entry.input_per_1m),
        "cached_input_per_1m": _catalogue_price(entry, "cache_read_input_token_cost", entry.cached_input_per_1m),
        "output_per_1m": _catalogue_price(entry, "output_cost_per_token", entry.output_per_1m),
        **{
            field: _catalogue_price(entry, key, getattr(entry, field))
            for field, key in OPTIONAL_PRICES.items()
            if field != "cached_input_per_1m"
        },
        "deprecation_date": entry.deprecation_date,
        "currency": entry.currency.upper(),
    }
    return (entry.provider, entry.model), values


@transaction.atomic
def model_prices_import(
    *,
    entries: Iterable[PriceEntry],
    effective_date: date,
    source: str,
    actor=None,
    skipped: int = 0,
) -> PriceImportCounts:
    """Create or update one catalogue row per (provider, model) at ``effective_date``; all or nothing.

    Rows of other dates are left alone, so the catalogue keeps its price history. Raises ``PriceFileError``
    before writing anything when an entry cannot be stored.
    """
    checked: dict[tuple[str, str], dict[str, object]] = {}
    for entry in entries:
        key, values = _checked(entry)
        checked[key] = values  # a repeated model: the last one in the file wins
    existing = {
        (row.provider, row.model): row
        for row in ModelPrice.objects.select_for_update().filter(
            effective_date=effective_date, model__in={model for _provider, model in checked}
        )
    }
    source = source[: ModelPrice._meta.get_field("source").max_length]
    to_create, to_update = [], []
    now = timezone.now()
    for (provider, model), values in checked.items():
        row = existing.get((provider, model))
        if row is None:
            to_create.append(
                ModelPrice(provider=provider, model=model, effective_date=effective_date, source=source, **values)
            )
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.source = source
            row.updated_at = now  # bulk_update does not apply auto_now
            to_update.append(row)
    ModelPrice.objects.bulk_create(to_create)
    ModelPrice.objects.bulk_update(to_update, [*CATALOGUE_FIELDS, "currency", "source", "updated_at"])
    counts = PriceImportCounts(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(checked) - len(to_create) - len(to_update),
        skipped=skipped,
    )
    if not (counts.created or counts.updated):
        return counts  # nothing was written, so there is nothing to audit (a repeated seed stays quiet)
    activity_record(
        actor=actor,
        verb="model_prices_imported",
        object_repr=f"{source} ({effective_date.isoformat()})",
        changes={
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "skipped": counts.skipped,
        },
    )
    return counts


def _scope_price(value: Decimal | None, rate: Decimal) -> Decimal | None:
    if value is None:
        return None  # a missing catalogue price stays a gap in the scope, never a zero
    converted = (value * rate).quantize(SCOPE_PLACES, rounding=ROUND_HALF_UP)
    if converted > MONEY_MAX:
        raise PriceCopyRefused("The converted price is larger than a scope can hold; check the exchange rate.")
    return converted


def price_scope_currency(cost_model: CostModel) -> str:
    """The currency the scope's amounts are in: the cost model's own, else the project's."""
    return (cost_model.currency or cost_model.project.currency or "").upper()


@dataclass(frozen=True)
class PricesCopied:
    cost_model: CostModel
    step: ModelStep  # the step the prices went into (for a repeated pick, the step that already held them)
    step_index: int  # its place in the cost model's list, from 0, as the step form's ``steps-<index>-`` inputs
    created: bool  # a new step was added for the prices
    changed: bool
    notice: str | None = None  # e.g. "the scope went back to draft", from the review workflow


# What a pick writes into a model step; the step's name, calls and tokens stay the person's.
COPIED_STEP_FIELDS = (
    "provider",
    "model",
    "input_price",
    "cached_input_price",
    "cache_write_price",
    "output_price",
    "reasoning_price",
    "batch_discount_pct",
    "deprecation_date",
)
# A step the pick adds starts as a plain call: no reasoning, no cache writes, no batch. Its calls per use stay blank,
# for the person to give, because the figures must not count a call nobody said is made.
NEW_STEP_DEFAULTS = {"reasoning_tokens": 0, "cache_write_share_pct": Decimal(0), "batch_share_pct": Decimal(0)}


def _exchange_rate(*, price_currency: str, scope_currency: str, exchange_rate: Decimal | None) -> Decimal:
    if price_currency == scope_currency or not scope_currency:
        return Decimal(1)
    if exchange_rate is None:
        raise PriceCopyRefused(
            f"These prices are in {price_currency} and this scope is in {scope_currency}. Give the exchange rate "
            f"(how many {scope_currency} one {price_currency} buys) to convert them."
        )
    if not (Decimal(0) < exchange_rate <= EXCHANGE_RATE_MAX):
        raise PriceCopyRefused("The exchange rate must be more than 0 and at most 1,000,000.")
    return exchange_rate


def _batch_discount(price: ModelPrice) -> Decimal | None:
    """The catalogue's batch discount on input, when it gives a batch price; a batch price above the normal one
    is no discount a step can hold, so it stays blank too."""
    discount = price.batch_discount_pct
    if discount is None or not (Decimal(0) <= discount <= 100):
        return None
    return discount


def step_values(price: ModelPrice, rate: Decimal, price_currency: str) -> dict[str, object]:
    """The values a pick of ``price`` writes into a model step, converted at ``rate``.

    The provider carries the conversion ("openai, USD prices × 0.79"), so the drift watch applies the same rate when
    it re-costs the step (``scoping.scope.drift.step_reference``).
    """
    provider = price.provider
    if rate != 1:
        provider += f", {price_currency} prices × {rate.normalize():f}"
    return {
        "provider": provider[:SHORT_TEXT_MAX],
        "model": price.model[:SHORT_TEXT_MAX],
        "input_price": _scope_price(price.input_per_1m, rate),
        "cached_input_price": _scope_price(price.cached_input_per_1m, rate),
        "cache_write_price": _scope_price(price.cache_write_per_1m, rate),
        "output_price": _scope_price(price.output_per_1m, rate),
        "reasoning_price": _scope_price(price.reasoning_per_1m, rate),
        "batch_discount_pct": _batch_discount(price),
        "deprecation_date": price.deprecation_date,
    }


def _step_number(index: int) -> str:
    return f"step {index + 1}"


@transaction.atomic
def model_prices_copy(
    *,
    cost_model: CostModel,
    price: ModelPrice,
    step_index: int | None,
    expected_revision: int,
    actor,
    exchange_rate: Decimal | None = None,
    request: HttpRequest | None = None,
) -> PricesCopied:
    """Copy a catalogue row's model, provider, prices and retirement date into one model step of the cost model.

    ``step_index`` is the step's place in the list (from 0) or None for a new step at the end. The cost model takes
    the prices' date (and their currency, when it has none). ``exchange_rate`` converts the catalogue's currency into
    the scope's (1 unit of the price currency = rate units of the scope currency); it is required when the two
    differ, because a USD price in a GBP scope would silently skew every figure.

    Compare-and-set on the cost model's ``revision``, like a step save, and every copy bumps it: raises
    ``PriceCopyConflict`` when someone saved the section since ``expected_revision`` was read, and
    ``PriceCopyRefused`` for a step that is no longer there; either way nothing is copied.
    """
    current = CostModel.objects.select_for_update().select_related("project").get(pk=cost_model.pk)
    project = current.project
    refusal = workflow_hooks.edit_refusal(user=actor, project=project)
    if refusal:
        raise PriceCopyRefused(refusal)  # as a step save is refused: a client may not withdraw a frozen scope
    steps = list(current.steps.all())
    if step_index is not None and not 0 <= step_index < len(steps):
        raise PriceCopyRefused(
            f"Model {_step_number(step_index)} is no longer in the cost model (it was removed since you opened the "
            "page), so no prices were copied. Reload the step, then pick the model again."
        )
    if step_index is None and len(steps) >= MAX_ROWS:
        raise PriceCopyRefused(
            f"The cost model already has {len(steps)} model steps, the most it can hold. Pick the model into one of "
            "them, or remove one first."
        )
    scope_currency = price_scope_currency(current)
    price_currency = (price.currency or "").upper()
    rate = _exchange_rate(price_currency=price_currency, scope_currency=scope_currency, exchange_rate=exchange_rate)

    new_step = step_values(price, rate, price_currency)
    section_values: dict[str, object] = {"prices_as_of": price.effective_date}
    if not current.currency and (scope_currency or price_currency):
        # Make the currency the prices are now in explicit in the scope.
        section_values["currency"] = scope_currency or price_currency
    index = len(steps) if step_index is None else step_index
    before = steps[step_index] if step_index is not None else None
    changes = {
        name: [text_of(getattr(current, name)), text_of(value)]
        for name, value in section_values.items()
        if getattr(current, name) != value
    }
    for name, value in new_step.items():
        held = getattr(before, name) if before is not None else None
        if held != value:
            changes[f"steps[{index}].{name}"] = [text_of(held), text_of(value)]
    if before is not None and not changes:
        # The step already holds exactly these prices: nothing to write, so no conflict either.
        return PricesCopied(cost_model=current, step=before, step_index=index, created=False, changed=False)
    if current.revision != expected_revision:
        raise PriceCopyConflict(
            "Someone saved the cost model since you opened it, so no prices were copied. Reload the step to see "
            "their changes, then pick the model again."
        )
    actor_or_none = actor if getattr(actor, "is_authenticated", False) else None
    CostModel.objects.filter(pk=current.pk, revision=expected_revision).update(
        **section_values, revision=F("revision") + 1, updated_at=timezone.now(), updated_by=actor_or_none
    )
    if before is None:
        position = steps[-1].position + 1 if steps else 0
        step = ModelStep.objects.create(cost_model=current, position=position, **NEW_STEP_DEFAULTS, **new_step)
    else:
        ModelStep.objects.filter(pk=before.pk).update(**new_step)
        step = ModelStep.objects.get(pk=before.pk)
    current.refresh_from_db()
    changes["catalogue_row"] = ["", f"{price.provider}/{price.model} as of {price.effective_date.isoformat()}"]
    if rate != 1:
        changes["exchange_rate"] = ["", f"1 {price_currency} = {rate.normalize():f} {scope_currency}"]
    activity_record(
        actor=actor,
        verb="model_prices_copied",
        request=request,
        project=project,
        obj=current,
        object_repr=f"{price.model} ({new_step['provider']}) into {'a new ' if before is None else ''}"
        f"model {_step_number(index)}",
        changes=changes,
    )
    readiness_refresh(project=project)
    notice = workflow_hooks.after_scope_edit(project=project, actor=actor)
    return PricesCopied(
        cost_model=current, step=step, step_index=index, created=before is None, changed=True, notice=notice
    )
