"""The production target and first slice gates: what the system is for, and how the pilot proves it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from scoping.scope.readiness.findings import Gap
from scoping.scope.readiness.lenient import (
    as_number,
    as_rows,
    as_text,
)

PILOT_WEEKS_LIMIT = 12


def production_target_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    if not as_text(section.get("workflow_name")):
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
        as_text(row.get("metric")) and as_text(row.get("baseline")) and as_text(row.get("target")) for row in metrics
    ):
        gaps.append(
            Gap(
                code="production_target.no_success_metric",
                field="success_metrics",
                message=(
                    "Add at least one success metric with today's baseline and the target, e.g. 'minutes per "
                    "invoice: 6 today, 1.5 target'. Without both numbers nobody can show the system works."
                ),
            )
        )
    if not as_text(section.get("latency_target")):
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
    if not as_text(section.get("availability_target")):
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
    if not as_text(section.get("description")):
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
    if not any(as_text(row.get("criterion")) for row in criteria):
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
    if not as_text(section.get("carries_forward")):
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
