"""Readiness engine: every rule trips on the gap it names and stays quiet when the gap is closed."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoping.scope import catalogue, readiness
from scoping.scope.readiness import CODES, SECTION_LABELS, SECTIONS, Finding, Readiness, evaluate

EXAMPLE_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "invoice-coding.json"
EXAMPLE: dict[str, Any] = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
# Cost model v2 (model steps): the same example's economics as three model steps; its handover is 2027-05-31.
V2_COST_MODEL: dict[str, Any] = json.loads(
    (EXAMPLE_PATH.parent / "invoice-coding-three-steps.json").read_text(encoding="utf-8")
)["cost_model"]


def v2_cost_model(**step_changes: Any) -> dict[str, Any]:
    """The three-step cost model with changes: {"rate_limit_tpm": 100} or {"steps.1.deprecation_date": "..."}."""
    cost_model = copy.deepcopy(V2_COST_MODEL)
    for name, value in step_changes.items():
        if name.startswith("steps."):
            _, index, field = name.split(".")
            cost_model["steps"][int(index)][field] = value
        else:
            cost_model[name] = value
    return cost_model


# The example's prices are dated 2026-10-15: 92 days before this, 180 days before 2027-04-13.
TODAY = date(2027, 1, 15)

DELETE = object()


def variant(*changes: tuple[tuple[Any, ...], Any]) -> dict[str, Any]:
    """A deep copy of the example with each (path, value) applied; DELETE removes the key."""
    scope = copy.deepcopy(EXAMPLE)
    for path, value in changes:
        target: Any = scope
        for step in path[:-1]:
            target = target[step]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return scope


def codes(scope: Any, *, today: date = TODAY) -> list[str]:
    return [finding.code for finding in evaluate(scope, today=today).findings]


def finding_for(scope: Any, code: str, *, today: date = TODAY) -> Finding:
    matches = [finding for finding in evaluate(scope, today=today).findings if finding.code == code]
    assert len(matches) == 1, f"expected one {code}, got {matches}"
    return matches[0]


def trip(case_id: str, code: str, severity: str, field: str, *changes: Any, also: tuple[str, ...] = ()) -> Any:
    """A case where the changes open exactly the gap `code` names (plus `also`, which they rightly open too)."""
    return pytest.param(list(changes), code, severity, field, also, id=case_id)


def clear(case_id: str, code: str, *changes: Any) -> Any:
    """A case at or just inside the edge of a rule, where `code` must stay quiet."""
    return pytest.param(list(changes), code, id=case_id)


PT = "production_target"
FS = "first_slice"
DP = "data_path"
FM = "failure_modes"
SEC = "security"
CM = "cost_model"
WF = "workflow"
OWN = "ownership"

TRIPS = [
    trip("workflow-empty", "production_target.no_workflow", "blocker", "workflow_name", ((PT, "workflow_name"), "")),
    trip(
        "workflow-whitespace",
        "production_target.no_workflow",
        "blocker",
        "workflow_name",
        ((PT, "workflow_name"), " \n"),
    ),
    trip(
        "workflow-missing", "production_target.no_workflow", "blocker", "workflow_name", ((PT, "workflow_name"), DELETE)
    ),
    trip(
        "workflow-list",
        "production_target.no_workflow",
        "blocker",
        "workflow_name",
        ((PT, "workflow_name"), ["a", "b"]),
    ),
    trip(
        "volume-missing",
        "production_target.no_volume",
        "blocker",
        "volume_per_month",
        ((PT, "volume_per_month"), DELETE),
    ),
    trip("volume-zero", "production_target.no_volume", "blocker", "volume_per_month", ((PT, "volume_per_month"), 0)),
    trip(
        "volume-negative", "production_target.no_volume", "blocker", "volume_per_month", ((PT, "volume_per_month"), -40)
    ),
    trip(
        "volume-text", "production_target.no_volume", "blocker", "volume_per_month", ((PT, "volume_per_month"), "lots")
    ),
    trip("volume-bool", "production_target.no_volume", "blocker", "volume_per_month", ((PT, "volume_per_month"), True)),
    trip(
        "metrics-empty",
        "production_target.no_success_metric",
        "blocker",
        "success_metrics",
        ((PT, "success_metrics"), []),
    ),
    trip(
        "metric-no-target",
        "production_target.no_success_metric",
        "blocker",
        "success_metrics",
        ((PT, "success_metrics", 0, "target"), " "),
    ),
    trip(
        "metric-no-baseline",
        "production_target.no_success_metric",
        "blocker",
        "success_metrics",
        ((PT, "success_metrics", 0, "baseline"), None),
    ),
    trip(
        "metric-unnamed",
        "production_target.no_success_metric",
        "blocker",
        "success_metrics",
        ((PT, "success_metrics", 0, "metric"), ""),
    ),
    trip(
        "metrics-string",
        "production_target.no_success_metric",
        "blocker",
        "success_metrics",
        ((PT, "success_metrics"), "Minutes per invoice"),
    ),
    trip("latency", "production_target.no_latency_target", "warning", "latency_target", ((PT, "latency_target"), "")),
    trip(
        "availability",
        "production_target.no_availability_target",
        "warning",
        "availability_target",
        ((PT, "availability_target"), DELETE),
    ),
    trip("slice-description", "first_slice.no_description", "blocker", "description", ((FS, "description"), "")),
    trip(
        "criteria-empty",
        "first_slice.no_acceptance_criterion",
        "blocker",
        "acceptance_criteria",
        ((FS, "acceptance_criteria"), []),
    ),
    trip(
        "criterion-blank",
        "first_slice.no_acceptance_criterion",
        "blocker",
        "acceptance_criteria",
        ((FS, "acceptance_criteria", 0, "criterion"), " "),
    ),
    trip(
        "carries-forward",
        "first_slice.nothing_carries_forward",
        "blocker",
        "carries_forward",
        ((FS, "carries_forward"), "\t"),
    ),
    trip("pilot-13-weeks", "first_slice.long_pilot", "warning", "duration_weeks", ((FS, "duration_weeks"), 13)),
    trip("pilot-26-string", "first_slice.long_pilot", "warning", "duration_weeks", ((FS, "duration_weeks"), "26")),
    trip("sources-empty", "data_path.no_sources", "blocker", "sources", ((DP, "sources"), [])),
    trip("sources-string", "data_path.no_sources", "blocker", "sources", ((DP, "sources"), "ERP")),
    trip("sources-blank-rows", "data_path.no_sources", "blocker", "sources", ((DP, "sources"), [{}, {"name": " "}])),
    trip(
        "manual-export",
        "data_path.hand_prepared_source",
        "blocker",
        "sources",
        ((DP, "sources", 0, "access_method"), "manual_export"),
    ),
    trip(
        "manual-export-label",
        "data_path.hand_prepared_source",
        "blocker",
        "sources",
        ((DP, "sources", 0, "access_method"), "Manual export"),
    ),
    trip("one-off", "data_path.hand_prepared_source", "blocker", "sources", ((DP, "sources", 1, "refresh"), "one_off")),
    trip(
        "one-off-flag-as-string",
        "data_path.hand_prepared_source",
        "blocker",
        "sources",
        ((DP, "sources", 1, "refresh"), "one_off"),
        ((DP, "sources", 1, "used_in_production"), "true"),
    ),
    trip(
        "access-blocked-outside-production",
        "data_path.source_access_blocked",
        "warning",
        "sources",
        ((DP, "sources", 1, "access_status"), "blocked"),
        ((DP, "sources", 1, "used_in_production"), False),
    ),
    trip(
        "access-unknown",
        "data_path.source_access_unknown",
        "warning",
        "sources",
        ((DP, "sources", 1, "access_status"), "unknown"),
    ),
    trip(
        "access-blank",
        "data_path.source_access_unknown",
        "warning",
        "sources",
        ((DP, "sources", 1, "access_status"), ""),
    ),
    trip(
        "access-invalid",
        "data_path.source_access_unknown",
        "warning",
        "sources",
        ((DP, "sources", 1, "access_status"), "maybe"),
    ),
    trip("quality-checks", "data_path.no_quality_checks", "warning", "quality_checks", ((DP, "quality_checks"), " ")),
    trip("two-failure-modes", "failure_modes.too_few", "blocker", "items", ((FM, "items"), EXAMPLE[FM]["items"][:2])),
    trip("unnamed-failure-mode", "failure_modes.too_few", "blocker", "items", ((FM, "items", 1, "scenario"), "")),
    trip(
        "no-failure-modes",
        "failure_modes.too_few",
        "blocker",
        "items",
        ((FM, "items"), []),
        also=("failure_modes.no_model_error_mode",),
    ),
    trip(
        "high-no-handling",
        "failure_modes.severe_mode_unhandled",
        "blocker",
        "items",
        ((FM, "items", 2, "handling"), ""),
    ),
    trip(
        "critical-no-detection",
        "failure_modes.severe_mode_unhandled",
        "blocker",
        "items",
        ((FM, "items", 0, "impact"), "critical"),
        ((FM, "items", 0, "detection"), None),
    ),
    trip(
        "no-model-error-mode",
        "failure_modes.no_model_error_mode",
        "blocker",
        "items",
        ((FM, "items", 0, "category"), "bad_input"),
    ),
    trip(
        "no-hitl", "failure_modes.no_human_in_the_loop", "warning", "human_in_the_loop", ((FM, "human_in_the_loop"), "")
    ),
    trip("no-roles", "security.no_access_roles", "blocker", "access_roles", ((SEC, "access_roles"), [])),
    trip(
        "unnamed-role",
        "security.no_access_roles",
        "blocker",
        "access_roles",
        ((SEC, "access_roles"), [{"role": "", "who": "everyone"}]),
    ),
    trip("no-audit-trail", "security.no_audit_trail", "blocker", "audit_trail", ((SEC, "audit_trail"), " ")),
    trip(
        "confidential-no-auth",
        "security.no_authentication",
        "blocker",
        "authentication",
        ((SEC, "data_classification"), "confidential"),
        ((SEC, "authentication"), ""),
    ),
    trip(
        "restricted-auth-none",
        "security.no_authentication",
        "blocker",
        "authentication",
        ((SEC, "data_classification"), "restricted"),
        ((SEC, "authentication"), "none"),
    ),
    trip(
        "restricted-source-no-auth",
        "security.no_authentication",
        "blocker",
        "authentication",
        ((DP, "sources", 0, "sensitivity"), "restricted"),
        ((SEC, "authentication"), DELETE),
    ),
    trip(
        "personal-data-unregulated",
        "security.personal_data_unregulated",
        "warning",
        "regimes",
        ((SEC, "personal_data"), True),
        ((SEC, "regimes"), []),
        ((SEC, "data_residency"), ""),
    ),
    trip(
        "personal-data-in-source",
        "security.personal_data_unregulated",
        "warning",
        "regimes",
        ((DP, "sources", 0, "personal_data"), True),
        ((SEC, "personal_data"), None),
        ((SEC, "regimes"), [" "]),
        ((SEC, "data_residency"), None),
    ),
    trip("tiers-empty", "cost_model.no_volume_tiers", "blocker", "tiers", ((CM, "tiers"), {})),
    trip("tiers-missing", "cost_model.no_volume_tiers", "blocker", "tiers", ((CM, "tiers"), DELETE)),
    trip(
        "tiers-zero",
        "cost_model.no_volume_tiers",
        "blocker",
        "tiers",
        ((CM, "tiers"), {"pilot": 0, "launch": 0, "scale": 0}),
    ),
    trip("price-missing", "cost_model.missing_inputs", "blocker", "input_price", ((CM, "input_price"), DELETE)),
    trip("rate-blank", "cost_model.missing_inputs", "blocker", "manual_hourly_rate", ((CM, "manual_hourly_rate"), " ")),
    trip("hosting-negative", "cost_model.missing_inputs", "blocker", "hosting", ((CM, "hosting"), "-5")),
    trip("percent-over-100", "cost_model.missing_inputs", "blocker", "review_rate_pct", ((CM, "review_rate_pct"), 140)),
    trip(
        "value-below-cost", "cost_model.never_breaks_even", "blocker", "manual_minutes", ((CM, "manual_minutes"), "0.5")
    ),
    trip(
        "value-equals-cost",
        "cost_model.never_breaks_even",
        "blocker",
        "manual_minutes",
        ((CM, "calls_per_use"), 0),
        ((CM, "review_rate_pct"), 0),
        ((CM, "other_per_use"), "0.50"),
        ((CM, "manual_minutes"), 1),
        ((CM, "manual_hourly_rate"), "30"),
    ),
    trip("prices-undated", "cost_model.prices_undated", "warning", "prices_as_of", ((CM, "prices_as_of"), DELETE)),
    trip(
        "prices-not-a-date",
        "cost_model.prices_undated",
        "warning",
        "prices_as_of",
        ((CM, "prices_as_of"), "last spring"),
    ),
    trip("prices-181-days", "cost_model.stale_prices", "warning", "prices_as_of", ((CM, "prices_as_of"), "2026-07-18")),
    trip(
        "break-even-above-scale", "cost_model.break_even_above_scale", "blocker", "tiers", ((CM, "hosting"), "100000")
    ),
    trip(
        "no-destination",
        "workflow.no_output_destination",
        "blocker",
        "output_destination",
        ((WF, "output_destination"), ""),
    ),
    trip("no-acting-role", "workflow.no_acting_role", "blocker", "acting_role", ((WF, "acting_role"), None)),
    trip("standalone-ui", "workflow.not_integrated", "warning", "integration", ((WF, "integration"), "standalone_ui")),
    trip("file-export", "workflow.not_integrated", "warning", "integration", ((WF, "integration"), "file_export")),
    trip(
        "business-owner-blank",
        "ownership.no_business_owner",
        "blocker",
        "business_owner",
        ((OWN, "business_owner", "name"), ""),
    ),
    trip(
        "business-owner-missing",
        "ownership.no_business_owner",
        "blocker",
        "business_owner",
        ((OWN, "business_owner"), DELETE),
    ),
    trip(
        "business-owner-string",
        "ownership.no_business_owner",
        "blocker",
        "business_owner",
        ((OWN, "business_owner"), "Priya Raman"),
    ),
    trip(
        "technical-owner-tbd",
        "ownership.no_technical_owner",
        "blocker",
        "technical_owner",
        ((OWN, "technical_owner", "name"), "TBD"),
    ),
    trip(
        "no-responsibilities",
        "ownership.no_responsibilities",
        "warning",
        "responsibilities",
        ((OWN, "responsibilities"), []),
    ),
    trip(
        "blank-responsibility",
        "ownership.no_responsibilities",
        "warning",
        "responsibilities",
        ((OWN, "responsibilities"), [{"responsibility": " ", "owner": "AP"}]),
    ),
    trip("budget-owner-blank", "ownership.no_budget_owner", "warning", "budget_owner", ((OWN, "budget_owner"), "")),
    trip("budget-owner-na", "ownership.no_budget_owner", "warning", "budget_owner", ((OWN, "budget_owner"), "n/a")),
]


# Readiness v2 (DESIGN.md part 2): each new or changed rule, including the disguises a keen consultant might try.
TRIPS += [
    trip(
        "owner-to-be-hired",
        "ownership.no_business_owner",
        "blocker",
        "business_owner",
        ((OWN, "business_owner", "name"), "Head of Operations (to be hired)"),
    ),
    trip(
        "owner-tbd-in-brackets",
        "ownership.no_technical_owner",
        "blocker",
        "technical_owner",
        ((OWN, "technical_owner", "name"), "Head of Ops (TBD)"),
    ),
    trip(
        "owner-role-vacant",
        "ownership.no_business_owner",
        "blocker",
        "business_owner",
        ((OWN, "business_owner", "role"), "Finance Director (vacant)"),
    ),
    trip(
        "owner-question-mark",
        "ownership.no_technical_owner",
        "blocker",
        "technical_owner",
        ((OWN, "technical_owner", "name"), "Dan Whitfield?"),
    ),
    trip(
        "owner-someone",
        "ownership.no_business_owner",
        "blocker",
        "business_owner",
        ((OWN, "business_owner", "name"), "Someone in finance"),
    ),
    trip(
        "business-owner-no-email",
        "ownership.no_business_owner_email",
        "blocker",
        "business_owner",
        ((OWN, "business_owner", "email"), ""),
    ),
    trip(
        "technical-owner-email-without-at",
        "ownership.no_technical_owner_email",
        "blocker",
        "technical_owner",
        ((OWN, "technical_owner", "email"), "dan.whitfield"),
    ),
    trip(
        "responsibility-owner-blank",
        "ownership.responsibility_without_owner",
        "warning",
        "responsibilities",
        ((OWN, "responsibilities", 0, "owner"), ""),
    ),
    trip(
        "responsibility-owner-whoever",
        "ownership.responsibility_without_owner",
        "warning",
        "responsibilities",
        ((OWN, "responsibilities", 1, "owner"), "Whoever is on call"),
    ),
    trip(
        "budget-owner-later",
        "ownership.no_budget_owner",
        "warning",
        "budget_owner",
        ((OWN, "budget_owner"), "Finance budget (later)"),
    ),
    trip(
        "metric-baseline-tbd",
        "production_target.no_success_metric",
        "blocker",
        "success_metrics",
        ((PT, "success_metrics", 0, "baseline"), "TBD"),
    ),
    trip(
        "metric-target-tbc-in-text",
        "production_target.no_success_metric",
        "blocker",
        "success_metrics",
        ((PT, "success_metrics", 0, "target"), "1.5 (tbc)"),
    ),
    trip(
        "scale-over-twice-volume",
        "production_target.volume_mismatch",
        "warning",
        "volume_per_month",
        ((PT, "volume_per_month"), 4499),
    ),
    trip(
        "scale-under-half-volume",
        "production_target.volume_mismatch",
        "warning",
        "volume_per_month",
        ((PT, "volume_per_month"), 18001),
    ),
    trip(
        "pilot-volume-zero",
        "first_slice.no_live_use",
        "blocker",
        "pilot_volume_per_month",
        ((FS, "pilot_volume_per_month"), 0),
    ),
    trip(
        "pilot-volume-missing",
        "first_slice.no_live_use",
        "blocker",
        "pilot_volume_per_month",
        ((FS, "pilot_volume_per_month"), DELETE),
    ),
    trip(
        "decision-owner-blank",
        "first_slice.no_decision_owner",
        "warning",
        "decision_owner",
        ((FS, "decision_owner"), ""),
    ),
    trip(
        "decision-owner-tbd",
        "first_slice.no_decision_owner",
        "warning",
        "decision_owner",
        ((FS, "decision_owner"), "Steering group (TBD)"),
    ),
    trip(
        "production-source-blocked",
        "data_path.production_source_blocked",
        "blocker",
        "sources",
        ((DP, "sources", 1, "access_status"), "blocked"),
    ),
    trip(
        "personal-data-undeclared",
        "data_path.personal_data_undeclared",
        "warning",
        "sources",
        ((DP, "sources", 0, "personal_data"), True),
        ((SEC, "regimes"), ["gdpr"]),
    ),
    trip(
        "high-risk-no-human",
        "failure_modes.high_risk_unsupervised",
        "blocker",
        "human_in_the_loop",
        ((SEC, "eu_ai_act_risk"), "high"),
        ((FM, "human_in_the_loop"), ""),
    ),
    trip(
        "high-risk-no-evaluation",
        "failure_modes.high_risk_unsupervised",
        "blocker",
        "evaluation_plan",
        ((SEC, "eu_ai_act_risk"), "high"),
        ((FM, "evaluation_plan"), "TBD"),
    ),
    trip("prohibited", "security.prohibited_use", "blocker", "eu_ai_act_risk", ((SEC, "eu_ai_act_risk"), "prohibited")),
    trip(
        "ai-act-unknown-with-personal-data",
        "security.ai_act_risk_unknown",
        "warning",
        "eu_ai_act_risk",
        ((SEC, "eu_ai_act_risk"), "unknown"),
        ((SEC, "personal_data"), True),
        ((SEC, "regimes"), ["gdpr"]),
    ),
    trip(
        "launch-loses-money",
        "cost_model.launch_loses_money",
        "warning",
        "tiers",
        ((CM, "tiers", "launch"), 900),
    ),
    trip(
        "v2-model-retired-before-handover",
        "cost_model.model_deprecated_before_handover",
        "blocker",
        "steps",
        ((CM,), v2_cost_model(**{"steps.1.deprecation_date": "2027-05-30"})),
    ),
    trip(
        "v2-model-retired-within-a-year-of-handover",
        "cost_model.model_deprecated_soon",
        "warning",
        "steps",
        ((CM,), v2_cost_model(**{"steps.2.deprecation_date": "2028-05-30"})),
    ),
    trip(
        "v2-peak-over-token-limit",
        "cost_model.peak_over_rate_limit",
        "warning",
        "rate_limit_tpm",
        ((CM,), v2_cost_model(rate_limit_tpm=100)),
    ),
    trip(
        "v2-step-without-model",
        "cost_model.missing_inputs",
        "blocker",
        "steps",
        ((CM,), v2_cost_model(**{"steps.0.model": ""})),
    ),
    trip(
        "workflow-entirely-placeholder",
        "production_target.no_workflow",
        "blocker",
        "workflow_name",
        ((PT, "workflow_name"), "TBD"),
    ),
]


@pytest.mark.parametrize(("changes", "code", "severity", "field", "also"), TRIPS)
def test_each_rule_trips_on_its_gap_and_nothing_else_does(
    changes: list, code: str, severity: str, field: str, also: tuple[str, ...]
) -> None:
    scope = variant(*changes)

    found = evaluate(scope, today=TODAY).findings

    assert sorted(finding.code for finding in found) == sorted([code, *also])
    finding = next(finding for finding in found if finding.code == code)
    assert (finding.severity, finding.section, finding.field) == (severity, code.split(".")[0], field)
    assert CODES[code] == severity


CLEARS = [
    clear("volume-one", "production_target.no_volume", ((PT, "volume_per_month"), 1)),
    clear("volume-numeric-string", "production_target.no_volume", ((PT, "volume_per_month"), "9000")),
    clear(
        "one-complete-metric-among-blanks",
        "production_target.no_success_metric",
        ((PT, "success_metrics"), [{"metric": "", "baseline": "", "target": ""}, EXAMPLE[PT]["success_metrics"][0]]),
    ),
    clear(
        "numeric-baseline-zero",
        "production_target.no_success_metric",
        ((PT, "success_metrics", 0, "baseline"), 0),
        ((PT, "success_metrics", 0, "target"), 0.5),
    ),
    clear("latency-given", "production_target.no_latency_target", ((PT, "latency_target"), "Under 2 seconds")),
    clear("pilot-12-weeks", "first_slice.long_pilot", ((FS, "duration_weeks"), 12)),
    clear("pilot-weeks-not-a-number", "first_slice.long_pilot", ((FS, "duration_weeks"), "twelve")),
    clear(
        "criterion-without-threshold",
        "first_slice.no_acceptance_criterion",
        ((FS, "acceptance_criteria"), [{"criterion": "Lines accepted without edit"}]),
    ),
    clear(
        "manual-export-not-in-production",
        "data_path.hand_prepared_source",
        ((DP, "sources", 0, "access_method"), "manual_export"),
        ((DP, "sources", 0, "used_in_production"), False),
    ),
    clear(
        "one-off-production-unknown",
        "data_path.hand_prepared_source",
        ((DP, "sources", 1, "refresh"), "one_off"),
        ((DP, "sources", 1, "used_in_production"), None),
    ),
    clear("monthly-refresh", "data_path.hand_prepared_source", ((DP, "sources", 0, "refresh"), "monthly")),
    clear("access-requested", "data_path.source_access_unknown", ((DP, "sources", 0, "access_status"), "requested")),
    clear("access-label-case", "data_path.source_access_unknown", ((DP, "sources", 0, "access_status"), "Available")),
    clear(
        "three-plus-blank-row",
        "failure_modes.too_few",
        ((FM, "items"), [*EXAMPLE[FM]["items"], {"scenario": "", "category": ""}]),
    ),
    clear(
        "low-impact-unhandled",
        "failure_modes.severe_mode_unhandled",
        ((FM, "items", 1, "handling"), ""),
        ((FM, "items", 1, "detection"), ""),
    ),
    clear("hallucination", "failure_modes.no_model_error_mode", ((FM, "items", 0, "category"), "hallucination")),
    clear(
        "confidential-with-accounts",
        "security.no_authentication",
        ((SEC, "data_classification"), "confidential"),
        ((SEC, "authentication"), "app_accounts"),
    ),
    clear("internal-without-auth", "security.no_authentication", ((SEC, "authentication"), "none")),
    clear(
        "personal-data-with-regime",
        "security.personal_data_unregulated",
        ((SEC, "personal_data"), True),
        ((SEC, "regimes"), ["gdpr"]),
        ((SEC, "data_residency"), ""),
    ),
    clear(
        "personal-data-with-residency",
        "security.personal_data_unregulated",
        ((SEC, "personal_data"), True),
        ((SEC, "regimes"), []),
        ((SEC, "data_residency"), "UK"),
    ),
    clear(
        "no-personal-data",
        "security.personal_data_unregulated",
        ((SEC, "personal_data"), False),
        ((SEC, "regimes"), []),
        ((SEC, "data_residency"), ""),
    ),
    clear("launch-tier-only", "cost_model.no_volume_tiers", ((CM, "tiers"), {"launch": 6000})),
    clear("tier-as-string", "cost_model.no_volume_tiers", ((CM, "tiers"), {"pilot": "1500"})),
    clear(
        "cached-price-unneeded",
        "cost_model.missing_inputs",
        ((CM, "cached_input_price"), ""),
        ((CM, "cached_share_pct"), 0),
    ),
    clear("value-just-above-cost", "cost_model.never_breaks_even", ((CM, "manual_minutes"), "1.1")),
    clear("prices-180-days", "cost_model.stale_prices", ((CM, "prices_as_of"), "2026-07-19")),
    clear("prices-dated", "cost_model.prices_undated", ((CM, "prices_as_of"), "2026-07-19")),
    clear("scale-at-break-even", "cost_model.break_even_above_scale", ((CM, "tiers", "scale"), 946)),
    clear("no-scale-tier", "cost_model.break_even_above_scale", ((CM, "tiers", "scale"), DELETE)),
    clear("embedded", "workflow.not_integrated", ((WF, "integration"), "embedded")),
    clear("notification", "workflow.not_integrated", ((WF, "integration"), "notification")),
    clear(
        "one-row", "ownership.no_responsibilities", ((OWN, "responsibilities"), [{"responsibility": "Accuracy review"}])
    ),
    clear("budget-owner-given", "ownership.no_budget_owner", ((OWN, "budget_owner"), "CFO cost centre 410")),
]


CLEARS += [
    clear("v2-three-steps", "cost_model.missing_inputs", ((CM,), v2_cost_model())),
    clear(
        "v2-retired-a-year-after-handover",
        "cost_model.model_deprecated_soon",
        ((CM,), v2_cost_model(**{"steps.2.deprecation_date": "2028-05-31"})),
    ),
    clear("v2-peak-at-the-limit", "cost_model.peak_over_rate_limit", ((CM,), v2_cost_model(rate_limit_rpm=1))),
    clear("owner-real-name", "ownership.no_business_owner", ((OWN, "business_owner", "name"), "Nonie Tbdson")),
    clear("owner-initials", "ownership.no_technical_owner", ((OWN, "technical_owner", "name"), "N.A. Smith")),
    clear("owner-hyphenated", "ownership.no_business_owner", ((OWN, "business_owner", "name"), "Jean-Luc Picard")),
    clear(
        "owner-email-given",
        "ownership.no_business_owner_email",
        ((OWN, "business_owner", "email"), " priya@kestrel.example "),
    ),
    clear(
        "placeholder-owner-has-no-email-finding",
        "ownership.no_business_owner_email",
        ((OWN, "business_owner", "name"), "TBD"),
        ((OWN, "business_owner", "email"), ""),
    ),
    clear(
        "responsibility-owner-named",
        "ownership.responsibility_without_owner",
        ((OWN, "responsibilities", 0, "owner"), "Dan"),
    ),
    clear(
        "metric-baseline-zero-text",
        "production_target.no_success_metric",
        ((PT, "success_metrics", 0, "baseline"), "0"),
    ),
    clear("scale-exactly-twice-volume", "production_target.volume_mismatch", ((PT, "volume_per_month"), 4500)),
    clear("scale-exactly-half-volume", "production_target.volume_mismatch", ((PT, "volume_per_month"), 18000)),
    clear("no-scale-tier-no-mismatch", "production_target.volume_mismatch", ((CM, "tiers", "scale"), DELETE)),
    clear("pilot-volume-one", "first_slice.no_live_use", ((FS, "pilot_volume_per_month"), 1)),
    clear("pilot-volume-string", "first_slice.no_live_use", ((FS, "pilot_volume_per_month"), "1500")),
    clear("decision-owner-named", "first_slice.no_decision_owner", ((FS, "decision_owner"), "Priya Raman")),
    clear(
        "production-source-requested",
        "data_path.production_source_blocked",
        ((DP, "sources", 1, "access_status"), "requested"),
    ),
    clear(
        "blocked-outside-production",
        "data_path.production_source_blocked",
        ((DP, "sources", 1, "access_status"), "blocked"),
        ((DP, "sources", 1, "used_in_production"), False),
    ),
    clear(
        "personal-data-declared",
        "data_path.personal_data_undeclared",
        ((DP, "sources", 0, "personal_data"), True),
        ((SEC, "personal_data"), True),
    ),
    clear(
        "personal-data-unanswered",
        "data_path.personal_data_undeclared",
        ((DP, "sources", 0, "personal_data"), True),
        ((SEC, "personal_data"), None),
    ),
    clear("high-risk-supervised", "failure_modes.high_risk_unsupervised", ((SEC, "eu_ai_act_risk"), "high")),
    clear(
        "limited-risk-no-human",
        "failure_modes.high_risk_unsupervised",
        ((SEC, "eu_ai_act_risk"), "limited"),
        ((FM, "human_in_the_loop"), ""),
    ),
    clear("high-risk-is-not-prohibited", "security.prohibited_use", ((SEC, "eu_ai_act_risk"), "high")),
    clear("ai-act-unknown-no-personal-data", "security.ai_act_risk_unknown", ((SEC, "eu_ai_act_risk"), "unknown")),
    clear("launch-at-break-even", "cost_model.launch_loses_money", ((CM, "tiers", "launch"), 946)),
    clear(
        "never-breaks-even-says-it-once",
        "cost_model.launch_loses_money",
        ((CM, "manual_minutes"), "0.5"),
    ),
]


@pytest.mark.parametrize(("changes", "code"), CLEARS)
def test_each_rule_stays_quiet_when_its_gap_is_closed(changes: list, code: str) -> None:
    assert code not in codes(variant(*changes))


def test_the_worked_example_is_ready_with_full_score_and_no_findings() -> None:
    result = evaluate(copy.deepcopy(EXAMPLE), today=TODAY)

    assert result.score == 8
    assert result.blockers == ()
    assert result.findings == ()
    assert result.is_ready is True


def test_an_empty_scope_scores_zero_with_every_gate_blocked() -> None:
    result = evaluate({}, today=TODAY)

    assert result.score == 0
    assert result.is_ready is False
    assert {section: result.gate(section) for section in SECTIONS} == {section: "blocked" for section in SECTIONS}


@pytest.mark.parametrize("scope", [None, [], "scope", 42, {"production_target": None}, {"cost_model": []}])
def test_a_scope_that_is_not_a_mapping_is_judged_as_empty(scope: Any) -> None:
    assert evaluate(scope, today=TODAY).score == 0


def test_the_example_with_numbers_as_strings_is_still_ready() -> None:
    scope = variant(
        ((PT, "volume_per_month"), "9000"),
        ((FS, "duration_weeks"), "8"),
        ((CM, "calls_per_use"), "2"),
        ((CM, "input_tokens"), " 3000 "),
        ((CM, "retry_overhead_pct"), "3"),
        ((CM, "tiers"), {"pilot": "1500", "launch": "6000", "scale": "9000"}),
        ((DP, "sources", 0, "used_in_production"), "true"),
    )

    assert evaluate(scope, today=TODAY).findings == ()


ODD_SCOPES = [
    pytest.param({"production_target": "Code invoices"}, "production_target.no_workflow", id="section-as-string"),
    pytest.param(
        {"production_target": {"success_metrics": [1, "x", None, ["a"]]}},
        "production_target.no_success_metric",
        id="metric-rows-junk",
    ),
    pytest.param(
        {"first_slice": {"acceptance_criteria": {"criterion": "x"}}},
        "first_slice.no_acceptance_criterion",
        id="criteria-as-dict",
    ),
    pytest.param({"first_slice": {"duration_weeks": [13]}}, "first_slice.no_description", id="weeks-as-list"),
    pytest.param(
        {"data_path": {"sources": [{"name": {"x": 1}, "used_in_production": "yes", "refresh": 5}]}},
        "data_path.source_access_unknown",
        id="source-junk-values",
    ),
    pytest.param({"failure_modes": {"items": "many"}}, "failure_modes.too_few", id="items-as-string"),
    pytest.param(
        {"failure_modes": {"items": [{"scenario": "x", "impact": ["high"]}]}},
        "failure_modes.too_few",
        id="impact-as-list",
    ),
    pytest.param(
        {"security": {"regimes": "gdpr", "personal_data": "yes"}},
        "security.personal_data_unregulated",
        id="regimes-as-string",
    ),
    pytest.param({"security": {"access_roles": ["admin"]}}, "security.no_access_roles", id="roles-as-strings"),
    pytest.param(
        {"cost_model": {"tiers": "lots", "input_price": "abc", "calls_per_use": "2"}},
        "cost_model.missing_inputs",
        id="cost-junk",
    ),
    pytest.param(
        {"cost_model": {"tiers": {"pilot": "12.5", "launch": float("nan"), "scale": -3}}},
        "cost_model.no_volume_tiers",
        id="tiers-absurd",
    ),
    pytest.param({"cost_model": {"prices_as_of": 20261015}}, "cost_model.prices_undated", id="date-as-number"),
    pytest.param(
        {"workflow": {"integration": {"kind": "api"}}}, "workflow.no_output_destination", id="integration-as-dict"
    ),
    pytest.param(
        {"ownership": {"business_owner": ["Priya"], "budget_owner": {"name": "x"}}},
        "ownership.no_budget_owner",
        id="owners-junk",
    ),
]


@pytest.mark.parametrize(("scope", "expected_code"), ODD_SCOPES)
def test_odd_types_are_reported_as_gaps_not_raised(scope: dict[str, Any], expected_code: str) -> None:
    result = evaluate(scope, today=TODAY)

    assert expected_code in [finding.code for finding in result.findings]
    json.dumps(result.as_json())


@pytest.mark.parametrize(
    "placeholder",
    [
        "",
        "   ",
        "TBD",
        "tbd",
        " T.B.D. ",
        "TBC",
        "tba",
        "?",
        "??",
        "-",
        "—",
        "n/a",
        "N/A",
        "NA",
        "unknown",
        "Unknown.",
        "none",
        "None",
        "to be decided",
        "To Be Decided!",
        "to be confirmed",
        "nobody",
    ],
)
@pytest.mark.parametrize(
    ("owner", "code"),
    [("business_owner", "ownership.no_business_owner"), ("technical_owner", "ownership.no_technical_owner")],
)
def test_a_placeholder_owner_name_is_a_blocker(placeholder: str, owner: str, code: str) -> None:
    finding = finding_for(variant(((OWN, owner, "name"), placeholder)), code)

    assert (finding.severity, finding.field) == ("blocker", owner)


@pytest.mark.parametrize("name", ["Ana", "Nonie Tbdson", "N. A. Smith", "Dan Whitfield", "李华"])
def test_a_real_name_that_merely_looks_like_a_placeholder_is_accepted(name: str) -> None:
    scope = variant(((OWN, "business_owner", "name"), name), ((OWN, "technical_owner", "name"), name))

    assert codes(scope) == []


def test_the_placeholder_message_quotes_what_was_typed() -> None:
    finding = finding_for(variant(((OWN, "business_owner", "name"), "TBD")), "ownership.no_business_owner")

    assert "'TBD' is a placeholder" in finding.message


@pytest.mark.parametrize(
    ("typed", "quoted"),
    [
        ("Head of Operations (to be hired)", "to be hired"),
        ("Head of Ops (TBD)", "TBD"),
        ("Ops lead, n/a", "n/a"),
        ("Head of ops (t.b.d.)", "t.b.d."),
        ("Kim (new hire)", "new hire"),
        ("No one yet", "No one"),
        ("Priya?", "?"),
        ("Recruiting", "Recruiting"),
    ],
)
def test_a_placeholder_inside_an_owner_name_is_found_and_quoted(typed: str, quoted: str) -> None:
    finding = finding_for(variant(((OWN, "business_owner", "name"), typed)), "ownership.no_business_owner")

    assert f"'{quoted}' is a placeholder" in finding.message


def test_a_placeholder_inside_prose_counts_only_when_the_prose_is_entirely_one() -> None:
    prose = variant(((FS, "carries_forward"), "The pipeline now; the ERP integration later, once someone signs off"))
    stand_in = variant(((FS, "carries_forward"), "TBD"))

    assert codes(prose) == []
    assert codes(stand_in) == ["first_slice.nothing_carries_forward"]


def test_a_placeholder_baseline_is_quoted_in_the_metric_finding() -> None:
    finding = finding_for(
        variant(((PT, "success_metrics", 0, "baseline"), "TBD")), "production_target.no_success_metric"
    )

    assert "'TBD' is a placeholder, not a value" in finding.message


def test_the_high_risk_blocker_names_both_missing_fields_and_replaces_the_warning() -> None:
    scope = variant(((SEC, "eu_ai_act_risk"), "high"), ((FM, "human_in_the_loop"), ""), ((FM, "evaluation_plan"), ""))

    finding = finding_for(scope, "failure_modes.high_risk_unsupervised")

    assert "human in the loop or evaluation plan" in finding.message
    assert "failure_modes.no_human_in_the_loop" not in codes(scope)


def test_the_launch_loss_is_stated_in_money() -> None:
    finding = finding_for(variant(((CM, "tiers", "launch"), 900)), "cost_model.launch_loses_money")

    # 900 uses x (£2.80 value - £0.4724 variable) = £2,094.84; minus £2,200 fixed = -£105.16 a month
    assert "900 uses a month" in finding.message
    assert "£105.16 a month more" in finding.message


def test_the_owner_email_finding_names_the_owner() -> None:
    finding = finding_for(variant(((OWN, "business_owner", "email"), "n/a")), "ownership.no_business_owner_email")

    assert "Priya Raman" in finding.message


def test_the_volume_mismatch_states_both_volumes() -> None:
    finding = finding_for(variant(((PT, "volume_per_month"), 4000)), "production_target.volume_mismatch")

    assert "4,000 times a month" in finding.message
    assert "9,000 uses a month at scale" in finding.message


def test_each_hand_prepared_source_gets_its_own_finding_naming_it() -> None:
    scope = variant(
        ((DP, "sources", 0, "access_method"), "manual_export"),
        ((DP, "sources", 1, "refresh"), "one-off"),
    )

    messages = [f.message for f in evaluate(scope, today=TODAY).findings if f.code == "data_path.hand_prepared_source"]

    assert len(messages) == 2
    assert "'Supplier invoices'" in messages[0] and "manual export" in messages[0]
    assert "'Vendor master and chart of accounts'" in messages[1] and "one-off refresh" in messages[1]


def test_the_break_even_blocker_gives_both_figures() -> None:
    finding = finding_for(variant(((CM, "manual_minutes"), "0.5")), "cost_model.never_breaks_even")

    # value 0.5 min x £28 / 60 = £0.2333; variable = £0.00173 inference + £0.004 other + £0.4667 review = £0.4724
    assert "worth £0.23" in finding.message
    assert "costs £0.47" in finding.message
    assert "breaks the economics" in finding.message


def test_the_missing_inputs_blocker_names_every_gap_and_only_those() -> None:
    finding = finding_for(variant(((CM, "input_price"), None), ((CM, "hosting"), "")), "cost_model.missing_inputs")

    assert "input price per 1M tokens" in finding.message
    assert "hosting per month" in finding.message
    assert "output price" not in finding.message


def test_a_stale_price_date_is_a_warning_only_after_180_days() -> None:
    priced = date(2026, 10, 15)

    assert "cost_model.stale_prices" not in codes(EXAMPLE, today=date(2027, 4, 13))  # 180 days
    assert "cost_model.stale_prices" in codes(EXAMPLE, today=date(2027, 4, 14))  # 181 days
    assert f"{priced.isoformat()}" in finding_for(EXAMPLE, "cost_model.stale_prices", today=date(2028, 1, 1)).message


def test_the_break_even_blocker_states_break_even_and_scale_volume() -> None:
    finding = finding_for(variant(((CM, "tiers", "scale"), 945)), "cost_model.break_even_above_scale")

    # fixed £2,200 a month / margin (£2.80 - £0.4724) per use = 945.2, so 946 uses a month
    assert "946 uses a month" in finding.message
    assert "945 expected at scale" in finding.message


def test_a_single_blocker_blocks_only_its_gate() -> None:
    result = evaluate(variant(((WF, "acting_role"), "")), today=TODAY)

    assert result.score == 7
    assert result.is_ready is False
    assert result.gate("workflow") == "blocked"
    assert [finding.code for finding in result.blockers] == ["workflow.no_acting_role"]
    assert all(result.gate(section) == "clear" for section in SECTIONS if section != "workflow")


def test_warnings_alone_keep_the_score_and_readiness() -> None:
    result = evaluate(variant(((WF, "integration"), "file_export"), ((DP, "quality_checks"), "")), today=TODAY)

    assert result.score == 8
    assert result.is_ready is True
    assert (result.gate("workflow"), result.gate("data_path")) == ("warning", "warning")
    assert [finding.code for finding in result.warnings] == ["data_path.no_quality_checks", "workflow.not_integrated"]


def test_by_section_lists_every_section_in_order() -> None:
    grouped = evaluate(variant(((SEC, "audit_trail"), ""), ((OWN, "budget_owner"), "")), today=TODAY).by_section()

    assert list(grouped) == list(SECTIONS)
    assert [finding.code for finding in grouped["security"]] == ["security.no_audit_trail"]
    assert [finding.code for finding in grouped["ownership"]] == ["ownership.no_budget_owner"]
    assert grouped["cost_model"] == []


def test_as_json_carries_score_gates_and_findings() -> None:
    data = evaluate(variant(((PT, "workflow_name"), ""), ((PT, "latency_target"), "")), today=TODAY).as_json()

    assert data["score"] == 7
    assert data["out_of"] == 8
    assert data["gates"]["production_target"] == "blocked"
    assert data["gates"]["ownership"] == "clear"
    assert [(f["code"], f["severity"], f["section"], f["field"]) for f in data["findings"]] == [
        ("production_target.no_workflow", "blocker", "production_target", "workflow_name"),
        ("production_target.no_latency_target", "warning", "production_target", "latency_target"),
    ]
    assert json.loads(json.dumps(data)) == data


def test_gate_refuses_an_unknown_section() -> None:
    with pytest.raises(ValueError, match="Unknown section"):
        Readiness(findings=()).gate("budget")


def test_the_gates_are_the_catalogue_sections_with_their_labels() -> None:
    assert SECTIONS == catalogue.SECTION_KEYS
    assert SECTION_LABELS == catalogue.SECTION_LABELS


def test_every_code_is_tested_to_trip() -> None:
    tripped = {param.values[1] for param in TRIPS}

    assert tripped == set(CODES)


def test_the_module_docstring_lists_every_code_with_its_severity() -> None:
    for code, severity in CODES.items():
        assert re.search(rf"^\s+{re.escape(code)}\s+{severity}\b", readiness.__doc__ or "", re.MULTILINE), code


def test_every_code_belongs_to_the_section_it_names() -> None:
    assert {code.split(".")[0] for code in CODES} == set(SECTIONS)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_value_in_any_field_of_the_example_never_raises(data: st.DataObject) -> None:
    section = data.draw(st.sampled_from(SECTIONS))
    field = data.draw(st.sampled_from(sorted(EXAMPLE[section])))
    scope = variant(((section, field), data.draw(JSON_VALUES)))

    result = evaluate(scope, today=TODAY)

    assert 0 <= result.score <= 8
    json.dumps(result.as_json())


@settings(max_examples=200, deadline=None)
@given(scope=st.dictionaries(st.sampled_from(SECTIONS), JSON_VALUES, max_size=8))
def test_arbitrary_json_sections_never_raise(scope: dict[str, Any]) -> None:
    result = evaluate(scope, today=TODAY)

    assert all(finding.code in CODES for finding in result.findings)
