"""Scope JSON v2 (``firstslice.scope/2``, DESIGN.md part 2): what changes from /1, and the upgrade of a /1 scope.

The cost model's per-call fields become model steps (one or more per use), with residency uplift, the peak-load
inputs and an optional self-hosted block; ``engagement`` and ``field_sources`` are new top-level keys. A /1 scope is
upgraded by moving its per-call fields into one step: the figures stay the same to the cent.
"""

from __future__ import annotations

import copy
from typing import Any

from scoping.scope.catalogue import SECTIONS as CATALOGUE_SECTIONS
from scoping.scope.fields import (
    TOKENS_MAX,
    FieldSpec,
    choice,
    count,
    currency,
    day,
    group,
    long_text,
    money,
    percent,
    quantity,
    rows,
    text,
)

SCHEMA_V1 = "firstslice.scope/1"
SCHEMA_V2 = "firstslice.scope/2"

# The /1 cost-model fields that a /2 cost model carries inside each step instead.
V1_CALL_FIELDS = (
    "model",
    "calls_per_use",
    "input_tokens",
    "output_tokens",
    "cached_share_pct",
    "input_price",
    "cached_input_price",
    "output_price",
)

STEP = rows(
    "steps",
    "Model steps",
    noun="model step",
    help="Each model call pattern one use makes, e.g. classify with a small model, then extract with a large one.",
    fields=(
        text("name", "Step", "What the step does. Example: “Classify the document”."),
        text("provider", "Provider", "Example: “OpenAI”, “Anthropic”, “self-hosted”."),
        text("model", "Model", "The model the step calls. Example: “gpt-4.1-mini”."),
        count("calls_per_use", "Calls per use", "How many calls of this step one use makes.", at_least_one=True),
        count("input_tokens", "Input tokens per call", max_value=TOKENS_MAX),
        percent("cached_share_pct", "Cached share of input (%)"),
        percent("cache_write_share_pct", "Share of input written to the cache (%)"),
        count("output_tokens", "Output tokens per call", max_value=TOKENS_MAX),
        count("reasoning_tokens", "Reasoning tokens per call", max_value=TOKENS_MAX),
        money("input_price", "Input price per 1M tokens"),
        money("cached_input_price", "Cached input price per 1M tokens"),
        money("cache_write_price", "Cache-write price per 1M tokens"),
        money("output_price", "Output price per 1M tokens"),
        money("reasoning_price", "Reasoning price per 1M tokens", "Blank: the output price."),
        percent("batch_share_pct", "Share of calls sent as batch (%)"),
        percent("batch_discount_pct", "Batch discount (%)"),
        day("deprecation_date", "Model retired on", "Copied from the price catalogue when the model is picked."),
    ),
)

COST_MODEL_V2_EXTRA: tuple[FieldSpec, ...] = (
    STEP,
    percent("residency_uplift_pct", "Data-residency uplift (%)", "Extra charged for in-region processing."),
    percent("peak_share_pct", "Share of a month's uses in the peak (%)"),
    count("rate_limit_rpm", "Rate limit (requests a minute)"),
    count("rate_limit_tpm", "Rate limit (tokens a minute)", max_value=10**12),
    group(
        "self_hosted",
        "Self-hosted alternative",
        attr_prefix="self_hosted_",
        fields=(
            count("gpu_count", "GPUs"),
            money("gpu_hourly_rate", "GPU hourly rate"),
            count("tokens_per_second_per_gpu", "Tokens a second per GPU", max_value=TOKENS_MAX),
            percent("utilisation_pct", "Utilisation (%)"),
            quantity("ops_hours_per_month", "Operations hours a month", what="a number of hours such as 10"),
        ),
    ),
)


def cost_model_v2_fields() -> tuple[FieldSpec, ...]:
    """The /2 cost model: the /1 fields without the per-call ones, then the step list and the v2 inputs."""
    v1 = next(spec for spec in CATALOGUE_SECTIONS if spec.key == "cost_model").fields
    return tuple(spec for spec in v1 if spec.key not in V1_CALL_FIELDS) + COST_MODEL_V2_EXTRA


ENGAGEMENT: tuple[FieldSpec, ...] = (
    choice("pricing", "Pricing"),
    currency("currency", "Currency"),
    percent("tax_rate_pct", "Tax rate (%)"),
    day("valid_until", "Valid until"),
    money("price", "Fixed price"),
    money("cap", "Cap"),
    rows(
        "phases",
        "Phases",
        noun="phase",
        fields=(text("name", "Phase"), day("starts", "Starts"), day("ends", "Ends"), long_text("goal", "Goal")),
    ),
    rows(
        "milestones",
        "Milestones",
        noun="milestone",
        fields=(
            text("name", "Milestone"),
            text("phase", "Phase"),
            day("due", "Due"),
            long_text("acceptance", "Acceptance"),
            percent("payment_pct", "Payment (%)"),
        ),
    ),
    rows(
        "deliverables",
        "Deliverables",
        noun="deliverable",
        fields=(
            text("name", "Deliverable"),
            text("format", "Format"),
            day("due", "Due"),
            long_text("acceptance", "Acceptance"),
        ),
    ),
    rows(
        "team",
        "Team",
        noun="team member",
        fields=(
            text("role", "Role"),
            text("person", "Person"),
            money("day_rate", "Day rate"),
            quantity("days", "Days", what="a number of days such as 12.5"),
        ),
    ),
    long_text("expenses", "Expenses"),
    long_text("assumptions", "Assumptions"),
    long_text("client_dependencies", "Client dependencies"),
    long_text("change_control", "Change control"),
    long_text("acceptance_procedure", "Acceptance procedure"),
    choice("run_costs_paid_by", "Run costs paid by"),
)


def upgrade_scope(scope: dict[str, Any]) -> dict[str, Any]:
    """A validated /1 scope as /2: the per-call fields become one model step; nothing else changes.

    The new inputs take the values that leave the figures as they were: no reasoning, no cache writes, no batch,
    no residency uplift. A /2 scope is returned unchanged (as a copy).
    """
    upgraded = copy.deepcopy(scope)
    if upgraded.get("schema") == SCHEMA_V2:
        return upgraded
    flat = upgraded.get("cost_model") or {}
    step = {
        "name": "Model call",
        "provider": "",
        "model": flat.get("model") or "",
        "calls_per_use": flat.get("calls_per_use"),
        "input_tokens": flat.get("input_tokens"),
        "cached_share_pct": flat.get("cached_share_pct"),
        "cache_write_share_pct": "0",
        "output_tokens": flat.get("output_tokens"),
        "reasoning_tokens": 0,
        "input_price": flat.get("input_price"),
        "cached_input_price": flat.get("cached_input_price"),
        "cache_write_price": None,
        "output_price": flat.get("output_price"),
        "reasoning_price": None,
        "batch_share_pct": "0",
        "batch_discount_pct": None,
        "deprecation_date": None,
    }
    cost_model = {key: value for key, value in flat.items() if key not in V1_CALL_FIELDS}
    cost_model.update(
        steps=[step],
        residency_uplift_pct="0",
        peak_share_pct=None,
        rate_limit_rpm=None,
        rate_limit_tpm=None,
        self_hosted={
            "gpu_count": None,
            "gpu_hourly_rate": None,
            "tokens_per_second_per_gpu": None,
            "utilisation_pct": None,
            "ops_hours_per_month": None,
        },
    )
    upgraded["schema"] = SCHEMA_V2
    upgraded["cost_model"] = cost_model
    upgraded.setdefault("engagement", {})
    upgraded.setdefault("field_sources", {})
    return upgraded
