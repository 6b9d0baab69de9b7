"""What an evaluation returns: findings, with the per-section gates and the score derived from them."""

from __future__ import annotations

from collections.abc import Mapping
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

    @classmethod
    def from_json(cls, data: Any) -> Readiness | None:
        """The result stored with a frozen version (``as_json``), or None when nothing usable was stored.

        A frozen version keeps the result it was frozen with, even after the rules change: this reads it back
        rather than judging again. Findings with an unknown section or severity are dropped, never guessed.
        """
        if not isinstance(data, Mapping) or not isinstance(data.get("findings"), list):
            return None
        findings = []
        for row in data["findings"]:
            if not isinstance(row, Mapping):
                continue
            severity, section = row.get("severity"), row.get("section")
            if severity not in (BLOCKER, WARNING) or section not in SECTION_LABELS:
                continue
            findings.append(
                Finding(
                    code=str(row.get("code") or ""),
                    severity=severity,
                    section=section,
                    field=str(row.get("field") or ""),
                    message=str(row.get("message") or ""),
                )
            )
        return cls(findings=tuple(findings))

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
