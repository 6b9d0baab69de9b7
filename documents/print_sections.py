"""The blocks the PDF prints for each of the eight sections: fields, tables, source cards, the cost figures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from documents.print_values import (
    as_mapping,
    as_rows,
    as_text,
    cell_item,
    choice_text,
    fields_block,
    long_date,
    money_cell,
    money_text,
    pairs_block,
    percent_text,
    person_text,
    print_columns,
    printed_label,
    quantity_text,
    table_block,
    value_item,
)
from scoping.scope.catalogue import TIER_LABELS
from scoping.scope.chart import cost_chart_svg
from scoping.scope.costs import TIERS, compute_costs, verdict


def _production_target(section: Mapping[str, Any]) -> list[dict]:
    metrics = [
        [
            cell_item(row.get("metric")),
            cell_item(row.get("baseline")),
            cell_item(row.get("target")),
            cell_item(row.get("measured_by")),
        ]
        for row in as_rows(section.get("success_metrics"))
    ]
    return [
        fields_block(
            [
                value_item(
                    printed_label("production_target", "problem_statement"), section.get("problem_statement"), long=True
                ),
                value_item(printed_label("production_target", "workflow_name"), section.get("workflow_name")),
                value_item(
                    printed_label("production_target", "workflow_trigger"), section.get("workflow_trigger"), long=True
                ),
                value_item(
                    printed_label("production_target", "workflow_steps"), section.get("workflow_steps"), long=True
                ),
                value_item(printed_label("production_target", "users"), section.get("users")),
                value_item(printed_label("production_target", "user_count"), section.get("user_count")),
                value_item(printed_label("production_target", "ai_role"), section.get("ai_role"), choice="ai_role"),
                value_item(printed_label("production_target", "volume_per_month"), section.get("volume_per_month")),
                value_item(printed_label("production_target", "latency_target"), section.get("latency_target")),
                value_item(
                    printed_label("production_target", "availability_target"), section.get("availability_target")
                ),
                value_item(
                    printed_label("production_target", "definition_of_production"),
                    section.get("definition_of_production"),
                    long=True,
                ),
                value_item(printed_label("production_target", "out_of_scope"), section.get("out_of_scope"), long=True),
            ]
        ),
        table_block(
            printed_label("production_target", "success_metrics"),
            print_columns("production_target", "success_metrics", (34, 18, 18, 30)),
            metrics,
            "No success metric stated.",
        ),
    ]


def _first_slice(section: Mapping[str, Any]) -> list[dict]:
    criteria = [
        [cell_item(row.get("criterion")), cell_item(row.get("threshold")), cell_item(row.get("measured_by"))]
        for row in as_rows(section.get("acceptance_criteria"))
    ]
    return [
        fields_block(
            [
                value_item(printed_label("first_slice", "description"), section.get("description"), long=True),
                value_item(printed_label("first_slice", "users"), section.get("users")),
                value_item(printed_label("first_slice", "in_scope"), section.get("in_scope"), long=True),
                value_item(printed_label("first_slice", "out_of_scope"), section.get("out_of_scope"), long=True),
                value_item(printed_label("first_slice", "carries_forward"), section.get("carries_forward"), long=True),
                value_item(printed_label("first_slice", "duration_weeks"), section.get("duration_weeks")),
                value_item(
                    printed_label("first_slice", "pilot_volume_per_month"), section.get("pilot_volume_per_month")
                ),
                value_item(printed_label("first_slice", "exit_criteria"), section.get("exit_criteria"), long=True),
                value_item(printed_label("first_slice", "decision_owner"), section.get("decision_owner")),
            ]
        ),
        table_block(
            printed_label("first_slice", "acceptance_criteria"),
            print_columns("first_slice", "acceptance_criteria", (42, 24, 34)),
            criteria,
            "No acceptance criterion stated.",
        ),
    ]


def _data_path(section: Mapping[str, Any]) -> list[dict]:
    cards = []
    for position, row in enumerate(as_rows(section.get("sources")), start=1):
        production = row.get("used_in_production")
        cards.append(
            {
                "title": as_text(row.get("name")) or f"Source {position}",
                "tags": [
                    tag
                    for tag in (
                        choice_text("kind", row.get("kind")),
                        choice_text("sensitivity", row.get("sensitivity")),
                        printed_label("data_path", "sources.used_in_production")
                        if production is True
                        else "Pilot only"
                        if production is False
                        else "",
                    )
                    if tag
                ],
                "facts": [
                    value_item(printed_label("data_path", "sources.system"), row.get("system")),
                    value_item(printed_label("data_path", "sources.owner"), row.get("owner")),
                    value_item(printed_label("data_path", "sources.volume"), row.get("volume")),
                    value_item(printed_label("data_path", "sources.personal_data"), row.get("personal_data")),
                    value_item(
                        printed_label("data_path", "sources.access_method"),
                        row.get("access_method"),
                        choice="access_method",
                    ),
                    value_item(printed_label("data_path", "sources.refresh"), row.get("refresh"), choice="refresh"),
                    value_item(
                        printed_label("data_path", "sources.access_status"),
                        row.get("access_status"),
                        choice="access_status",
                    ),
                ],
                "items": [],
            }
        )
    return [
        fields_block(
            [
                value_item(printed_label("data_path", "pipeline"), section.get("pipeline"), long=True),
                value_item(printed_label("data_path", "quality_checks"), section.get("quality_checks"), long=True),
                value_item(printed_label("data_path", "ground_truth"), section.get("ground_truth"), long=True),
                value_item(printed_label("data_path", "retention"), section.get("retention"), long=True),
            ]
        ),
        {
            "type": "cards",
            "title": printed_label("data_path", "sources"),
            "cards": cards,
            "empty": "No data source stated.",
        },
    ]


def _failure_modes(section: Mapping[str, Any]) -> list[dict]:
    cards = []
    for position, row in enumerate(as_rows(section.get("items")), start=1):
        likelihood = choice_text("likelihood", row.get("likelihood"))
        impact = choice_text("impact", row.get("impact"))
        cards.append(
            {
                "title": as_text(row.get("scenario")) or f"Failure mode {position}",
                "tags": [
                    tag
                    for tag in (
                        choice_text("category", row.get("category")),
                        f"{printed_label('failure_modes', 'items.likelihood')}: {likelihood}" if likelihood else "",
                        f"{printed_label('failure_modes', 'items.impact')}: {impact}" if impact else "",
                    )
                    if tag
                ],
                "severe": str(row.get("impact") or "").lower() in {"high", "critical"},
                "facts": [value_item(printed_label("failure_modes", "items.owner"), row.get("owner"))],
                "items": [
                    value_item(printed_label("failure_modes", "items.detection"), row.get("detection"), long=True),
                    value_item(printed_label("failure_modes", "items.handling"), row.get("handling"), long=True),
                ],
            }
        )
    return [
        fields_block(
            [
                value_item(
                    printed_label("failure_modes", "human_in_the_loop"), section.get("human_in_the_loop"), long=True
                ),
                value_item(
                    printed_label("failure_modes", "evaluation_plan"), section.get("evaluation_plan"), long=True
                ),
            ]
        ),
        {
            "type": "cards",
            "title": printed_label("failure_modes", "items"),
            "cards": cards,
            "empty": "No failure mode stated.",
        },
    ]


def _security(section: Mapping[str, Any]) -> list[dict]:
    roles = [
        [cell_item(row.get("role")), cell_item(row.get("who")), cell_item(row.get("permissions"))]
        for row in as_rows(section.get("access_roles"))
    ]
    return [
        fields_block(
            [
                value_item(
                    printed_label("security", "data_classification"),
                    section.get("data_classification"),
                    choice="data_classification",
                ),
                value_item(printed_label("security", "personal_data"), section.get("personal_data")),
                value_item(
                    printed_label("security", "personal_data_types"), section.get("personal_data_types"), long=True
                ),
                value_item(printed_label("security", "regimes"), section.get("regimes"), choice="regimes"),
                value_item(
                    printed_label("security", "eu_ai_act_risk"), section.get("eu_ai_act_risk"), choice="eu_ai_act_risk"
                ),
                value_item(
                    printed_label("security", "authentication"), section.get("authentication"), choice="authentication"
                ),
                value_item(printed_label("security", "audit_trail"), section.get("audit_trail"), long=True),
                value_item(printed_label("security", "model_provider"), section.get("model_provider")),
                value_item(printed_label("security", "data_residency"), section.get("data_residency")),
                value_item(
                    printed_label("security", "vendor_training_opt_out"), section.get("vendor_training_opt_out")
                ),
                value_item(printed_label("security", "threats"), section.get("threats"), long=True),
            ]
        ),
        table_block(
            printed_label("security", "access_roles"),
            print_columns("security", "access_roles", (26, 26, 48)),
            roles,
            "No access role stated.",
        ),
    ]


def _cost_model(section: Mapping[str, Any], currency: str) -> list[dict]:
    result = compute_costs(section)
    per_use = result.per_use
    tier_rows = []
    for tier in TIERS:
        cost = result.tiers[tier]
        tier_rows.append(
            [
                {"text": TIER_LABELS[tier], "missing": False},
                {"text": f"{cost.volume:,}" if cost.volume is not None else "—", "missing": cost.volume is None},
                money_cell(cost.cost_per_use, currency, per_use=True),
                money_cell(cost.monthly_cost, currency),
                money_cell(cost.monthly_net, currency),
            ]
        )
    breakdown = [
        ("Inference, with retries", per_use.inference_adj if per_use else None, False),
        ("Retrieval", per_use.retrieval if per_use else None, False),
        ("Other per use", per_use.other if per_use else None, False),
        ("Human review", per_use.review if per_use else None, False),
        ("Variable cost per use", per_use.variable if per_use else None, True),
        ("Value per use (time saved)", result.value_per_use, True),
    ]
    per_use_rows = [
        [{"text": label, "missing": False, "strong": strong}, money_cell(value, currency, per_use=True)]
        for label, value, strong in breakdown
    ]
    per_use_rows.append(
        [
            {"text": "Fixed cost a month", "missing": False, "strong": True},
            money_cell(result.fixed_monthly, currency),
        ]
    )
    if result.break_even_volume is not None:
        break_even = {"text": f"{result.break_even_volume:,} uses a month", "missing": False}
    elif result.never_breaks_even:
        break_even = {"text": "Never: each use costs more than it saves", "missing": True}
    else:
        break_even = {"text": "—", "missing": True}
    per_use_rows.append([{"text": "Break-even volume", "missing": False, "strong": True}, break_even])
    return [
        {"type": "verdict", "text": verdict(result)},
        {"type": "chart", "svg": cost_chart_svg(section)},
        table_block(
            "By volume tier",
            (
                ("Tier", 16),
                ("Uses a month", 18, "num"),
                ("Cost per use", 20, "num"),
                ("Monthly cost", 22, "num"),
                ("Monthly net", 24, "num"),
            ),
            tier_rows,
            "",
        ),
        table_block("Per use and fixed", (("Component", 62), ("Amount", 38, "num")), per_use_rows, ""),
        pairs_block(
            [
                value_item(printed_label("cost_model", "model"), section.get("model")),
                value_item(printed_label("cost_model", "prices_as_of"), long_date(section.get("prices_as_of"))),
                value_item(printed_label("cost_model", "calls_per_use"), section.get("calls_per_use")),
                value_item(printed_label("cost_model", "input_tokens"), section.get("input_tokens")),
                value_item(printed_label("cost_model", "output_tokens"), section.get("output_tokens")),
                value_item(
                    printed_label("cost_model", "cached_share_pct"), percent_text(section.get("cached_share_pct"))
                ),
                value_item(
                    printed_label("cost_model", "input_price"),
                    money_text(section.get("input_price"), currency, "per 1M tokens"),
                ),
                value_item(
                    printed_label("cost_model", "cached_input_price"),
                    money_text(section.get("cached_input_price"), currency, "per 1M tokens"),
                ),
                value_item(
                    printed_label("cost_model", "output_price"),
                    money_text(section.get("output_price"), currency, "per 1M tokens"),
                ),
                value_item(
                    printed_label("cost_model", "retry_overhead_pct"), percent_text(section.get("retry_overhead_pct"))
                ),
                value_item(
                    printed_label("cost_model", "review_rate_pct"), percent_text(section.get("review_rate_pct"))
                ),
                value_item(
                    printed_label("cost_model", "review_minutes"),
                    quantity_text(section.get("review_minutes"), "minute", "minutes"),
                ),
                value_item(
                    printed_label("cost_model", "reviewer_hourly_rate"),
                    money_text(section.get("reviewer_hourly_rate"), currency, "an hour"),
                ),
                value_item(
                    printed_label("cost_model", "hosting"), money_text(section.get("hosting"), currency, "a month")
                ),
                value_item(
                    printed_label("cost_model", "monitoring"),
                    money_text(section.get("monitoring"), currency, "a month"),
                ),
                value_item(
                    printed_label("cost_model", "licences"), money_text(section.get("licences"), currency, "a month")
                ),
                value_item(
                    printed_label("cost_model", "maintenance_hours"),
                    quantity_text(section.get("maintenance_hours"), "hour a month", "hours a month"),
                ),
                value_item(
                    printed_label("cost_model", "maintenance_rate"),
                    money_text(section.get("maintenance_rate"), currency, "an hour"),
                ),
                value_item(
                    printed_label("cost_model", "manual_minutes"),
                    quantity_text(section.get("manual_minutes"), "minute", "minutes"),
                ),
                value_item(
                    printed_label("cost_model", "manual_hourly_rate"),
                    money_text(section.get("manual_hourly_rate"), currency, "an hour"),
                ),
                value_item(
                    printed_label("cost_model", "other_value_per_use"),
                    money_text(section.get("other_value_per_use"), currency),
                ),
            ],
            title="Assumptions",
        ),
    ]


def _workflow(section: Mapping[str, Any]) -> list[dict]:
    return [
        fields_block(
            [
                value_item(printed_label("workflow", "output_destination"), section.get("output_destination")),
                value_item(printed_label("workflow", "integration"), section.get("integration"), choice="integration"),
                value_item(printed_label("workflow", "acting_role"), section.get("acting_role")),
                value_item(printed_label("workflow", "action"), section.get("action"), long=True),
                value_item(printed_label("workflow", "feedback_loop"), section.get("feedback_loop"), long=True),
                value_item(printed_label("workflow", "change_management"), section.get("change_management"), long=True),
                value_item(printed_label("workflow", "fallback"), section.get("fallback"), long=True),
            ]
        )
    ]


def _ownership(section: Mapping[str, Any]) -> list[dict]:
    business = as_mapping(section.get("business_owner"))
    technical = as_mapping(section.get("technical_owner"))
    duties = [
        [cell_item(row.get("responsibility")), cell_item(row.get("owner")), cell_item(row.get("cadence"))]
        for row in as_rows(section.get("responsibilities"))
    ]
    return [
        fields_block(
            [
                value_item(printed_label("ownership", "business_owner.name"), person_text(business)),
                value_item(printed_label("ownership", "business_owner.email"), business.get("email")),
                value_item(printed_label("ownership", "technical_owner.name"), person_text(technical)),
                value_item(printed_label("ownership", "technical_owner.email"), technical.get("email")),
                value_item(printed_label("ownership", "budget_owner"), section.get("budget_owner")),
                value_item(
                    printed_label("ownership", "support_model"), section.get("support_model"), choice="support_model"
                ),
                value_item(printed_label("ownership", "handover_date"), long_date(section.get("handover_date"))),
            ]
        ),
        table_block(
            printed_label("ownership", "responsibilities"),
            print_columns("ownership", "responsibilities", (46, 32, 22)),
            duties,
            "No post-launch responsibility stated.",
        ),
    ]


_SECTION_BUILDERS = {
    "production_target": _production_target,
    "first_slice": _first_slice,
    "data_path": _data_path,
    "failure_modes": _failure_modes,
    "security": _security,
    "workflow": _workflow,
    "ownership": _ownership,
}


def section_blocks(key: str, content: Mapping[str, Any], currency: str) -> list[dict]:
    """The printed blocks of one section's content (the cost model also needs the currency)."""
    if key == "cost_model":
        return _cost_model(content, currency)
    return _SECTION_BUILDERS[key](content)
