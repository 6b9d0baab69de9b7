"""The security gate: who may use the system, what is recorded, and how sensitive data is protected."""

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
    as_text,
    given,
)


def security_gaps(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    roles = as_rows(section.get("access_roles"))
    if not any(given(row.get("role")) for row in roles):
        gaps.append(
            Gap(
                code="security.no_access_roles",
                field="access_roles",
                message=(
                    "List who may use, change and operate the system, role by role. Without access roles anyone "
                    "with a login can see or change everything."
                ),
            )
        )
    if not given(section.get("audit_trail")):
        gaps.append(
            Gap(
                code="security.no_audit_trail",
                field="audit_trail",
                message=(
                    "Say what is recorded about who did what and when, and for how long. Without an audit trail "
                    "nobody can explain a decision the system made."
                ),
            )
        )
    # Data is as sensitive as its most sensitive source, whatever the overall classification says.
    sources = as_rows(as_mapping(scope.get("data_path")).get("sources"))
    classifications = {as_choice(section.get("data_classification"))}
    classifications.update(as_choice(source.get("sensitivity")) for source in sources)
    sensitive = classifications & {"confidential", "restricted"}
    if sensitive and as_choice(section.get("authentication")) in {"", "none"}:
        level = "restricted" if "restricted" in sensitive else "confidential"
        gaps.append(
            Gap(
                code="security.no_authentication",
                field="authentication",
                message=(
                    f"The system handles {level} data but no sign-in method is set. Choose how users authenticate, "
                    "e.g. single sign-on, before any real data flows."
                ),
            )
        )
    personal = as_flag(section.get("personal_data")) or any(as_flag(source.get("personal_data")) for source in sources)
    regimes = section.get("regimes")
    has_regime = isinstance(regimes, list | tuple) and any(as_text(regime) for regime in regimes)
    if personal and not has_regime and not given(section.get("data_residency")):
        gaps.append(
            Gap(
                code="security.personal_data_unregulated",
                field="regimes",
                message=(
                    "The system handles personal data, but no regulation (e.g. GDPR) and no data residency is "
                    "stated. Say which rules apply and where the data is stored."
                ),
            )
        )
    risk = as_choice(section.get("eu_ai_act_risk"))
    if risk == "prohibited":
        gaps.append(
            Gap(
                code="security.prohibited_use",
                field="eu_ai_act_risk",
                message=(
                    "The system is classed as a prohibited practice under the EU AI Act: it may not be built or used "
                    "in the EU. Change what the system does, or correct the risk class if it was set in error."
                ),
            )
        )
    elif risk == "unknown" and personal:
        gaps.append(
            Gap(
                code="security.ai_act_risk_unknown",
                field="eu_ai_act_risk",
                message=(
                    "The system processes personal data, and its EU AI Act risk class is not known yet. Work it out "
                    "before the build: a high-risk system needs oversight, records and an assessment."
                ),
            )
        )
    return gaps
