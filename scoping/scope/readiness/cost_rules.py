"""The cost model gate: volumes, the inputs the cost per use needs, break-even, and how fresh the prices are."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from scoping.scope.costs import NUMERIC_FIELDS, TIERS, compute_costs, format_money
from scoping.scope.readiness.findings import Gap
from scoping.scope.readiness.lenient import (
    as_count,
    as_date,
    as_mapping,
    as_text,
    field_name,
)

PRICE_AGE_LIMIT_DAYS = 180

# The cost_model fields the per-use, fixed and value figures are computed from (DESIGN.md "Cost model").
COST_INPUTS: tuple[str, ...] = NUMERIC_FIELDS


def cost_model_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    tiers = as_mapping(section.get("tiers"))
    volumes = {tier: as_count(tiers.get(tier)) for tier in TIERS}
    if not any(volumes.values()):
        gaps.append(
            Gap(
                code="cost_model.no_volume_tiers",
                field="tiers",
                message=(
                    "Give the monthly uses at pilot, launch and scale. Cost per use only means something at a "
                    "volume, and volume is what breaks the economics of most pilots."
                ),
            )
        )

    result = compute_costs(section)
    currency = result.currency or as_text(as_mapping(scope.get("project")).get("currency")).upper()
    missing = [field for field in result.missing if field in COST_INPUTS]
    invalid = [field for field in result.invalid if field in COST_INPUTS]
    incomplete = None in (result.per_use, result.fixed_monthly, result.value_per_use)
    if missing or invalid or incomplete:
        parts = []
        if missing:
            parts.append("fill in " + ", ".join(field_name("cost_model", field) for field in missing))
        if invalid:
            parts.append(
                "correct "
                + ", ".join(field_name("cost_model", field) for field in invalid)
                + " (a plain number, not negative"
                ", percentages at most 100)"
            )
        gaps.append(
            Gap(
                code="cost_model.missing_inputs",
                field=(missing + invalid + ["calls_per_use"])[0],
                message=(
                    "The cost per use cannot be worked out yet: "
                    + ("; ".join(parts) or "some figures are missing")
                    + ". A gap is never counted as zero."
                ),
            )
        )
    if result.never_breaks_even and result.per_use is not None and result.value_per_use is not None:
        value = format_money(result.value_per_use, currency, per_use=True)
        variable = format_money(result.per_use.variable, currency, per_use=True)
        gaps.append(
            Gap(
                code="cost_model.never_breaks_even",
                field="manual_minutes",
                message=(
                    f"Each use is worth {value} but costs {variable} to run, so more volume only loses more money: "
                    "the volume breaks the economics. Lower the cost per use (fewer calls, a cheaper model, less "
                    "review) or aim at work with more value per use."
                ),
            )
        )

    prices_as_of = as_date(section.get("prices_as_of"))
    if prices_as_of is None:
        gaps.append(
            Gap(
                code="cost_model.prices_undated",
                field="prices_as_of",
                message=(
                    "Give the date the model prices were taken from. Prices change often; an undated cost model "
                    "cannot be trusted."
                ),
            )
        )
    elif (today - prices_as_of).days > PRICE_AGE_LIMIT_DAYS:
        gaps.append(
            Gap(
                code="cost_model.stale_prices",
                field="prices_as_of",
                message=(
                    f"The prices date from {prices_as_of.isoformat()}, more than {PRICE_AGE_LIMIT_DAYS} days ago. "
                    "Check them against the current price list before relying on the cost per use."
                ),
            )
        )

    scale = volumes.get("scale")
    break_even = result.break_even_volume
    above_scale = bool(break_even is not None and scale and break_even > scale)
    if above_scale:
        gaps.append(
            Gap(
                code="cost_model.break_even_above_scale",
                field="tiers",
                message=(
                    f"The system pays for itself only above {break_even:,} uses a month, more than the "
                    f"{scale:,} expected at scale: at the volumes planned it never pays back. Reduce fixed costs, "
                    "raise the value per use or confirm a larger volume."
                ),
            )
        )
    launch = result.tiers.get("launch")
    # Only when the plan pays back at some planned volume: otherwise a blocker above already says it never does.
    if (
        not (result.never_breaks_even or above_scale)
        and launch is not None
        and launch.volume
        and launch.monthly_net is not None
        and launch.monthly_net < 0
    ):
        gaps.append(
            Gap(
                code="cost_model.launch_loses_money",
                field="tiers",
                message=(
                    f"At launch ({launch.volume:,} uses a month) the system costs "
                    f"{format_money(-launch.monthly_net, currency)} a month more than the work it saves. Say who "
                    "funds the gap until volume grows, or lower the fixed costs."
                ),
            )
        )
    return gaps
