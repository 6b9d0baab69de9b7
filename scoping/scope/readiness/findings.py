"""What an evaluation returns: findings, with the per-section gates and the score derived from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from scoping.scope.catalogue import SECTION_KEYS, SECTION_LABELS
from scoping.scope.readiness.codes import BLOCKER, WARNING, Severity

SECTIONS: tuple[str, ...] = SECTION_KEYS

GateStatus = Literal["blocked", "warning", "clear"]


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
