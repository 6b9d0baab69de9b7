"""The data path and failure modes gates: where the data comes from, and what happens when things go wrong."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from scoping.scope.readiness.findings import Gap
from scoping.scope.readiness.lenient import (
    as_choice,
    as_flag,
    as_mapping,
    as_rows,
    field_name,
    given,
    row_name,
)

MIN_FAILURE_MODES = 3


def data_path_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    sources = as_rows(section.get("sources"))
    if not sources:
        gaps.append(
            Gap(
                code="data_path.no_sources",
                field="sources",
                message=(
                    "List the data sources the system reads, with who owns them and how they are reached. "
                    "Without a known source there is no data path to production."
                ),
            )
        )
    # "Says no" means answered no: an unanswered question is not a contradiction.
    declared_no_personal_data = as_mapping(scope.get("security")).get("personal_data") in (False, "false", "no")
    for position, source in enumerate(sources, start=1):
        name = row_name(source, "name", position, "Source")
        in_production = as_flag(source.get("used_in_production"))
        if in_production:
            manual = as_choice(source.get("access_method")) == "manual_export"
            one_off = as_choice(source.get("refresh")) == "one_off"
            if manual or one_off:
                how = " and ".join(
                    reason
                    for reason, applies in (("a manual export", manual), ("a one-off refresh", one_off))
                    if applies
                )
                gaps.append(
                    Gap(
                        code="data_path.hand_prepared_source",
                        field="sources",
                        message=(
                            f"{name} is used in production but fed by {how}: that is data prepared by hand for "
                            "a demo. Give it an automated access method and a regular refresh."
                        ),
                    )
                )
        status = as_choice(source.get("access_status"))
        if status == "blocked" and in_production:
            gaps.append(
                Gap(
                    code="data_path.production_source_blocked",
                    field="sources",
                    message=(
                        f"{name} feeds production, and access to it is blocked. Without it there is no data path: "
                        "agree access with its owner, or replace the source, before the slice starts."
                    ),
                )
            )
        elif status == "blocked":
            gaps.append(
                Gap(
                    code="data_path.source_access_blocked",
                    field="sources",
                    message=(
                        f"Access to {name} is blocked. Agree access with its owner before the slice starts, or the "
                        "build will stall."
                    ),
                )
            )
        elif status not in {"available", "requested"}:
            gaps.append(
                Gap(
                    code="data_path.source_access_unknown",
                    field="sources",
                    message=(
                        f"Nobody has confirmed access to {name}. Find out whether it is available, and request it "
                        "if not, before the slice starts."
                    ),
                )
            )
        if declared_no_personal_data and as_flag(source.get("personal_data")):
            gaps.append(
                Gap(
                    code="data_path.personal_data_undeclared",
                    field="sources",
                    message=(
                        f"{name} holds personal data, but the security section says the system processes none. "
                        "Correct one of the two: personal data brings rules on access, retention and residency."
                    ),
                )
            )
    if not given(section.get("quality_checks")):
        gaps.append(
            Gap(
                code="data_path.no_quality_checks",
                field="quality_checks",
                message=(
                    "Describe the data-quality checks, e.g. totals that must reconcile. Bad input otherwise reaches "
                    "the model unnoticed."
                ),
            )
        )
    return gaps


def failure_modes_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    items = as_rows(section.get("items"))
    described = [item for item in items if given(item.get("scenario"))]
    if len(described) < MIN_FAILURE_MODES:
        gaps.append(
            Gap(
                code="failure_modes.too_few",
                field="items",
                message=(
                    f"List at least {MIN_FAILURE_MODES} ways the system can fail (so far {len(described)}), e.g. bad "
                    "input, the model being wrong, a system it depends on being down. Unplanned edge cases are "
                    "what stop pilots reaching production."
                ),
            )
        )
    for position, item in enumerate(items, start=1):
        if as_choice(item.get("impact")) not in {"high", "critical"}:
            continue
        missing = [
            field_name("failure_modes", f"items.{key}") for key in ("detection", "handling") if not given(item.get(key))
        ]
        if missing:
            name = row_name(item, "scenario", position, "Failure mode")
            gaps.append(
                Gap(
                    code="failure_modes.severe_mode_unhandled",
                    field="items",
                    message=(
                        f"{name} has {as_choice(item.get('impact'))} impact but does not say {' or '.join(missing)}. "
                        "A severe failure needs both before anyone depends on the system."
                    ),
                )
            )
    if not any(as_choice(item.get("category")) in {"model_error", "hallucination"} for item in items):
        gaps.append(
            Gap(
                code="failure_modes.no_model_error_mode",
                field="items",
                message=(
                    "Add a failure mode for the model being wrong (category 'model error' or 'hallucination'): "
                    "how a confident wrong answer is noticed and corrected."
                ),
            )
        )
    high_risk = as_choice(as_mapping(scope.get("security")).get("eu_ai_act_risk")) == "high"
    unsupervised = [key for key in ("human_in_the_loop", "evaluation_plan") if not given(section.get(key))]
    if high_risk and unsupervised:
        gaps.append(
            Gap(
                code="failure_modes.high_risk_unsupervised",
                field=unsupervised[0],
                message=(
                    "The system is high-risk under the EU AI Act, but the scope does not say "
                    + " or ".join(field_name("failure_modes", key) for key in unsupervised)
                    + ". A high-risk system must have human oversight and a way to measure its accuracy before it "
                    "goes live."
                ),
            )
        )
    elif not given(section.get("human_in_the_loop")):
        gaps.append(
            Gap(
                code="failure_modes.no_human_in_the_loop",
                field="human_in_the_loop",
                message=(
                    "Say when a person checks or overrides the output, e.g. 'a clerk reviews every proposal'. "
                    "It limits the damage when the model is wrong."
                ),
            )
        )
    return gaps
