"""Reading LiteLLM's price file: exact per-1M prices, skipped modes, and clear errors for a broken file."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from scoping.scope.prices import PriceEntry, PriceFileError, parse_litellm_prices

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def sample_bytes() -> bytes:
    return (FIXTURES / "litellm_prices_sample.json").read_bytes()


def entry(model: str, **spec: object) -> str:
    return json.dumps({model: {"litellm_provider": "acme", "mode": "chat", **spec}})


def test_it_reads_token_priced_models_as_exact_per_million_prices() -> None:
    prices = parse_litellm_prices(sample_bytes())

    by_model = {price.model: price for price in prices}
    assert list(by_model) == [
        "gpt-4o",
        "claude-3-5-sonnet-20241022",
        "gemini/gemini-1.5-flash",
        "gpt-3.5-turbo-instruct",
        "text-embedding-3-small",
        "mistral/mistral-embed",
    ]
    # 2.5e-06 × 1e6 = 2.5; 1e-05 × 1e6 = 10; 1.25e-06 × 1e6 = 1.25
    assert by_model["gpt-4o"] == PriceEntry(
        provider="openai",
        model="gpt-4o",
        input_per_1m=Decimal("2.5"),
        cached_input_per_1m=Decimal("1.25"),
        output_per_1m=Decimal("10"),
        currency="USD",
    )
    # 3e-06 → 3; 1.5e-05 → 15; 3e-07 → 0.3
    claude = by_model["claude-3-5-sonnet-20241022"]
    assert (claude.input_per_1m, claude.cached_input_per_1m, claude.output_per_1m) == (
        Decimal("3"),
        Decimal("0.3"),
        Decimal("15"),
    )
    # 7.5e-08 → 0.075 exactly (as a float, 7.5e-08 * 1e6 is 0.07500000000000001)
    flash = by_model["gemini/gemini-1.5-flash"]
    assert str(flash.input_per_1m) == "0.075"
    assert flash.cached_input_per_1m is None
    assert by_model["gpt-3.5-turbo-instruct"].provider == "text-completion-openai"


def test_embeddings_cost_nothing_for_output() -> None:
    prices = {price.model: price for price in parse_litellm_prices(sample_bytes())}

    assert prices["text-embedding-3-small"].input_per_1m == Decimal("0.02")
    assert prices["text-embedding-3-small"].output_per_1m == Decimal("0")
    assert prices["mistral/mistral-embed"].output_per_1m == Decimal("0")


def test_it_skips_other_modes_and_unpriced_models_and_counts_them_but_not_the_sample_spec() -> None:
    prices = parse_litellm_prices(sample_bytes())

    assert prices.skipped == {
        "dall-e-3": "mode image_generation",
        "whisper-1": "mode audio_transcription",
        "openrouter/openrouter/auto": "no token prices",
    }
    assert prices.skipped_count == 3
    assert "sample_spec" not in {price.model for price in prices}


def test_a_text_file_gives_the_same_result_as_bytes() -> None:
    assert parse_litellm_prices(sample_bytes().decode()) == parse_litellm_prices(sample_bytes())


def test_whole_prices_come_out_without_an_exponent() -> None:
    prices = parse_litellm_prices(entry("big", input_cost_per_token=0.00006, output_cost_per_token=0.00012))

    assert str(prices[0].input_per_1m) == "60"
    assert str(prices[0].output_per_1m) == "120"


def test_a_negative_price_is_refused_with_the_model_and_field_named() -> None:
    with pytest.raises(PriceFileError) as raised:
        parse_litellm_prices((FIXTURES / "litellm_prices_malformed.json").read_bytes())

    assert (
        str(raised.value) == 'Model "acme/broken-model": output_cost_per_token must not be negative (it is -0.000002).'
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "The price file is not valid JSON: Expecting property name enclosed in double quotes at line 1"),
        ("[1, 2]", "The price file must be a JSON object keyed by model name."),
        ('{"m": "cheap"}', 'Model "m": the entry must be an object with prices, not str.'),
        (
            entry("m", input_cost_per_token="0.000001", output_cost_per_token=1e-6),
            'Model "m": input_cost_per_token must be a number, not "0.000001".',
        ),
        (
            entry("m", input_cost_per_token=True, output_cost_per_token=1e-6),
            'Model "m": input_cost_per_token must be a number, not true.',
        ),
        (
            '{"m": {"litellm_provider": "a", "mode": "chat", "input_cost_per_token": NaN, "output_cost_per_token": 0}}',
            'Model "m": input_cost_per_token must be a number, not "NaN".',
        ),
        (
            entry("m", input_cost_per_token=1e-6, output_cost_per_token=1e-6, cache_read_input_token_cost=-1),
            'Model "m": cache_read_input_token_cost must not be negative (it is -1).',
        ),
        (
            '{"m": {"mode": "chat", "input_cost_per_token": 0, "output_cost_per_token": 0}}',
            'Model "m": litellm_provider must name the provider.',
        ),
    ],
)
def test_a_malformed_file_is_refused_with_a_message_that_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(PriceFileError) as raised:
        parse_litellm_prices(text)

    assert str(raised.value).startswith(message)


def test_a_file_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(PriceFileError, match="not UTF-8"):
        parse_litellm_prices(b'{"m\xff": {}}')
