"""What-if lines for the cost model: the cost per use at launch if the riskiest assumptions turn out twice as bad.

The ×2 band is what the proposal calls the cost envelope; it reuses ``compute_costs`` on a changed copy of the
inputs, so the two can never disagree on arithmetic.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scoping.scope.costs import _CONTEXT, HUNDRED, _is_blank, _parse_number, compute_costs


@dataclass(frozen=True)
class SensitivityRow:
    """One what-if line: the variable cost and the cost per use at launch volume under a changed assumption."""

    label: str
    variable: Decimal | None
    cost_per_use: Decimal | None
    monthly_cost: Decimal | None


def _doubled(
    cost_model: Mapping[str, Any],
    fields: tuple[str, ...],
    *,
    cap: Decimal | None = None,
) -> dict[str, Any]:
    """A copy of the cost model with the given fields doubled, in every model step too (a v2 cost model);
    unusable fields are left for compute to report."""
    changed = _with_doubled(cost_model, fields, cap)
    steps = cost_model.get("steps")
    if isinstance(steps, list):
        changed["steps"] = [_with_doubled(step, fields, cap) if isinstance(step, Mapping) else step for step in steps]
    return changed


def _with_doubled(values: Mapping[str, Any], fields: tuple[str, ...], cap: Decimal | None) -> dict[str, Any]:
    changed = dict(values)
    with decimal.localcontext(_CONTEXT):
        for name in fields:
            value = _parse_number(values.get(name)) if not _is_blank(values.get(name)) else None
            if value is None or value < 0:
                continue
            doubled = value * 2
            changed[name] = str(min(doubled, cap) if cap is not None else doubled)
    return changed


SENSITIVITY_CASES: tuple[tuple[str, tuple[str, ...], Decimal | None], ...] = (
    ("As entered", (), None),
    # Reasoning tokens and the v2 prices sit in model steps; a /1 cost model simply has none of them.
    ("Tokens ×2", ("input_tokens", "output_tokens", "reasoning_tokens"), None),
    (
        "Prices ×2",
        ("input_price", "cached_input_price", "cache_write_price", "output_price", "reasoning_price"),
        None,
    ),
    ("Review rate ×2", ("review_rate_pct",), HUNDRED),
)


def sensitivity(cost_model: Mapping[str, Any]) -> list[SensitivityRow]:
    """What the cost per use at launch volume becomes if the riskiest assumptions turn out twice as bad."""
    if not isinstance(cost_model, Mapping):
        cost_model = {}
    rows = []
    for label, fields, cap in SENSITIVITY_CASES:
        result = compute_costs(_doubled(cost_model, fields, cap=cap))
        launch = result.tiers["launch"]
        rows.append(
            SensitivityRow(
                label=label,
                variable=result.variable,
                cost_per_use=launch.cost_per_use,
                monthly_cost=launch.monthly_cost,
            )
        )
    return rows
