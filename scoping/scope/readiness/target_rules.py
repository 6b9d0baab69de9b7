"""The production target and first slice gates: what the system is for, and how the pilot proves it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from scoping.scope.readiness.findings import Gap
from scoping.scope.readiness.lenient import (
    as_count,
    as_mapping,
    as_number,
    as_rows,
    given,
    no_person,
    placeholder_in,
)

PILOT_WEEKS_LIMIT = 12
# The scale tier of the cost model and the production volume describe the same thing; beyond this ratio one is wrong.
VOLUME_MISMATCH_RATIO = 2


def _real_value(value: Any) -> bool:
    """A metric's baseline or target: given, and no placeholder anywhere in it ("TBD", "6 (tbc)")."""
    return given(value) and not placeholder_in(value)


def production_target_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    if not given(section.get("workflow_name")):
        gaps.append(
            Gap(
                code="production_target.no_workflow",
                field="workflow_name",
                message=(
                    "Name one workflow the system serves end to end, e.g. 'Code incoming supplier invoices'. "
                    "Without a single named workflow the pilot has no production target to grow into."
                ),
            )
        )
    volume = as_number(section.get("volume_per_month"))
    if volume is None or volume <= 0:
        gaps.append(
            Gap(
                code="production_target.no_volume",
                field="volume_per_month",
                message=(
                    "State how many times a month the workflow runs in production. Volume drives cost, capacity "
                    "and whether the system pays for itself."
                ),
            )
        )
    metrics = as_rows(section.get("success_metrics"))
    if not any(
        given(row.get("metric")) and _real_value(row.get("baseline")) and _real_value(row.get("target"))
        for row in metrics
    ):
        values = [row.get(key) for row in metrics for key in ("baseline", "target")]
        stand_ins = [placeholder_in(value) for value in values if placeholder_in(value)]
        quoted = f" ('{stand_ins[0]}' is a placeholder, not a value)" if stand_ins else ""
        gaps.append(
            Gap(
                code="production_target.no_success_metric",
                field="success_metrics",
                message=(
                    "Add at least one success metric with today's baseline and the target, e.g. 'minutes per "
                    f"invoice: 6 today, 1.5 target'{quoted}. Without both values nobody can show the system works."
                ),
            )
        )
    scale = as_count(as_mapping(as_mapping(scope.get("cost_model")).get("tiers")).get("scale"))
    if (
        volume is not None
        and volume > 0
        and scale
        and (scale > volume * VOLUME_MISMATCH_RATIO or scale * VOLUME_MISMATCH_RATIO < volume)
    ):
        gaps.append(
            Gap(
                code="production_target.volume_mismatch",
                field="volume_per_month",
                message=(
                    f"Production is expected to run {volume.normalize():,f} times a month, but the cost model prices "
                    f"{scale:,} uses a month at scale: more than {VOLUME_MISMATCH_RATIO}\u00d7 apart. One of the two "
                    "is wrong, and the cost per use depends on it."
                ),
            )
        )
    if not given(section.get("latency_target")):
        gaps.append(
            Gap(
                code="production_target.no_latency_target",
                field="latency_target",
                message=(
                    "Say how fast a result must arrive, e.g. 'within 15 minutes'. It decides the architecture and "
                    "what users will accept."
                ),
            )
        )
    if not given(section.get("availability_target")):
        gaps.append(
            Gap(
                code="production_target.no_availability_target",
                field="availability_target",
                message=(
                    "Say when the system must be up, e.g. '99% on working days'. It decides support hours and "
                    "what happens when it is down."
                ),
            )
        )
    return gaps


def first_slice_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    if not given(section.get("description")):
        gaps.append(
            Gap(
                code="first_slice.no_description",
                field="description",
                message=(
                    "Describe the first slice: which part of the production workflow it runs for real, for whom. "
                    "Without it the pilot drifts into a demo."
                ),
            )
        )
    criteria = as_rows(section.get("acceptance_criteria"))
    if not any(given(row.get("criterion")) for row in criteria):
        gaps.append(
            Gap(
                code="first_slice.no_acceptance_criterion",
                field="acceptance_criteria",
                message=(
                    "Add at least one acceptance criterion, with a threshold, that decides whether the slice "
                    "passes. Without one there is no agreed point at which to go to production."
                ),
            )
        )
    if not given(section.get("carries_forward")):
        gaps.append(
            Gap(
                code="first_slice.nothing_carries_forward",
                field="carries_forward",
                message=(
                    "List what the slice builds that production keeps, e.g. the data pipeline or the integration. "
                    "If nothing carries forward, the pilot is throwaway work."
                ),
            )
        )
    pilot_volume = as_number(section.get("pilot_volume_per_month"))
    if pilot_volume is None or pilot_volume <= 0:
        gaps.append(
            Gap(
                code="first_slice.no_live_use",
                field="pilot_volume_per_month",
                message=(
                    "Say how many real uses a month the slice handles, e.g. 1,500 invoices. A slice that no real user "
                    "runs is a demo, and a demo proves nothing about production."
                ),
            )
        )
    quoted = no_person(section.get("decision_owner"))
    if quoted is not None:
        gaps.append(
            Gap(
                code="first_slice.no_decision_owner",
                field="decision_owner",
                message=(
                    f"Name the person who decides go or no-go at the end of the slice{quoted}. Without one the slice "
                    "ends with no decision and drifts on."
                ),
            )
        )
    weeks = as_number(section.get("duration_weeks"))
    if weeks is not None and weeks > PILOT_WEEKS_LIMIT:
        gaps.append(
            Gap(
                code="first_slice.long_pilot",
                field="duration_weeks",
                message=(
                    f"The slice is planned for {weeks.normalize():f} weeks. Slices longer than {PILOT_WEEKS_LIMIT} "
                    "weeks lose momentum and sponsors; consider a smaller first slice."
                ),
            )
        )
    return gaps
