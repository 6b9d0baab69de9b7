"""Reads model prices from LiteLLM's ``model_prices_and_context_window.json`` into per-1M-token Decimal prices.

The admin imports this file into the ``ModelPrice`` catalogue. LiteLLM quotes USD per token as JSON numbers
(``2.5e-06``); they are read as Decimals straight from the JSON text, so that no binary float ever sits between
the file and the catalogue, and scaled to per-1M-token prices exactly.
"""

from __future__ import annotations

import decimal
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

SUPPORTED_MODES = frozenset({"chat", "completion", "embedding"})
SPEC_KEY = "sample_spec"
TOKENS_PER_PRICE_UNIT = 1_000_000

_CONTEXT = decimal.Context(prec=60)


class PriceFileError(ValueError):
    """The price file cannot be imported; the message names the model key and the field at fault."""


@dataclass(frozen=True)
class PriceEntry:
    provider: str
    model: str
    input_per_1m: Decimal
    cached_input_per_1m: Decimal | None
    output_per_1m: Decimal
    currency: str = "USD"
    # Price catalogue v2 (LiteLLM's optional fields): None where the file does not give them.
    cache_write_per_1m: Decimal | None = None
    reasoning_per_1m: Decimal | None = None
    batch_input_per_1m: Decimal | None = None
    batch_output_per_1m: Decimal | None = None
    deprecation_date: date | None = None


# LiteLLM's optional per-token prices, by the PriceEntry field they fill.
OPTIONAL_PRICES = {
    "cached_input_per_1m": "cache_read_input_token_cost",
    "cache_write_per_1m": "cache_creation_input_token_cost",
    "reasoning_per_1m": "output_cost_per_reasoning_token",
    "batch_input_per_1m": "input_cost_per_token_batches",
    "batch_output_per_1m": "output_cost_per_token_batches",
}


class PriceList(list[PriceEntry]):
    """The imported entries, plus which models were left out (unsupported mode or no token prices) and why."""

    def __init__(self, entries: list[PriceEntry], skipped: dict[str, str]) -> None:
        super().__init__(entries)
        self.skipped = dict(skipped)

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)


def _load(data: bytes | str) -> Any:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise PriceFileError(f"The price file is not UTF-8 text ({error.reason} at byte {error.start}).") from None
    try:
        # NaN and Infinity are not JSON; Python would accept them, so they come back as strings and fail below.
        return json.loads(data, parse_float=Decimal, parse_constant=str)
    except json.JSONDecodeError as error:
        raise PriceFileError(
            f"The price file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None


def _per_million(model: str, field: str, raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        raise PriceFileError(f'Model "{model}": {field} must be a number, not {json.dumps(raw, default=str)}.')
    if raw < 0:
        raise PriceFileError(f'Model "{model}": {field} must not be negative (it is {raw}).')
    with decimal.localcontext(_CONTEXT):
        value = (Decimal(raw) * TOKENS_PER_PRICE_UNIT).normalize()
        # normalize() writes 10 as 1E+1; a plain integer is what a person (and a DecimalField) expects.
        return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


def _deprecation_date(model: str, raw: Any) -> date | None:
    """LiteLLM's ``deprecation_date`` ("2026-06-30"); anything else stops the import naming the model."""
    if raw is None or raw == "":
        return None
    try:
        if isinstance(raw, str):
            return date.fromisoformat(raw.strip())
    except ValueError:
        pass
    raise PriceFileError(
        f'Model "{model}": deprecation_date must be a date such as 2026-06-30, not {json.dumps(raw, default=str)}.'
    )


def parse_litellm_prices(data: bytes | str) -> PriceList:
    """Token-priced chat, completion and embedding models of a LiteLLM price file, in file order.

    Raises ``PriceFileError`` for a file that is not a JSON object, an entry that is not an object, or a token
    price that is negative or not a number. Other modes (image generation, audio, rerank …) and models without
    token prices are skipped and listed in ``.skipped``.
    """
    document = _load(data)
    if not isinstance(document, dict):
        raise PriceFileError("The price file must be a JSON object keyed by model name.")

    entries: list[PriceEntry] = []
    skipped: dict[str, str] = {}
    for model, spec in document.items():
        if model == SPEC_KEY:
            continue
        if not isinstance(spec, dict):
            raise PriceFileError(
                f'Model "{model}": the entry must be an object with prices, not {type(spec).__name__}.'
            )
        mode = spec.get("mode", "chat")
        if mode not in SUPPORTED_MODES:
            skipped[model] = f"mode {mode}"
            continue
        input_raw = spec.get("input_cost_per_token")
        output_raw = spec.get("output_cost_per_token")
        if output_raw is None and mode == "embedding":
            output_raw = 0  # embeddings produce no output tokens
        if input_raw is None or output_raw is None:
            skipped[model] = "no token prices"
            continue
        provider = spec.get("litellm_provider")
        if not isinstance(provider, str) or not provider.strip():
            raise PriceFileError(f'Model "{model}": litellm_provider must name the provider.')
        optional = {
            field: None if spec.get(key) is None else _per_million(model, key, spec.get(key))
            for field, key in OPTIONAL_PRICES.items()
        }
        entries.append(
            PriceEntry(
                provider=provider.strip(),
                model=model,
                input_per_1m=_per_million(model, "input_cost_per_token", input_raw),
                output_per_1m=_per_million(model, "output_cost_per_token", output_raw),
                deprecation_date=_deprecation_date(model, spec.get("deprecation_date")),
                **optional,
            )
        )
    return PriceList(entries, skipped)
