"""The blocks the PDF prints for each of the eight sections: fields, tables, source cards, the cost figures."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import ROUND_CEILING, Context, Decimal, localcontext
from fractions import Fraction
from typing import Any

from documents.print_values import (
    as_mapping,
    as_rows,
    as_text,
    cell_item,
    choice_text,
    fields_block,
    is_blank,
    long_date,
    money_cell,
    money_text,
    pairs_block,
    percent_text,
    person_text,
    print_columns,
    printed_label,
    quantity_text,
    short_date,
    table_block,
    value_item,
)
from scoping.scope.catalogue import TIER_LABELS
from scoping.scope.chart import cost_chart_svg, cost_per_use_chart_svg
from scoping.scope.costs import TIERS, CostResult, compute_costs, format_money, verdict


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


# --- the cost model -------------------------------------------------------------------------------------------------
# The figures come first (what the client decides on), then the inputs they are worked out from. A /1 snapshot
# arrives here already upgraded, its per-call fields as one model step.

# The step table is split in two so that each fits the width of an A4 page: what each step calls, then its prices.
# The model's retirement date sits next to the model it belongs to.
_STEP_USE_COLUMNS = (
    ("name", 22),
    ("provider", 11),
    ("model", 17),
    ("deprecation_date", 11),
    ("calls_per_use", 9, "num"),
    ("input_tokens", 10, "num"),
    ("output_tokens", 10, "num"),
    ("reasoning_tokens", 10, "num"),
)
_STEP_PRICE_COLUMNS = (
    ("name", 19),
    ("input_price", 9, "num"),
    ("cached_share_pct", 9, "num"),
    ("cached_input_price", 9, "num"),
    ("cache_write_share_pct", 9, "num"),
    ("cache_write_price", 9, "num"),
    ("output_price", 9, "num"),
    ("reasoning_price", 10, "num"),
    ("batch_share_pct", 8, "num"),
    ("batch_discount_pct", 9, "num"),
)
# A table this short is kept on one page rather than split after its first row.
_KEEP_TOGETHER_ROWS = 8
# A price or discount that is not needed while its share is zero: blank then is no gap (as in ``cost_steps``).
_NEEDED_WHEN = {
    "cached_input_price": "cached_share_pct",
    "cache_write_price": "cache_write_share_pct",
    "batch_discount_pct": "batch_share_pct",
}
_STEP_PERCENTS = {"cached_share_pct", "cache_write_share_pct", "batch_share_pct", "batch_discount_pct"}
_STEP_OPTIONAL = {"provider", "deprecation_date"}
_LOAD_FIELDS = ("peak_share_pct", "rate_limit_rpm", "rate_limit_tpm")


def _cost_label(path: str) -> str:
    return printed_label("cost_model", path)


def _exact_decimal(value: Fraction | None) -> Decimal | None:
    """An exact fraction as a Decimal for the money formatter, wide enough that formatting does the only rounding."""
    if value is None:
        return None
    with localcontext(Context(prec=60)):
        return Decimal(value.numerator) / Decimal(value.denominator)


def _is_zero(value: Any) -> bool:
    try:
        return Decimal(str(value).strip()) == 0
    except ArithmeticError:
        return False


def _step_title(position: int, row: Mapping[str, Any]) -> str:
    """Numbered, so a step reads the same in each of the step tables."""
    name = as_text(row.get("name"))
    return f"{position}. {name}" if name else f"Step {position}"


def _step_cell(row: Mapping[str, Any], key: str, position: int, currency: str) -> dict:
    raw = row.get(key)
    if key == "name":
        return {"text": _step_title(position, row), "missing": False}
    if is_blank(raw):
        if key == "reasoning_price" and not is_blank(row.get("output_price")):
            return {"text": "As output", "missing": False}  # DESIGN.md: a blank reasoning price is the output price
        not_needed = key in _NEEDED_WHEN and _is_zero(row.get(_NEEDED_WHEN[key]))
        return {"text": "—", "missing": not (not_needed or key in _STEP_OPTIONAL)}
    if key in _STEP_PERCENTS:
        return {"text": percent_text(raw), "missing": False}
    if key.endswith("_price"):
        return {"text": money_text(raw, currency), "missing": False}
    if key == "deprecation_date":
        return {"text": short_date(raw), "missing": False}
    return cell_item(raw)


def _step_table(title: str, columns: tuple[tuple, ...], steps: list[Mapping[str, Any]], currency: str) -> dict:
    block = table_block(
        title,
        tuple((_cost_label(f"steps.{key}"), *rest) for key, *rest in columns),
        [
            [_step_cell(row, column[0], position, currency) for column in columns]
            for position, row in enumerate(steps, start=1)
        ],
        "No model step stated.",
    )
    # Ten figures a row: smaller type, headings not in capitals.
    return {**block, "compact": True, "keep": len(steps) <= _KEEP_TOGETHER_ROWS}


def _step_blocks(steps: list[Mapping[str, Any]], currency: str) -> list[dict]:
    blocks = [_step_table(_cost_label("steps"), _STEP_USE_COLUMNS, steps, currency)]
    if steps:
        blocks.append(_step_table("Prices per 1M tokens, caching and batch", _STEP_PRICE_COLUMNS, steps, currency))
    return blocks


def _step_costs_block(
    steps: list[Mapping[str, Any]], section: Mapping[str, Any], result: CostResult, currency: str
) -> dict:
    """Each step's model cost of one use, then the residency uplift, adding up to the model inference per use."""
    figures = result.steps
    costs = {step.position: step.cost for step in figures.steps} if figures is not None else {}
    blank = {"text": "", "missing": False}
    rows = [
        [
            {"text": _step_title(position, row), "missing": False},
            cell_item(row.get("model")),
            cell_item(row.get("calls_per_use")),
            money_cell(_exact_decimal(costs.get(position)), currency, per_use=True),
        ]
        for position, row in enumerate(steps, start=1)
    ]
    uplift = figures.residency_uplift if figures is not None else None
    inference = figures.inference if figures is not None else None
    if uplift is None or uplift != 0:
        amount = sum(costs.values(), Fraction(0)) * uplift if inference is not None and uplift is not None else None
        label = _cost_label("residency_uplift_pct")
        percent = percent_text(section.get("residency_uplift_pct"))
        rows.append(
            [
                {"text": f"{label} ({percent})" if percent else label, "missing": False},
                blank,
                blank,
                money_cell(_exact_decimal(amount), currency, per_use=True),
            ]
        )
    rows.append(
        [
            {"text": "Model inference per use", "missing": False, "strong": True},
            blank,
            blank,
            money_cell(_exact_decimal(inference), currency, per_use=True),
        ]
    )
    block = table_block(
        "Model cost of one use, by step (before retries)",
        (
            (_cost_label("steps.name"), 42),
            (_cost_label("steps.model"), 26),
            (_cost_label("steps.calls_per_use"), 14, "num"),
            ("Cost per use", 18, "num"),
        ),
        rows,
        "",
    )
    return {**block, "keep": len(rows) <= _KEEP_TOGETHER_ROWS}


def _per_minute(value: Fraction) -> str:
    """A rate a minute: whole from 1,000, one decimal from 10, else two significant figures (0.042).

    Rounded up, so that a peak just over a limit never prints as equal to it.
    """
    if value >= 1000:
        return f"{math.ceil(value):,}"
    amount = _exact_decimal(value)
    places = Decimal("0.1") if value >= 10 else Decimal(1).scaleb(min(-1, amount.adjusted() - 1))
    return f"{amount.quantize(places, rounding=ROUND_CEILING).normalize():,f}"


def _whole_count(value: Fraction | None) -> str:
    return f"{math.ceil(value):,}" if value is not None else "—"


def _peak_row(label: str, peak: Fraction, limit: Fraction | None, over: bool) -> list[dict]:
    if limit is None:
        check = {"text": "No limit stated", "missing": False}
    elif over:
        check = {"text": "Over the limit", "missing": True, "strong": True}
    else:
        check = {"text": "Within the limit", "missing": False}
    return [
        {"text": label, "missing": False},
        {"text": _per_minute(peak), "missing": False},
        {"text": _whole_count(limit) if limit is not None else "—", "missing": False},
        check,
    ]


def _peak_blocks(section: Mapping[str, Any], result: CostResult) -> list[dict]:
    """The busiest minute at scale volume against the provider's stated rate limits, when a peak share is given."""
    peak = result.peak
    if peak is None:
        if all(is_blank(section.get(name)) for name in _LOAD_FIELDS):
            return []
        return [
            {
                "type": "verdict",
                "text": f"The peak load cannot be checked yet: it needs the {_cost_label('peak_share_pct').lower()}, "
                "the scale volume and every model step complete.",
            }
        ]
    table = table_block(
        "Peak load at scale volume",
        (("Busiest minute", 34), ("Peak", 20, "num"), ("Stated limit", 22, "num"), ("Check", 24, "num")),
        [
            _peak_row("Requests a minute", peak.calls_per_minute, peak.rate_limit_rpm, peak.over_rpm),
            _peak_row("Tokens a minute", peak.tokens_per_minute, peak.rate_limit_tpm, peak.over_tpm),
        ],
        "",
    )
    blocks = [{**table, "keep": True}]
    over = [
        f"{_per_minute(needed)} {unit} a minute against a limit of {_whole_count(limit)}"
        for needed, limit, unit, is_over in (
            (peak.calls_per_minute, peak.rate_limit_rpm, "requests", peak.over_rpm),
            (peak.tokens_per_minute, peak.rate_limit_tpm, "tokens", peak.over_tpm),
        )
        if is_over
    ]
    if over:
        blocks.append(
            {
                "type": "verdict",
                "warning": True,
                "text": f"At scale volume the busiest minute is over the provider's stated rate limit: "
                f"{' and '.join(over)}. Raise the limit with the provider, spread the load or queue the work "
                "before launch.",
            }
        )
    return blocks


def _self_hosted_inputs(section: Mapping[str, Any], currency: str) -> dict:
    block = as_mapping(section.get("self_hosted"))

    def label(key: str) -> str:
        return _cost_label(f"self_hosted.{key}")

    return pairs_block(
        [
            value_item(label("gpu_count"), block.get("gpu_count")),
            value_item(label("gpu_hourly_rate"), money_text(block.get("gpu_hourly_rate"), currency, "an hour")),
            value_item(
                label("tokens_per_second_per_gpu"),
                quantity_text(block.get("tokens_per_second_per_gpu"), "token a second", "tokens a second"),
            ),
            value_item(label("utilisation_pct"), percent_text(block.get("utilisation_pct"))),
            value_item(
                label("ops_hours_per_month"),
                quantity_text(block.get("ops_hours_per_month"), "hour a month", "hours a month"),
            ),
        ],
        title=_cost_label("self_hosted"),
    )


def _self_hosted_figures(result: CostResult, currency: str) -> list[dict]:
    """Running the model on rented GPUs against the API steps: cost, capacity, and the volume where it pays."""
    hosted = result.self_hosted
    if hosted is None:
        return []
    if hosted.problems:
        blank = [_cost_label(problem.path).lower() for problem in hosted.problems if problem.blank]
        refused = [f"{_cost_label(problem.path)} {problem.message}" for problem in hosted.problems if not problem.blank]
        parts = ([f"missing {', '.join(blank)}"] if blank else []) + refused
        return [{"type": "verdict", "text": f"The self-hosted alternative cannot be compared yet: {'; '.join(parts)}."}]
    scale = result.tiers["scale"].volume
    per_use = result.per_use
    api_at_scale = per_use.inference_adj * scale if per_use is not None and scale is not None else None
    cheaper = hosted.cheaper_above
    rows = [
        ["Self-hosted cost a month (GPUs and operations)", format_money(_exact_decimal(hosted.monthly), currency)],
        ["API model cost a month at scale volume, with retries", format_money(api_at_scale, currency)],
        ["Self-hosted capacity a month", _tokens(hosted.capacity_tokens, math.floor)],
        ["Tokens needed at scale volume", _tokens(hosted.scale_tokens, math.ceil)],
        ["Cheaper than the API from", f"{cheaper:,} uses a month" if cheaper is not None else "—"],
    ]
    table = table_block(
        "Self-hosted against the API",
        (("Comparison", 62), ("Figure", 38, "num")),
        [[{"text": label, "missing": False}, {"text": text, "missing": text == "—"}] for label, text in rows],
        "",
    )
    blocks = [{**table, "keep": True}]
    sentences = []
    if cheaper is not None and scale is not None:
        side = "self-hosting would cost less" if cheaper <= scale else "the API stays cheaper"
        sentences.append(f"Self-hosting becomes cheaper from {cheaper:,} uses a month, so at scale volume {side}.")
    if hosted.covers_scale is False:
        sentences.append("Its capacity does not cover the scale tier: it would need more GPUs.")
    elif hosted.covers_scale:
        sentences.append("Its capacity covers the scale tier.")
    if sentences:
        blocks.append({"type": "verdict", "warning": hosted.covers_scale is False, "text": " ".join(sentences)})
    return blocks


def _tokens(value: Fraction | None, rounding: Callable[[Fraction], int]) -> str:
    return f"{rounding(value):,} tokens" if value is not None else "—"


def _breakdown_block(result: CostResult, currency: str) -> dict:
    per_use = result.per_use
    breakdown = [
        ("Inference, with retries", per_use.inference_adj if per_use else None, False),
        ("Retrieval", per_use.retrieval if per_use else None, False),
        ("Other per use", per_use.other if per_use else None, False),
        ("Human review", per_use.review if per_use else None, False),
        ("Variable cost per use", per_use.variable if per_use else None, True),
        ("Value per use (time saved)", result.value_per_use, True),
    ]
    rows = [
        [{"text": label, "missing": False, "strong": strong}, money_cell(value, currency, per_use=True)]
        for label, value, strong in breakdown
    ]
    rows.append(
        [{"text": "Fixed cost a month", "missing": False, "strong": True}, money_cell(result.fixed_monthly, currency)]
    )
    if result.break_even_volume is not None:
        break_even = {"text": f"{result.break_even_volume:,} uses a month", "missing": False}
    elif result.never_breaks_even:
        break_even = {"text": "Never: each use costs more than it saves", "missing": True}
    else:
        break_even = {"text": "—", "missing": True}
    rows.append([{"text": "Break-even volume", "missing": False, "strong": True}, break_even])
    return table_block("Per use and fixed", (("Component", 62), ("Amount", 38, "num")), rows, "")


def _tiers_block(result: CostResult, currency: str) -> dict:
    rows = []
    for tier in TIERS:
        cost = result.tiers[tier]
        rows.append(
            [
                {"text": TIER_LABELS[tier], "missing": False},
                {"text": f"{cost.volume:,}" if cost.volume is not None else "—", "missing": cost.volume is None},
                money_cell(cost.cost_per_use, currency, per_use=True),
                money_cell(cost.monthly_cost, currency),
                money_cell(cost.monthly_net, currency),
            ]
        )
    return table_block(
        "By volume tier",
        (
            ("Tier", 16),
            ("Uses a month", 18, "num"),
            ("Cost per use", 20, "num"),
            ("Monthly cost", 22, "num"),
            ("Monthly net", 24, "num"),
        ),
        rows,
        "",
    )


def _assumptions(section: Mapping[str, Any], currency: str) -> dict:
    def money(key: str, unit: str = "") -> dict:
        return value_item(_cost_label(key), money_text(section.get(key), currency, unit))

    def percent(key: str) -> dict:
        return value_item(_cost_label(key), percent_text(section.get(key)))

    def quantity(key: str, singular: str, plural: str) -> dict:
        return value_item(_cost_label(key), quantity_text(section.get(key), singular, plural))

    # The peak share and rate limits are optional: printed only when given, so no scope shows a gap it need not fill.
    load_items = (
        percent("peak_share_pct"),
        value_item(_cost_label("rate_limit_rpm"), section.get("rate_limit_rpm")),
        value_item(_cost_label("rate_limit_tpm"), section.get("rate_limit_tpm")),
    )
    load = [item for key, item in zip(_LOAD_FIELDS, load_items, strict=True) if not is_blank(section.get(key))]
    return pairs_block(
        [
            value_item(_cost_label("currency"), currency),
            value_item(_cost_label("prices_as_of"), long_date(section.get("prices_as_of"))),
            percent("residency_uplift_pct"),
            *load,
            percent("retry_overhead_pct"),
            money("retrieval_per_use"),
            money("other_per_use"),
            percent("review_rate_pct"),
            quantity("review_minutes", "minute", "minutes"),
            money("reviewer_hourly_rate", "an hour"),
            money("hosting", "a month"),
            money("monitoring", "a month"),
            money("licences", "a month"),
            quantity("maintenance_hours", "hour a month", "hours a month"),
            money("maintenance_rate", "an hour"),
            quantity("manual_minutes", "minute", "minutes"),
            money("manual_hourly_rate", "an hour"),
            money("other_value_per_use"),
        ],
        title="Assumptions",
    )


def _cost_model(section: Mapping[str, Any], currency: str) -> list[dict]:
    result = compute_costs(section)
    steps = as_rows(section.get("steps"))
    inputs = [*_step_blocks(steps, currency), _assumptions(section, currency)]
    if result.self_hosted is not None:
        inputs.append(_self_hosted_inputs(section, currency))
    return [
        {"type": "verdict", "text": verdict(result)},
        {
            "type": "chart",
            "anchor": "cost-chart",
            "svg": cost_chart_svg(section),
            "caption": "Monthly cost against the value of the time saved, across monthly volume.",
        },
        {
            "type": "chart",
            "svg": cost_per_use_chart_svg(section),
            "caption": "Cost of one use against monthly volume: fixed costs spread over more uses, against the value "
            "of one use.",
        },
        _tiers_block(result, currency),
        _breakdown_block(result, currency),
        *([_step_costs_block(steps, section, result, currency)] if steps else []),
        *_peak_blocks(section, result),
        *_self_hosted_figures(result, currency),
        *inputs,
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
