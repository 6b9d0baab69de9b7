"""``manage.py scope_check FILE [--json]``: readiness findings, score and costs of a scope file, saving nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoping.management.commands.import_scope import read_scope_file
from scoping.scope.cost_steps import fraction_json
from scoping.scope.costs import TIERS, CostResult, compute_costs, format_money, verdict
from scoping.scope.reader import parse_scope_bytes
from scoping.scope.readiness import Readiness, evaluate
from scoping.scope.schema import BOTH_SCHEMAS, ScopeValidationError, validate_scope

INVALID_FILE_EXIT = 2
BLOCKERS_EXIT = 1


def check_report(scope: dict[str, Any], *, today: date) -> tuple[Readiness, CostResult, dict[str, Any]]:
    """Evaluate a validated scope; the dict is what ``--json`` prints."""
    readiness = evaluate(scope, today=today)
    costs = compute_costs(scope["cost_model"])
    accepted = {risk["code"] for risk in scope["accepted_risks"]}
    payload = readiness.as_json()
    for finding in payload["findings"]:
        finding["accepted_risk"] = finding["code"] in accepted
    report = {
        "score": payload["score"],
        "out_of": payload["out_of"],
        "ready": readiness.is_ready,
        "gates": payload["gates"],
        "findings": payload["findings"],
        "costs": costs.as_json(),
    }
    return readiness, costs, report


class Command(BaseCommand):
    help = (
        "Print the readiness score, findings and cost results of a scope JSON file without saving anything. "
        "Exit status: 0 ready, 1 blockers found, 2 the file is not a valid scope."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to a scope JSON file (schema firstslice.scope/1 or /2).")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print one JSON object instead of text."
        )

    def handle(self, *args, file: str, as_json: bool = False, **options) -> None:
        try:
            scope = validate_scope(parse_scope_bytes(read_scope_file(file)), schemas=BOTH_SCHEMAS)
        except CommandError as problem:
            raise CommandError(str(problem), returncode=INVALID_FILE_EXIT) from None
        except ScopeValidationError as problem:
            raise CommandError(
                f"{file} is not a valid scope. {problem.summary()}", returncode=INVALID_FILE_EXIT
            ) from None
        readiness, costs, report = check_report(scope, today=date.today())
        if as_json:
            self.stdout.write(_dumps(report))
        else:
            self._print_text(scope, readiness, costs, report)
        if readiness.blockers:
            count = len(readiness.blockers)
            raise CommandError(f"Not ready: {count} blocker{'s' if count != 1 else ''}.", returncode=BLOCKERS_EXIT)

    def _print_text(self, scope: dict[str, Any], readiness: Readiness, costs: CostResult, report: dict) -> None:
        write = self.stdout.write
        project = scope["project"]
        write(f"Scope: {project['name']}{' (' + project['client'] + ')' if project['client'] else ''}")
        blockers, warnings = len(readiness.blockers), len(readiness.warnings)
        state = "ready" if readiness.is_ready else "not ready"
        write(
            f"Readiness: {report['score']}/{report['out_of']} gates without a blocker, {state} "
            f"({blockers} blocker{'s' if blockers != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''})"
        )
        for finding in report["findings"]:
            where = f"{finding['section']}.{finding['field']}" if finding["field"] else finding["section"]
            note = " (accepted as a risk)" if finding["accepted_risk"] else ""
            write(f"{finding['severity'].upper()} [{finding['code']}] {where}: {finding['message']}{note}")
        currency = costs.currency or project["currency"]
        write(f"Costs ({currency}):")
        write(f"  variable cost per use: {format_money(costs.variable, currency, per_use=True)}")
        write(f"  fixed cost per month:  {format_money(costs.fixed_monthly, currency)}")
        write(f"  value per use:         {format_money(costs.value_per_use, currency, per_use=True)}")
        if costs.never_breaks_even:
            break_even = "never (each use costs more than it saves)"
        elif costs.break_even_volume is not None:
            break_even = f"{costs.break_even_volume:,} uses a month"
        else:
            break_even = "—"
        write(f"  break-even:            {break_even}")
        for name in TIERS:
            tier = costs.tiers[name]
            volume = f"{tier.volume:,} uses/month" if tier.volume is not None else "volume not set"
            write(
                f"  {name:<7}{volume:>20}: monthly cost {format_money(tier.monthly_cost, currency)}, "
                f"cost per use {format_money(tier.cost_per_use, currency, per_use=True)}, "
                f"monthly net {format_money(tier.monthly_net, currency)}"
            )
        write(f"  {verdict(costs)}")
        if costs.steps is not None:
            self._print_steps(costs, currency)

    def _print_steps(self, costs: CostResult, currency: str) -> None:
        """Cost model v2: each model step's share of the inference cost, the peak load and the self-hosted option."""
        write = self.stdout.write
        write("Model steps (inference per use, before retries and residency uplift):")
        for step in costs.steps.steps:
            name = step.name or f"step {step.position}"
            cost = format_money(Decimal(fraction_json(step.cost)), currency, exact=True)
            write(
                f"  {step.position}. {name} ({step.model}): {fraction_json(step.calls)} call(s), "
                f"{fraction_json(step.tokens_per_use)} tokens, {cost} per use"
            )
        for problem in costs.steps.problems:
            write(f"  {problem.path}: {problem.message}")
        if costs.peak is not None:
            peak = costs.peak
            write(
                f"  peak at scale: {float(peak.calls_per_minute):,.2f} calls and {float(peak.tokens_per_minute):,.0f} "
                f"tokens a minute" + (" (over the stated rate limit)" if peak.over_rpm or peak.over_tpm else "")
            )
        hosted = costs.self_hosted
        if hosted is not None and not hosted.problems:
            covers = {True: "covers", False: "does not cover", None: "cannot be checked against"}[hosted.covers_scale]
            cheaper = f"cheaper above {hosted.cheaper_above:,} uses a month" if hosted.cheaper_above else "not cheaper"
            monthly = format_money(Decimal(fraction_json(hosted.monthly)), currency)
            write(
                f"  self-hosted: {monthly} a month, {cheaper}; its capacity of "
                f"{int(hosted.capacity_tokens):,} tokens a month {covers} the scale volume"
            )
        elif hosted is not None:
            for problem in hosted.problems:
                write(f"  {problem.path}: {problem.message}")


def _dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)
