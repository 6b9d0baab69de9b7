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
    FieldSpec,
)
from scoping.scope.sections import engagement
from scoping.scope.sections.cost_model import LOAD_AND_RESIDENCY, PER_CALL_FIELDS, SELF_HOSTED, STEPS

SCHEMA_V1 = "firstslice.scope/1"
SCHEMA_V2 = "firstslice.scope/2"

# The /1 cost-model fields that a /2 cost model carries inside each step instead.
V1_CALL_FIELDS = tuple(spec.key for spec in PER_CALL_FIELDS)
STEP = STEPS
COST_MODEL_V2_EXTRA: tuple[FieldSpec, ...] = (STEPS, *LOAD_AND_RESIDENCY, SELF_HOSTED)


def cost_model_v2_fields() -> tuple[FieldSpec, ...]:
    """The /2 cost model, as the catalogue (and the database) holds it: model steps instead of per-call fields."""
    return next(spec for spec in CATALOGUE_SECTIONS if spec.key == "cost_model").fields


def cost_model_v1_fields() -> tuple[FieldSpec, ...]:
    """The /1 cost model: the per-call fields where the steps are, and none of the v2 inputs."""
    v1: list[FieldSpec] = []
    for spec in cost_model_v2_fields():
        if spec.key == STEPS.key:
            v1.extend(PER_CALL_FIELDS)
        elif spec not in COST_MODEL_V2_EXTRA:
            v1.append(spec)
    return tuple(v1)


ENGAGEMENT: tuple[FieldSpec, ...] = engagement.FIELDS


def upgrade_scope(scope: dict[str, Any]) -> dict[str, Any]:
    """A validated /1 scope as /2: the per-call fields become one model step; nothing else changes.

    The new inputs take the values that leave the figures as they were: no reasoning, no cache writes, no batch,
    no residency uplift. A cost model with none of its per-call fields answered gets no step (nothing to move).
    A /2 scope is returned unchanged (as a copy).
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
    answered = any(flat.get(name) not in (None, "") for name in V1_CALL_FIELDS)
    cost_model.update(
        steps=[step] if answered else [],
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
