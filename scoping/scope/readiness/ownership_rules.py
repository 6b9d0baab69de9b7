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
    given,
    has_email,
    no_person,
    row_name,
)


def workflow_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    if not given(section.get("output_destination")):
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
    if not given(section.get("acting_role")):
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
    for key, who, noun in (
        ("business_owner", "business owner, who answers for the results", "business owner"),
        ("technical_owner", "technical owner, who keeps the system running", "technical owner"),
    ):
        owner = as_mapping(section.get(key))
        name = owner.get("name")
        # A stand-in anywhere in the name or the role ("Head of Ops (TBD)", role "to be hired") is no owner yet.
        quoted = no_person(name, owner.get("role"))
        if quoted is not None:
            gaps.append(
                Gap(
                    code=f"ownership.no_{key}",
                    field=key,
                    message=f"Name the {who}, as a person{quoted}. Systems nobody owns die when the pilot ends.",
                )
            )
        elif not has_email(owner.get("email")):
            gaps.append(
                Gap(
                    code=f"ownership.no_{key}_email",
                    field=key,
                    message=(
                        f"Give the {noun}'s e-mail address. Alerts, cost warnings and the sign-off request go to "
                        f"{as_text(name)} by e-mail; without it nobody hears when the system needs its owner."
                    ),
                )
            )
    responsibilities = [row for row in as_rows(section.get("responsibilities")) if given(row.get("responsibility"))]
    if not responsibilities:
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
    for position, row in enumerate(responsibilities, start=1):
        quoted = no_person(row.get("owner"))
        if quoted is not None:
            gaps.append(
                Gap(
                    code="ownership.responsibility_without_owner",
                    field="responsibilities",
                    message=(
                        f"{row_name(row, 'responsibility', position, 'Responsibility')} has no owner{quoted}. "
                        "Name who does it, or it will not be done."
                    ),
                )
            )
    quoted = no_person(section.get("budget_owner"))
    if quoted is not None:
        gaps.append(
            Gap(
                code="ownership.no_budget_owner",
                field="budget_owner",
                message=(
                    f"Say whose budget pays for running the system after launch{quoted}. Without one it is switched "
                    "off at the next budget round."
                ),
            )
        )
    return gaps
