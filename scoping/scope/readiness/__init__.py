"""Readiness engine: decides whether a scope is fit to build the first production slice.

A pure function over the scope JSON (DESIGN.md "Scope JSON"), so the web page, the PDF, ``scope_check`` and the
importer all judge a scope the same way. It never raises on odd input: a missing key, ``None``, ``""``,
whitespace-only text, or a value of the wrong type all count as "not given", and the gap is reported.

Readiness v2 (DESIGN.md part 2) judges substance, not presence. Eight gates, one per section; the score is the
number of gates without a blocker, out of 8.

Codes (stable; accepted risks refer to them):

production_target
    production_target.no_workflow             blocker  workflow_name blank
    production_target.no_volume               blocker  volume_per_month missing, not a number, or <= 0
    production_target.no_success_metric       blocker  no success metric row with a metric and a real baseline and
                                                       target (a placeholder anywhere in either does not count)
    production_target.no_latency_target       warning  latency_target blank (one finding of its own)
    production_target.no_availability_target  warning  availability_target blank (one finding of its own)
    production_target.volume_mismatch         warning  cost_model scale tier more than 2x above or below
                                                       volume_per_month
first_slice
    first_slice.no_description                blocker  description blank
    first_slice.no_acceptance_criterion       blocker  no acceptance_criteria row with a criterion
    first_slice.nothing_carries_forward       blocker  carries_forward blank
    first_slice.no_live_use                   blocker  pilot_volume_per_month missing or <= 0: a slice no real user
                                                       runs is a demo
    first_slice.long_pilot                    warning  duration_weeks > 12
    first_slice.no_decision_owner             warning  decision_owner blank or holding a placeholder
data_path
    data_path.no_sources                      blocker  no source row
    data_path.hand_prepared_source            blocker  per production source fed by manual_export or one_off refresh
    data_path.production_source_blocked       blocker  per production source whose access_status is blocked
    data_path.source_access_blocked           warning  per source not used in production whose access is blocked
    data_path.source_access_unknown           warning  per source whose access_status is unknown, blank or invalid
    data_path.no_quality_checks               warning  quality_checks blank
    data_path.personal_data_undeclared        warning  per source with personal_data while security.personal_data
                                                       is answered no
failure_modes
    failure_modes.too_few                     blocker  fewer than 3 failure modes with a scenario
    failure_modes.severe_mode_unhandled       blocker  per high/critical impact mode with blank detection or handling
    failure_modes.no_model_error_mode         blocker  no mode with category model_error or hallucination
    failure_modes.high_risk_unsupervised      blocker  security.eu_ai_act_risk high and human_in_the_loop or
                                                       evaluation_plan blank (replaces no_human_in_the_loop then)
    failure_modes.no_human_in_the_loop        warning  human_in_the_loop blank
security
    security.no_access_roles                  blocker  no access_roles row with a role
    security.no_audit_trail                   blocker  audit_trail blank
    security.no_authentication                blocker  confidential/restricted data (data_classification or any
                                                       source sensitivity) and authentication blank or "none"
    security.prohibited_use                   blocker  eu_ai_act_risk is prohibited
    security.personal_data_unregulated        warning  personal data (security.personal_data or any source's
                                                       personal_data) with no regime AND no data_residency; one
                                                       finding, since either statement shows someone looked
    security.ai_act_risk_unknown              warning  eu_ai_act_risk unknown while personal data is processed
cost_model  (figures from scoping.scope.costs.compute_costs)
    cost_model.no_volume_tiers                blocker  pilot, launch and scale all missing or zero
    cost_model.missing_inputs                 blocker  a figure the cost computation needs is blank, not a number,
                                                       negative, or a percentage over 100 (fields named)
    cost_model.never_breaks_even              blocker  value per use <= variable cost per use
    cost_model.break_even_above_scale         blocker  break-even volume above the scale tier volume (was a warning)
    cost_model.model_deprecated_before_handover
                                              blocker  (v2) a step's deprecation_date before ownership.handover_date
    cost_model.prices_undated                 warning  prices_as_of missing or not a date
    cost_model.stale_prices                   warning  prices_as_of more than 180 days before the judging date (a
                                                       version's freeze date; today for the live scope)
    cost_model.launch_loses_money             warning  monthly net at the launch tier < 0
    cost_model.peak_over_rate_limit           warning  (v2) peak calls or tokens a minute at scale over a stated limit
    cost_model.model_deprecated_soon          warning  (v2) a step's model retired within 12 months after handover
workflow
    workflow.no_output_destination            blocker  output_destination blank
    workflow.no_acting_role                   blocker  acting_role blank
    workflow.not_integrated                   warning  integration is standalone_ui or file_export
ownership
    ownership.no_business_owner               blocker  business_owner name blank, or a placeholder in its name or role
    ownership.no_technical_owner              blocker  technical_owner name blank, or a placeholder in its name or role
    ownership.no_business_owner_email         blocker  a named business owner whose e-mail is blank or has no "@"
    ownership.no_technical_owner_email        blocker  a named technical owner whose e-mail is blank or has no "@"
    ownership.no_responsibilities             warning  no responsibilities row with a responsibility
    ownership.responsibility_without_owner    warning  per responsibility whose owner is blank or a placeholder
    ownership.no_budget_owner                 warning  budget_owner blank or a placeholder

Placeholders (case-, space- and punctuation-insensitive): TBD, TBA, TBC, ?, -, n/a, none, unknown, to be decided,
to be determined, to be confirmed, to be agreed, unassigned, nobody, no one, pending, null, to be hired, vacant,
new hire, recruiting, someone, whoever, later. In person and owner fields (owners' names and roles, the decision
owner, the budget owner, responsibility owners) and in success-metric baselines and targets a placeholder counts
wherever it stands, as whole words ("Head of Ops (TBD)"), and so does a "?" anywhere. Any other text counts as not
given only when it is entirely a placeholder.
Choice values are compared case-insensitively, with spaces and hyphens read as underscores ("Manual export").
Numbers may arrive as numbers or numeric strings ("9000", "2.50").
"""

from __future__ import annotations

from scoping.scope.readiness.codes import BLOCKER, CODE_TITLES, CODES, WARNING, Severity, code_title
from scoping.scope.readiness.cost_rules import PRICE_AGE_LIMIT_DAYS
from scoping.scope.readiness.engine import evaluate
from scoping.scope.readiness.findings import SECTION_LABELS, SECTIONS, Finding, GateStatus, Readiness

__all__ = [
    "BLOCKER",
    "CODES",
    "CODE_TITLES",
    "PRICE_AGE_LIMIT_DAYS",
    "SECTIONS",
    "SECTION_LABELS",
    "WARNING",
    "Finding",
    "GateStatus",
    "Readiness",
    "Severity",
    "code_title",
    "evaluate",
]
