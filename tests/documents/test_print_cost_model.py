"""The cost model as the PDF and the review page print it: model steps, their cost per use, peak load, self-hosting.

Pure tests: the print context and the HTML are built from the snapshot alone, without a database.
"""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string

from documents.print_context import build_document_context
from documents.rendering import render_scope_html
from scoping.scope import catalogue
from scoping.scope.catalogue import TIER_LABELS
from scoping.scope.costs import compute_costs, format_money
from scoping.scope.readiness import CODES
from scoping.scope.schema import validate_scope
from scoping.scope.schema_v2 import upgrade_scope
from tests.documents.test_render import example, meta

THREE_STEPS = Path(__file__).resolve().parent.parent / "fixtures" / "invoice-coding-three-steps.json"
STEP_PRINT_LABELS = {spec.printed for spec in catalogue.field_spec("cost_model", "steps").fields}


def three_steps() -> dict:
    return json.loads(THREE_STEPS.read_text(encoding="utf-8"))


def cost_blocks(snapshot: dict) -> list[dict]:
    context = build_document_context(snapshot=snapshot, meta=meta("draft"))
    (section,) = [section for section in context["sections"] if section["key"] == "cost_model"]
    return section["blocks"]


def table(blocks: list[dict], title: str) -> list[list[str]]:
    (block,) = [block for block in blocks if block["type"] == "table" and block["title"] == title]
    return [[cell["text"] for cell in row] for row in block["rows"]]


def sentences(blocks: list[dict]) -> list[str]:
    return [block["text"] for block in blocks if block["type"] == "verdict"]


def page_text(snapshot: dict) -> str:
    markup = render_scope_html(snapshot=snapshot, meta=meta("draft"))
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def test_a_three_step_scope_prints_every_step_with_its_model_and_its_cost_per_use():
    blocks = cost_blocks(three_steps())
    assert table(blocks, catalogue.field_spec("cost_model", "steps").printed) == [
        ["1. Classify the invoice", "OpenAI", "gpt-4.1-nano", "—", "1", "1,000", "20", "0"],
        ["2. Extract and code the lines", "Anthropic", "claude-sonnet-4", "—", "2", "3,000", "400", "0"],
        ["3. Check the coding", "OpenAI", "o4-mini", "—", "1", "2,000", "100", "1,500"],
    ]
    assert table(blocks, "Prices per 1M tokens, caching and batch") == [
        ["1. Classify the invoice", "£0.10", "50%", "£0.025", "0%", "—", "£0.40", "As output", "0%", "—"],
        ["2. Extract and code the lines", "£2.00", "40%", "£0.50", "10%", "£2.50", "£8.00", "As output", "0%", "—"],
        ["3. Check the coding", "£1.10", "0%", "—", "0%", "—", "£4.40", "As output", "60%", "50%"],
    ]
    # 1000 x (50% x 0.10 + 50% x 0.025) + 20 x 0.40 = 70.5 per 1M; 2 x 7,550 per 1M; 9,240 x (1 - 60% x 50%) per 1M.
    assert table(blocks, "Model cost of one use, by step (before retries)") == [
        ["1. Classify the invoice", "gpt-4.1-nano", "1", "£0.0001"],
        ["2. Extract and code the lines", "claude-sonnet-4", "2", "£0.015"],
        ["3. Check the coding", "o4-mini", "1", "£0.0065"],
        ["Residency uplift (10%)", "", "", "£0.0022"],
        ["Model inference per use", "", "", "£0.024"],
    ]


def test_each_step_cost_is_the_cost_models_own_figure_in_per_use_money():
    scope = three_steps()
    steps = compute_costs(scope["cost_model"]).steps.steps
    printed = table(cost_blocks(scope), "Model cost of one use, by step (before retries)")
    for step, row in zip(steps, printed[:3], strict=True):
        cost = Decimal(step.cost.numerator) / Decimal(step.cost.denominator)
        assert row[3] == format_money(cost, "GBP", per_use=True)


def test_the_step_tables_are_headed_with_the_catalogues_step_labels():
    blocks = [block for block in cost_blocks(three_steps()) if block.get("compact")]
    assert len(blocks) == 2
    for block in blocks:
        assert {column["label"] for column in block["columns"]} <= STEP_PRINT_LABELS


def test_a_frozen_v1_snapshot_prints_as_one_step_with_the_same_figures():
    snapshot = example()
    assert snapshot["schema"] == "firstslice.scope/1" and "steps" not in snapshot["cost_model"]
    v1 = compute_costs(snapshot["cost_model"])  # the /1 per-call formula, as the version was frozen with
    blocks = cost_blocks(snapshot)
    assert table(blocks, catalogue.field_spec("cost_model", "steps").printed) == [
        ["1. Model call", "—", "self-hosted 8B model", "—", "2", "3,000", "400", "0"],
    ]
    assert table(blocks, "Prices per 1M tokens, caching and batch") == [
        ["1. Model call", "£0.20", "0%", "£0.20", "0%", "—", "£0.60", "As output", "0%", "—"],
    ]
    # 2 calls x (3,000 x 0.20 + 400 x 0.60) per 1M; no uplift row, since the upgrade adds no uplift.
    assert table(blocks, "Model cost of one use, by step (before retries)") == [
        ["1. Model call", "self-hosted 8B model", "2", format_money(v1.per_use.inference, "GBP", per_use=True)],
        ["Model inference per use", "", "", "£0.0017"],
    ]
    assert table(blocks, "By volume tier") == [
        [
            TIER_LABELS[tier.tier],
            f"{tier.volume:,}",
            format_money(tier.cost_per_use, "GBP", per_use=True),
            format_money(tier.monthly_cost, "GBP"),
            format_money(tier.monthly_net, "GBP"),
        ]
        for tier in v1.tiers.values()
    ]
    assert table(blocks, "By volume tier")[1][2] == "£0.84"
    assert not [
        block for block in blocks if block.get("title") in ("Peak load at scale volume", "Self-hosted against the API")
    ]


def test_a_v1_snapshot_and_its_upgrade_print_the_same_cost_section():
    assert cost_blocks(example()) == cost_blocks(upgrade_scope(example()))


def test_the_peak_load_is_checked_against_the_stated_rate_limits():
    blocks = cost_blocks(three_steps())
    # 9,000 uses x 5% x 4 calls / 43,200 minutes; 11,420 tokens a use.
    assert table(blocks, "Peak load at scale volume") == [
        ["Requests a minute", "0.042", "1,000", "Within the limit"],
        ["Tokens a minute", "119", "100,000", "Within the limit"],
    ]
    assert not [text for text in sentences(blocks) if "rate limit" in text]


def test_a_peak_over_a_stated_limit_is_said_plainly():
    scope = three_steps()
    scope["cost_model"].update(rate_limit_rpm=10, tiers={"pilot": 1500, "launch": 6000, "scale": 9_000_000})
    blocks = cost_blocks(scope)
    assert table(blocks, "Peak load at scale volume") == [
        ["Requests a minute", "41.7", "10", "Over the limit"],
        ["Tokens a minute", "118,959", "100,000", "Over the limit"],
    ]
    peak_warning, capacity_warning = [block for block in blocks if block.get("warning")]
    assert capacity_warning["text"].endswith("Its capacity does not cover the scale tier: it would need more GPUs.")
    assert peak_warning["text"] == (
        "At scale volume the busiest minute is over the provider's stated rate limit: 41.7 requests a minute "
        "against a limit of 10 and 118,959 tokens a minute against a limit of 100,000. Raise the limit with the "
        "provider, spread the load or queue the work before launch."
    )


def test_without_a_peak_share_or_limits_no_peak_check_is_printed():
    scope = three_steps()
    scope["cost_model"].update(peak_share_pct=None, rate_limit_rpm=None, rate_limit_tpm=None)
    blocks = cost_blocks(scope)
    assert not [block for block in blocks if block.get("title") == "Peak load at scale volume"]
    assert not [text for text in sentences(blocks) if "peak" in text.lower()]


def test_the_self_hosted_alternative_is_compared_with_the_api_steps():
    blocks = cost_blocks(three_steps())
    # 1 GPU x £2.50 x 730 + 20 h x £95; 1 x 1,000 tokens/s x 50% x 2,592,000 s; 11,420 tokens x 9,000 uses.
    assert table(blocks, "Self-hosted against the API") == [
        ["Self-hosted cost a month (GPUs and operations)", "£3,725.00"],
        ["API model cost a month at scale volume, with retries", "£220.65"],
        ["Self-hosted capacity a month", "1,296,000,000 tokens"],
        ["Tokens needed at scale volume", "102,780,000 tokens"],
        ["Cheaper than the API from", "151,939 uses a month"],
    ]
    assert (
        "Self-hosting becomes cheaper from 151,939 uses a month, so at scale volume the API stays cheaper. "
        "Its capacity covers the scale tier."
    ) in sentences(blocks)
    (inputs,) = [
        block for block in blocks if block.get("title") == catalogue.field_spec("cost_model", "self_hosted").printed
    ]
    assert [(item["label"], item["text"]) for row in inputs["rows"] for item in row if item] == [
        ("Number of GPUs", "1"),
        ("Utilisation", "50%"),
        ("GPU rate", "£2.50 an hour"),
        ("Operations", "20 hours a month"),
        ("Throughput per GPU", "1,000 tokens a second"),
    ]


def test_self_hosting_short_of_capacity_at_scale_is_a_warning():
    scope = three_steps()
    scope["cost_model"]["self_hosted"]["tokens_per_second_per_gpu"] = 10
    blocks = cost_blocks(scope)
    (warning,) = [block for block in blocks if block.get("warning")]
    assert warning["text"].endswith("Its capacity does not cover the scale tier: it would need more GPUs.")


def test_an_incomplete_self_hosted_block_names_its_gaps_in_words():
    scope = three_steps()
    scope["cost_model"]["self_hosted"].update(gpu_hourly_rate=None, utilisation_pct=None)
    assert "The self-hosted alternative cannot be compared yet: missing gpu rate, utilisation." in sentences(
        cost_blocks(scope)
    )


def test_the_pdf_html_and_the_review_page_show_the_steps_and_the_checks():
    scope = three_steps()
    scope["cost_model"]["rate_limit_rpm"] = 0
    text = page_text(scope)
    for name, model in (("Classify the invoice", "gpt-4.1-nano"), ("Check the coding", "o4-mini")):
        assert f"{name} OpenAI {model}" in text
    assert "Requests a minute 0.042 0 Over the limit" in text
    assert "the busiest minute is over the provider's stated rate limit" in text
    assert not [code for code in CODES if code in text]  # the client reads words, never a rule code
    context = build_document_context(snapshot=scope, meta=meta("draft"))
    (section,) = [section for section in context["sections"] if section["key"] == "cost_model"]
    review = render_to_string("scoping/review/section_blocks.html", {"section": section})
    assert "claude-sonnet-4" in review and "£0.0065" in review
    assert 'class="small fw-semibold text-danger">At scale volume the busiest minute' in review


def test_a_retired_model_prints_its_retirement_date_next_to_it():
    scope = three_steps()
    scope["cost_model"]["steps"][1]["deprecation_date"] = "2027-11-30"
    rows = table(cost_blocks(scope), catalogue.field_spec("cost_model", "steps").printed)
    assert rows[1][2:4] == ["claude-sonnet-4", "30 Nov 2027"]


def test_a_step_with_a_gap_shows_the_gap_and_no_made_up_cost():
    scope = three_steps()
    scope["cost_model"]["steps"][2]["output_price"] = None
    validate_scope(json.loads(json.dumps(scope)))
    blocks = cost_blocks(scope)
    assert table(blocks, "Model cost of one use, by step (before retries)")[2:] == [
        ["3. Check the coding", "o4-mini", "1", "—"],
        ["Residency uplift (10%)", "", "", "—"],
        ["Model inference per use", "", "", "—"],
    ]
    prices = [block for block in blocks if block.get("title") == "Prices per 1M tokens, caching and batch"][0]
    output, reasoning = prices["rows"][2][6], prices["rows"][2][7]
    assert (output["text"], output["missing"]) == ("—", True)
    assert (reasoning["text"], reasoning["missing"]) == ("—", True)  # no output price to fall back on


def test_a_cost_model_that_is_not_an_object_prints_as_empty():
    blocks = cost_blocks({"cost_model": "not a mapping"})
    assert table(blocks, catalogue.field_spec("cost_model", "steps").printed) == []
