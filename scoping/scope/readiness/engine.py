"""The readiness engine: runs each gate's rules over the scope JSON and attaches the section and severity."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from scoping.scope.readiness.codes import CODES
from scoping.scope.readiness.cost_rules import cost_model_gaps
from scoping.scope.readiness.data_rules import data_path_gaps, failure_modes_gaps
from scoping.scope.readiness.findings import Finding, Gap, Readiness
from scoping.scope.readiness.lenient import as_mapping
from scoping.scope.readiness.ownership_rules import ownership_gaps, workflow_gaps
from scoping.scope.readiness.security_rules import security_gaps
from scoping.scope.readiness.target_rules import first_slice_gaps, production_target_gaps

GATE_RULES: tuple[tuple[str, Callable[[Mapping[str, Any], Mapping[str, Any], date], list[Gap]]], ...] = (
    ("production_target", production_target_gaps),
    ("first_slice", first_slice_gaps),
    ("data_path", data_path_gaps),
    ("failure_modes", failure_modes_gaps),
    ("security", security_gaps),
    ("cost_model", cost_model_gaps),
    ("workflow", workflow_gaps),
    ("ownership", ownership_gaps),
)


def evaluate(scope: Mapping[str, Any], *, today: date) -> Readiness:
    """Run every readiness rule over a scope-JSON mapping; partial, empty or malformed input is fine."""
    scope = as_mapping(scope)
    findings: list[Finding] = []
    for section, check in GATE_RULES:
        for code, field, message in check(as_mapping(scope.get(section)), scope, today):
            findings.append(Finding(code=code, severity=CODES[code], section=section, field=field, message=message))
    return Readiness(findings=tuple(findings))
