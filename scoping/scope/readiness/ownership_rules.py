"""The workflow and ownership gates: where the output lands, who acts on it, and who owns the system after launch."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from scoping.scope.readiness.findings import Gap
from scoping.scope.readiness.lenient import (
    as_choice,
    as_mapping,
    as_rows,
    as_text,
    is_placeholder,
)


def workflow_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    if not as_text(section.get("output_destination")):
        gaps.append(
            Gap(
                code="workflow.no_output_destination",
                field="output_destination",
                message=(
                    "Say where the output lands, e.g. 'the coding fields of the invoice in the ERP'. Output with "
                    "no place in a real workflow is never used."
                ),
            )
        )
    if not as_text(section.get("acting_role")):
        gaps.append(
            Gap(
                code="workflow.no_acting_role",
                field="acting_role",
                message=(
                    "Name the role that acts on the output, e.g. 'AP clerk'. If nobody acts on it, nothing changes."
                ),
            )
        )
    integration = as_choice(section.get("integration"))
    if integration in {"standalone_ui", "file_export"}:
        label = "a separate screen" if integration == "standalone_ui" else "an exported file"
        gaps.append(
            Gap(
                code="workflow.not_integrated",
                field="integration",
                message=(
                    f"The output reaches people through {label}, outside the tools they already use. Expect low "
                    "adoption unless it is built into their workflow (API, embedded or notification)."
                ),
            )
        )
    return gaps


def ownership_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    for key, code, who in (
        ("business_owner", "ownership.no_business_owner", "business owner, who answers for the results"),
        ("technical_owner", "ownership.no_technical_owner", "technical owner, who keeps the system running"),
    ):
        name = as_mapping(section.get(key)).get("name")
        if is_placeholder(name):
            given = f" ('{as_text(name)}' is a placeholder)" if as_text(name) else ""
            gaps.append(
                Gap(
                    code=code,
                    field=key,
                    message=f"Name the {who}, as a person{given}. Systems nobody owns die when the pilot ends.",
                )
            )
    responsibilities = as_rows(section.get("responsibilities"))
    if not any(as_text(row.get("responsibility")) for row in responsibilities):
        gaps.append(
            Gap(
                code="ownership.no_responsibilities",
                field="responsibilities",
                message=(
                    "List who does what after launch, e.g. monitoring, accuracy review, model updates, and how "
                    "often. Otherwise the work falls between teams."
                ),
            )
        )
    if is_placeholder(section.get("budget_owner")):
        gaps.append(
            Gap(
                code="ownership.no_budget_owner",
                field="budget_owner",
                message=(
                    "Say whose budget pays for running the system after launch. Without one it is switched off "
                    "at the next budget round."
                ),
            )
        )
    return gaps
