"""Every rule code the readiness engine can emit: its severity, and a plain title for people."""

from __future__ import annotations

from typing import Literal

BLOCKER: Literal["blocker"] = "blocker"
WARNING: Literal["warning"] = "warning"

Severity = Literal["blocker", "warning"]

# Every code the engine can emit, with its severity. Importers check accepted_risks[].code against it.
CODES: dict[str, Severity] = {
    "production_target.no_workflow": BLOCKER,
    "production_target.no_volume": BLOCKER,
    "production_target.no_success_metric": BLOCKER,
    "production_target.no_latency_target": WARNING,
    "production_target.no_availability_target": WARNING,
    "production_target.volume_mismatch": WARNING,
    "first_slice.no_description": BLOCKER,
    "first_slice.no_acceptance_criterion": BLOCKER,
    "first_slice.nothing_carries_forward": BLOCKER,
    "first_slice.no_live_use": BLOCKER,
    "first_slice.long_pilot": WARNING,
    "first_slice.no_decision_owner": WARNING,
    "data_path.no_sources": BLOCKER,
    "data_path.hand_prepared_source": BLOCKER,
    "data_path.production_source_blocked": BLOCKER,
    "data_path.source_access_blocked": WARNING,
    "data_path.source_access_unknown": WARNING,
    "data_path.no_quality_checks": WARNING,
    "data_path.personal_data_undeclared": WARNING,
    "failure_modes.too_few": BLOCKER,
    "failure_modes.severe_mode_unhandled": BLOCKER,
    "failure_modes.no_model_error_mode": BLOCKER,
    "failure_modes.high_risk_unsupervised": BLOCKER,
    "failure_modes.no_human_in_the_loop": WARNING,
    "security.no_access_roles": BLOCKER,
    "security.no_audit_trail": BLOCKER,
    "security.no_authentication": BLOCKER,
    "security.prohibited_use": BLOCKER,
    "security.personal_data_unregulated": WARNING,
    "security.ai_act_risk_unknown": WARNING,
    "cost_model.no_volume_tiers": BLOCKER,
    "cost_model.missing_inputs": BLOCKER,
    "cost_model.never_breaks_even": BLOCKER,
    "cost_model.break_even_above_scale": BLOCKER,
    "cost_model.model_deprecated_before_handover": BLOCKER,
    "cost_model.prices_undated": WARNING,
    "cost_model.stale_prices": WARNING,
    "cost_model.launch_loses_money": WARNING,
    "cost_model.peak_over_rate_limit": WARNING,
    "cost_model.model_deprecated_soon": WARNING,
    "workflow.no_output_destination": BLOCKER,
    "workflow.no_acting_role": BLOCKER,
    "workflow.not_integrated": WARNING,
    "ownership.no_business_owner": BLOCKER,
    "ownership.no_technical_owner": BLOCKER,
    "ownership.no_business_owner_email": BLOCKER,
    "ownership.no_technical_owner_email": BLOCKER,
    "ownership.no_responsibilities": WARNING,
    "ownership.responsibility_without_owner": WARNING,
    "ownership.no_budget_owner": WARNING,
}


# A plain title for each rule, for pages and PDFs: people read the title; the code is kept for staff and for files.
CODE_TITLES: dict[str, str] = {
    "production_target.no_workflow": "The business workflow the system serves is not named",
    "production_target.no_volume": "The expected volume in production is not stated",
    "production_target.no_success_metric": "No success metric for production",
    "production_target.no_latency_target": "No target for how fast an answer must come",
    "production_target.no_availability_target": "No target for how often the system must be available",
    "production_target.volume_mismatch": "The production volume and the cost model's scale volume disagree",
    "first_slice.no_description": "The first slice is not described",
    "first_slice.no_acceptance_criterion": "The first slice has no acceptance criterion",
    "first_slice.nothing_carries_forward": "Nothing built in the first slice carries forward to production",
    "first_slice.no_live_use": "No real use in the first slice: it would be a demo",
    "first_slice.long_pilot": "The first slice runs longer than a pilot should",
    "first_slice.no_decision_owner": "Nobody is named to decide go or no-go after the first slice",
    "data_path.no_sources": "No data source is listed",
    "data_path.hand_prepared_source": "A data source is prepared by hand, with no pipeline behind it",
    "data_path.production_source_blocked": "Access to a data source production depends on is blocked",
    "data_path.source_access_blocked": "Access to a data source is blocked",
    "data_path.source_access_unknown": "It is not known whether a data source can be reached",
    "data_path.no_quality_checks": "No checks on the quality of the data",
    "data_path.personal_data_undeclared": "A data source holds personal data the security section does not declare",
    "failure_modes.too_few": "Too few ways the system can fail are listed",
    "failure_modes.severe_mode_unhandled": "A severe failure has no way to detect it or to handle it",
    "failure_modes.no_model_error_mode": "No failure mode covers the model being wrong",
    "failure_modes.high_risk_unsupervised": "A high-risk system without human oversight or an evaluation plan",
    "failure_modes.no_human_in_the_loop": "No human review of the output is described",
    "security.no_access_roles": "No access roles are defined",
    "security.no_audit_trail": "There is no audit trail",
    "security.no_authentication": "Confidential data, but no way of signing in is stated",
    "security.prohibited_use": "The use is prohibited under the EU AI Act",
    "security.personal_data_unregulated": "Personal data is processed but no rule or standard is named",
    "security.ai_act_risk_unknown": "Personal data is processed and the EU AI Act risk class is unknown",
    "cost_model.no_volume_tiers": "The cost model has no volumes to price",
    "cost_model.missing_inputs": "The cost per use cannot be worked out yet",
    "cost_model.never_breaks_even": "The system never pays for itself at the volumes given",
    "cost_model.prices_undated": "The prices have no date",
    "cost_model.stale_prices": "The prices are out of date",
    "cost_model.break_even_above_scale": "The system pays for itself only above the production volume",
    "cost_model.launch_loses_money": "The system loses money each month at launch volume",
    "cost_model.model_deprecated_before_handover": "A model the system calls is retired before the handover",
    "cost_model.model_deprecated_soon": "A model the system calls is retired within a year of the handover",
    "cost_model.peak_over_rate_limit": "The busiest minute at scale is over the provider's rate limit",
    "workflow.no_output_destination": "Where the output goes is not stated",
    "workflow.no_acting_role": "Nobody is named to act on the output",
    "workflow.not_integrated": "The output is not built into the workflow (a separate screen or a file export)",
    "ownership.no_business_owner": "No business owner after the pilot",
    "ownership.no_technical_owner": "No technical owner after the pilot",
    "ownership.no_business_owner_email": "The business owner has no e-mail address",
    "ownership.no_technical_owner_email": "The technical owner has no e-mail address",
    "ownership.no_responsibilities": "Responsibilities after the pilot are not written down",
    "ownership.responsibility_without_owner": "A responsibility after launch has nobody to do it",
    "ownership.no_budget_owner": "Nobody owns the running budget",
}


def code_title(code: str) -> str:
    """The plain title of a rule code; an unknown code (from an old file) reads as a generic phrase."""
    return CODE_TITLES.get(str(code).strip(), "A readiness rule that no longer exists")
