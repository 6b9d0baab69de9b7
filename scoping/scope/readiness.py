"""Readiness engine: decides whether a scope is fit to build the first production slice.

A pure function over the scope JSON (DESIGN.md "Scope JSON"), so the web page, the PDF, ``scope_check`` and the
importer all judge a scope the same way. It never raises on odd input: a missing key, ``None``, ``""``,
whitespace-only text, or a value of the wrong type all count as "not given", and the gap is reported.

Eight gates, one per section; the score is the number of gates without a blocker, out of 8.

Codes (stable; accepted risks refer to them):

production_target
    production_target.no_workflow             blocker  workflow_name blank
    production_target.no_volume               blocker  volume_per_month missing, not a number, or <= 0
    production_target.no_success_metric       blocker  no success metric row with metric, baseline and target
    production_target.no_latency_target       warning  latency_target blank (one finding of its own)
    production_target.no_availability_target  warning  availability_target blank (one finding of its own)
first_slice
    first_slice.no_description                blocker  description blank
    first_slice.no_acceptance_criterion       blocker  no acceptance_criteria row with a criterion
    first_slice.nothing_carries_forward       blocker  carries_forward blank
    first_slice.long_pilot                    warning  duration_weeks > 12
data_path
    data_path.no_sources                      blocker  no source row
    data_path.hand_prepared_source            blocker  per production source fed by manual_export or one_off refresh
    data_path.source_access_blocked           warning  per source whose access_status is blocked
    data_path.source_access_unknown           warning  per source whose access_status is unknown, blank or invalid
    data_path.no_quality_checks               warning  quality_checks blank
failure_modes
    failure_modes.too_few                     blocker  fewer than 3 failure modes with a scenario
    failure_modes.severe_mode_unhandled       blocker  per high/critical impact mode with blank detection or handling
    failure_modes.no_model_error_mode         blocker  no mode with category model_error or hallucination
    failure_modes.no_human_in_the_loop        warning  human_in_the_loop blank
security
    security.no_access_roles                  blocker  no access_roles row with a role
    security.no_audit_trail                   blocker  audit_trail blank
    security.no_authentication                blocker  confidential/restricted data (data_classification or any
                                                       source sensitivity) and authentication blank or "none"
    security.personal_data_unregulated        warning  personal data (security.personal_data or any source's
                                                       personal_data) with no regime AND no data_residency; one
                                                       finding, since either statement shows someone looked
cost_model  (figures from scoping.scope.costs.compute_costs)
    cost_model.no_volume_tiers                blocker  pilot, launch and scale all missing or zero
    cost_model.missing_inputs                 blocker  a figure the cost computation needs is blank, not a number,
                                                       negative, or a percentage over 100 (fields named)
    cost_model.never_breaks_even              blocker  value per use <= variable cost per use
    cost_model.prices_undated                 warning  prices_as_of missing or not a date
    cost_model.stale_prices                   warning  prices_as_of more than 180 days before today
    cost_model.break_even_above_scale         warning  break-even volume above the scale tier volume
workflow
    workflow.no_output_destination            blocker  output_destination blank
    workflow.no_acting_role                   blocker  acting_role blank
    workflow.not_integrated                   warning  integration is standalone_ui or file_export
ownership
    ownership.no_business_owner               blocker  business_owner.name blank or a placeholder
    ownership.no_technical_owner              blocker  technical_owner.name blank or a placeholder
    ownership.no_responsibilities             warning  no responsibilities row with a responsibility
    ownership.no_budget_owner                 warning  budget_owner blank or a placeholder

Placeholders (case-, space- and punctuation-insensitive): TBD, TBA, TBC, ?, -, n/a, none, unknown, to be decided,
to be determined, to be confirmed, to be agreed, unassigned, nobody, no one, pending, null.
Choice values are compared case-insensitively, with spaces and hyphens read as underscores ("Manual export").
Numbers may arrive as numbers or numeric strings ("9000", "2.50").
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, NamedTuple

from scoping.scope import catalogue
from scoping.scope.catalogue import SECTION_KEYS, SECTION_LABELS
from scoping.scope.costs import TIERS, compute_costs, format_money

SECTIONS: tuple[str, ...] = SECTION_KEYS

BLOCKER: Literal["blocker"] = "blocker"
WARNING: Literal["warning"] = "warning"

Severity = Literal["blocker", "warning"]
GateStatus = Literal["blocked", "warning", "clear"]

# Every code the engine can emit, with its severity. Importers check accepted_risks[].code against it.
CODES: dict[str, Severity] = {
    "production_target.no_workflow": BLOCKER,
    "production_target.no_volume": BLOCKER,
    "production_target.no_success_metric": BLOCKER,
    "production_target.no_latency_target": WARNING,
    "production_target.no_availability_target": WARNING,
    "first_slice.no_description": BLOCKER,
    "first_slice.no_acceptance_criterion": BLOCKER,
    "first_slice.nothing_carries_forward": BLOCKER,
    "first_slice.long_pilot": WARNING,
    "data_path.no_sources": BLOCKER,
    "data_path.hand_prepared_source": BLOCKER,
    "data_path.source_access_blocked": WARNING,
    "data_path.source_access_unknown": WARNING,
    "data_path.no_quality_checks": WARNING,
    "failure_modes.too_few": BLOCKER,
    "failure_modes.severe_mode_unhandled": BLOCKER,
    "failure_modes.no_model_error_mode": BLOCKER,
    "failure_modes.no_human_in_the_loop": WARNING,
    "security.no_access_roles": BLOCKER,
    "security.no_audit_trail": BLOCKER,
    "security.no_authentication": BLOCKER,
    "security.personal_data_unregulated": WARNING,
    "cost_model.no_volume_tiers": BLOCKER,
    "cost_model.missing_inputs": BLOCKER,
    "cost_model.never_breaks_even": BLOCKER,
    "cost_model.prices_undated": WARNING,
    "cost_model.stale_prices": WARNING,
    "cost_model.break_even_above_scale": WARNING,
    "workflow.no_output_destination": BLOCKER,
    "workflow.no_acting_role": BLOCKER,
    "workflow.not_integrated": WARNING,
    "ownership.no_business_owner": BLOCKER,
    "ownership.no_technical_owner": BLOCKER,
    "ownership.no_responsibilities": WARNING,
    "ownership.no_budget_owner": WARNING,
}

PILOT_WEEKS_LIMIT = 12
MIN_FAILURE_MODES = 3
PRICE_AGE_LIMIT_DAYS = 180

PLACEHOLDER_NAMES = frozenset(
    {
        "",
        "tbd",
        "tba",
        "tbc",
        "na",
        "none",
        "unknown",
        "to be decided",
        "to be determined",
        "to be confirmed",
        "to be agreed",
        "unassigned",
        "nobody",
        "no one",
        "pending",
        "null",
    }
)

# The cost_model fields the per-use, fixed and value figures are computed from (DESIGN.md "Cost model").
COST_INPUTS: tuple[str, ...] = (
    "calls_per_use",
    "input_tokens",
    "output_tokens",
    "cached_share_pct",
    "input_price",
    "cached_input_price",
    "output_price",
    "retry_overhead_pct",
    "retrieval_per_use",
    "other_per_use",
    "review_rate_pct",
    "review_minutes",
    "reviewer_hourly_rate",
    "hosting",
    "monitoring",
    "licences",
    "maintenance_hours",
    "maintenance_rate",
    "manual_minutes",
    "manual_hourly_rate",
    "other_value_per_use",
)


def field_name(section: str, path: str) -> str:
    """A field's catalogue label as it reads inside a sentence: "input price per 1M tokens"."""
    label = catalogue.field_spec(section, path).label
    return label[:1].lower() + label[1:]


# A plain title for each rule, for pages and PDFs: people read the title; the code is kept for staff and for files.
CODE_TITLES: dict[str, str] = {
    "production_target.no_workflow": "The business workflow the system serves is not named",
    "production_target.no_volume": "The expected volume in production is not stated",
    "production_target.no_success_metric": "No success metric for production",
    "production_target.no_latency_target": "No target for how fast an answer must come",
    "production_target.no_availability_target": "No target for how often the system must be available",
    "first_slice.no_description": "The first slice is not described",
    "first_slice.no_acceptance_criterion": "The first slice has no acceptance criterion",
    "first_slice.nothing_carries_forward": "Nothing built in the first slice carries forward to production",
    "first_slice.long_pilot": "The first slice runs longer than a pilot should",
    "data_path.no_sources": "No data source is listed",
    "data_path.hand_prepared_source": "A data source is prepared by hand, with no pipeline behind it",
    "data_path.source_access_blocked": "Access to a data source is blocked",
    "data_path.source_access_unknown": "It is not known whether a data source can be reached",
    "data_path.no_quality_checks": "No checks on the quality of the data",
    "failure_modes.too_few": "Too few ways the system can fail are listed",
    "failure_modes.severe_mode_unhandled": "A severe failure has no way to detect it or to handle it",
    "failure_modes.no_model_error_mode": "No failure mode covers the model being wrong",
    "failure_modes.no_human_in_the_loop": "No human review of the output is described",
    "security.no_access_roles": "No access roles are defined",
    "security.no_audit_trail": "There is no audit trail",
    "security.no_authentication": "Confidential data, but no way of signing in is stated",
    "security.personal_data_unregulated": "Personal data is processed but no rule or standard is named",
    "cost_model.no_volume_tiers": "The cost model has no volumes to price",
    "cost_model.missing_inputs": "The cost per use cannot be worked out yet",
    "cost_model.never_breaks_even": "The system never pays for itself at the volumes given",
    "cost_model.prices_undated": "The prices have no date",
    "cost_model.stale_prices": "The prices are out of date",
    "cost_model.break_even_above_scale": "The system pays for itself only above the production volume",
    "workflow.no_output_destination": "Where the output goes is not stated",
    "workflow.no_acting_role": "Nobody is named to act on the output",
    "workflow.not_integrated": "The output is not built into the workflow (a separate screen or a file export)",
    "ownership.no_business_owner": "No business owner after the pilot",
    "ownership.no_technical_owner": "No technical owner after the pilot",
    "ownership.no_responsibilities": "Responsibilities after the pilot are not written down",
    "ownership.no_budget_owner": "Nobody owns the running budget",
}


def code_title(code: str) -> str:
    """The plain title of a rule code; an unknown code (from an old file) reads as a generic phrase."""
    return CODE_TITLES.get(str(code).strip(), "A readiness rule that no longer exists")


@dataclass(frozen=True)
class Finding:
    """One gap in a scope, worded for the client, pointing at the field that closes it."""

    code: str
    severity: Severity
    section: str
    field: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "section": self.section,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True)
class Readiness:
    """The findings of one evaluation, with the per-section gates and score derived from them."""

    findings: tuple[Finding, ...]

    @property
    def blockers(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.severity == BLOCKER)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.severity == WARNING)

    def gate(self, section: str) -> GateStatus:
        """Blocked if the section has any blocker, warning if it has only warnings, else clear."""
        if section not in SECTION_LABELS:
            raise ValueError(f"Unknown section {section!r}; expected one of {', '.join(SECTIONS)}.")
        severities = {finding.severity for finding in self.findings if finding.section == section}
        if BLOCKER in severities:
            return "blocked"
        if WARNING in severities:
            return "warning"
        return "clear"

    @property
    def score(self) -> int:
        """Number of gates with no blocker, out of 8."""
        return sum(1 for section in SECTIONS if self.gate(section) != "blocked")

    @property
    def is_ready(self) -> bool:
        return not self.blockers

    def by_section(self) -> dict[str, list[Finding]]:
        """Findings grouped by section, every section present and in SECTIONS order."""
        grouped: dict[str, list[Finding]] = {section: [] for section in SECTIONS}
        for finding in self.findings:
            grouped.setdefault(finding.section, []).append(finding)
        return grouped

    def as_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "out_of": len(SECTIONS),
            "gates": {section: self.gate(section) for section in SECTIONS},
            "findings": [finding.as_json() for finding in self.findings],
        }


class Gap(NamedTuple):
    """What a rule found, before the section and severity are attached."""

    code: str
    field: str
    message: str


def evaluate(scope: Mapping[str, Any], *, today: date) -> Readiness:
    """Run every readiness rule over a scope-JSON mapping; partial, empty or malformed input is fine."""
    scope = _mapping(scope)
    findings: list[Finding] = []
    for section, check in _CHECKS:
        for code, field, message in check(_mapping(scope.get(section)), scope, today):
            findings.append(Finding(code=code, severity=CODES[code], section=section, field=field, message=message))
    return Readiness(findings=tuple(findings))


# --- reading loose input -------------------------------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    """Stripped text of a scalar; anything else (lists, dicts, booleans, None) is no text at all."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return ""


def _rows(value: Any) -> list[Mapping[str, Any]]:
    """The non-empty mapping rows of a list field; a string or other non-list counts as no rows."""
    if not isinstance(value, list | tuple):
        return []
    return [row for row in value if isinstance(row, Mapping) and any(_text(cell) for cell in row.values())]


def _number(value: Any) -> Decimal | None:
    """A finite Decimal from a number or numeric string, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = str(value)
    if isinstance(value, str):
        value = value.strip()
    if not isinstance(value, int | str | Decimal):
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _count(value: Any) -> int | None:
    """A whole non-negative count, else None."""
    number = _number(value)
    if number is None or number < 0 or number != number.to_integral_value():
        return None
    return int(number)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "y", "1", "on"}
    return False


def _choice(value: Any) -> str:
    """Normalise a choice value so 'Manual export' and 'manual-export' both read as 'manual_export'."""
    return re.sub(r"[\s\-]+", "_", _text(value).lower())


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text or not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _is_placeholder(value: Any) -> bool:
    """True for blank names and stand-ins such as 'TBD', '?', 'n/a' or 'to be decided'."""
    normalised = re.sub(r"[^\w\s]|_", "", _text(value).lower())
    return " ".join(normalised.split()) in PLACEHOLDER_NAMES


def _row_name(row: Mapping[str, Any], key: str, position: int, noun: str) -> str:
    name = _text(row.get(key))
    return f"'{name}'" if name else f"{noun} {position} (unnamed)"


# --- the eight gates ------------------------------------------------------------------------------------------------


def _production_target(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    if not _text(section.get("workflow_name")):
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
    volume = _number(section.get("volume_per_month"))
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
    metrics = _rows(section.get("success_metrics"))
    if not any(_text(row.get("metric")) and _text(row.get("baseline")) and _text(row.get("target")) for row in metrics):
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
    if not _text(section.get("latency_target")):
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
    if not _text(section.get("availability_target")):
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


def _first_slice(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    if not _text(section.get("description")):
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
    criteria = _rows(section.get("acceptance_criteria"))
    if not any(_text(row.get("criterion")) for row in criteria):
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
    if not _text(section.get("carries_forward")):
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
    weeks = _number(section.get("duration_weeks"))
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


def _data_path(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    sources = _rows(section.get("sources"))
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
    for position, source in enumerate(sources, start=1):
        name = _row_name(source, "name", position, "Source")
        if _flag(source.get("used_in_production")):
            manual = _choice(source.get("access_method")) == "manual_export"
            one_off = _choice(source.get("refresh")) == "one_off"
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
        status = _choice(source.get("access_status"))
        if status == "blocked":
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
    if not _text(section.get("quality_checks")):
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


def _failure_modes(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    items = _rows(section.get("items"))
    described = [item for item in items if _text(item.get("scenario"))]
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
        if _choice(item.get("impact")) not in {"high", "critical"}:
            continue
        missing = [
            field_name("failure_modes", f"items.{key}") for key in ("detection", "handling") if not _text(item.get(key))
        ]
        if missing:
            name = _row_name(item, "scenario", position, "Failure mode")
            gaps.append(
                Gap(
                    code="failure_modes.severe_mode_unhandled",
                    field="items",
                    message=(
                        f"{name} has {_choice(item.get('impact'))} impact but does not say {' or '.join(missing)}. "
                        "A severe failure needs both before anyone depends on the system."
                    ),
                )
            )
    if not any(_choice(item.get("category")) in {"model_error", "hallucination"} for item in items):
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
    if not _text(section.get("human_in_the_loop")):
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


def _security(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    roles = _rows(section.get("access_roles"))
    if not any(_text(row.get("role")) for row in roles):
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
    if not _text(section.get("audit_trail")):
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
    sources = _rows(_mapping(scope.get("data_path")).get("sources"))
    classifications = {_choice(section.get("data_classification"))}
    classifications.update(_choice(source.get("sensitivity")) for source in sources)
    sensitive = classifications & {"confidential", "restricted"}
    if sensitive and _choice(section.get("authentication")) in {"", "none"}:
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
    personal = _flag(section.get("personal_data")) or any(_flag(source.get("personal_data")) for source in sources)
    regimes = section.get("regimes")
    has_regime = isinstance(regimes, list | tuple) and any(_text(regime) for regime in regimes)
    if personal and not has_regime and not _text(section.get("data_residency")):
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
    return gaps


def _cost_model(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    tiers = _mapping(section.get("tiers"))
    volumes = {tier: _count(tiers.get(tier)) for tier in TIERS}
    if not any(volumes.values()):
        gaps.append(
            Gap(
                code="cost_model.no_volume_tiers",
                field="tiers",
                message=(
                    "Give the monthly uses at pilot, launch and scale. Cost per use only means something at a "
                    "volume, and volume is what breaks the economics of most pilots."
                ),
            )
        )

    result = compute_costs(section)
    currency = result.currency or _text(_mapping(scope.get("project")).get("currency")).upper()
    missing = [field for field in result.missing if field in COST_INPUTS]
    invalid = [field for field in result.invalid if field in COST_INPUTS]
    incomplete = None in (result.per_use, result.fixed_monthly, result.value_per_use)
    if missing or invalid or incomplete:
        parts = []
        if missing:
            parts.append("fill in " + ", ".join(field_name("cost_model", field) for field in missing))
        if invalid:
            parts.append(
                "correct "
                + ", ".join(field_name("cost_model", field) for field in invalid)
                + " (a plain number, not negative"
                ", percentages at most 100)"
            )
        gaps.append(
            Gap(
                code="cost_model.missing_inputs",
                field=(missing + invalid + ["calls_per_use"])[0],
                message=(
                    "The cost per use cannot be worked out yet: "
                    + ("; ".join(parts) or "some figures are missing")
                    + ". A gap is never counted as zero."
                ),
            )
        )
    if result.never_breaks_even and result.per_use is not None and result.value_per_use is not None:
        value = format_money(result.value_per_use, currency, per_use=True)
        variable = format_money(result.per_use.variable, currency, per_use=True)
        gaps.append(
            Gap(
                code="cost_model.never_breaks_even",
                field="manual_minutes",
                message=(
                    f"Each use is worth {value} but costs {variable} to run, so more volume only loses more money: "
                    "the volume breaks the economics. Lower the cost per use (fewer calls, a cheaper model, less "
                    "review) or aim at work with more value per use."
                ),
            )
        )

    prices_as_of = _date(section.get("prices_as_of"))
    if prices_as_of is None:
        gaps.append(
            Gap(
                code="cost_model.prices_undated",
                field="prices_as_of",
                message=(
                    "Give the date the model prices were taken from. Prices change often; an undated cost model "
                    "cannot be trusted."
                ),
            )
        )
    elif (today - prices_as_of).days > PRICE_AGE_LIMIT_DAYS:
        gaps.append(
            Gap(
                code="cost_model.stale_prices",
                field="prices_as_of",
                message=(
                    f"The prices date from {prices_as_of.isoformat()}, more than {PRICE_AGE_LIMIT_DAYS} days ago. "
                    "Check them against the current price list before relying on the cost per use."
                ),
            )
        )

    scale = volumes.get("scale")
    break_even = result.break_even_volume
    if break_even is not None and scale and break_even > scale:
        gaps.append(
            Gap(
                code="cost_model.break_even_above_scale",
                field="tiers",
                message=(
                    f"The system pays for itself only above {break_even:,} uses a month, more than the "
                    f"{scale:,} expected at scale. Reduce fixed costs or confirm a larger volume."
                ),
            )
        )
    return gaps


def _workflow(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    if not _text(section.get("output_destination")):
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
    if not _text(section.get("acting_role")):
        gaps.append(
            Gap(
                code="workflow.no_acting_role",
                field="acting_role",
                message=(
                    "Name the role that acts on the output, e.g. 'AP clerk'. If nobody acts on it, nothing changes."
                ),
            )
        )
    integration = _choice(section.get("integration"))
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


def _ownership(section: Mapping[str, Any], scope: Mapping[str, Any], today: date) -> list[Gap]:
    gaps: list[Gap] = []
    for key, code, who in (
        ("business_owner", "ownership.no_business_owner", "business owner, who answers for the results"),
        ("technical_owner", "ownership.no_technical_owner", "technical owner, who keeps the system running"),
    ):
        name = _mapping(section.get(key)).get("name")
        if _is_placeholder(name):
            given = f" ('{_text(name)}' is a placeholder)" if _text(name) else ""
            gaps.append(
                Gap(
                    code=code,
                    field=key,
                    message=f"Name the {who}, as a person{given}. Systems nobody owns die when the pilot ends.",
                )
            )
    responsibilities = _rows(section.get("responsibilities"))
    if not any(_text(row.get("responsibility")) for row in responsibilities):
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
    if _is_placeholder(section.get("budget_owner")):
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


_CHECKS: tuple[tuple[str, Callable[[Mapping[str, Any], Mapping[str, Any], date], list[Gap]]], ...] = (
    ("production_target", _production_target),
    ("first_slice", _first_slice),
    ("data_path", _data_path),
    ("failure_modes", _failure_modes),
    ("security", _security),
    ("cost_model", _cost_model),
    ("workflow", _workflow),
    ("ownership", _ownership),
)
