"""Everything the print template shows for one scope version, worded and formatted, from the snapshot and its meta.

Pure presentation over the frozen snapshot: no database access, so the render job, ``render_scope`` and the review
page's preview all word a version the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from documents.print_sections import section_blocks
from documents.print_values import (
    NOT_STATED,
    as_mapping,
    as_rows,
    as_text,
    choice_text,
    device_in_words,
    local_time,
    long_date,
    person_text,
    printed_label,
    short_date,
    utc_time,
    value_item,
)
from scoping.scope.catalogue import GATE_LABELS, SECTION_KEYS, SECTION_LABELS, TIER_LABELS
from scoping.scope.costs import TIERS, compute_costs, format_money, verdict
from scoping.scope.readiness import CODES, Finding, Readiness, code_title, evaluate
from scoping.scope.schema_v2 import upgrade_scope

DocumentKind = Literal["draft", "proposal", "signed"]
DOCUMENT_KINDS: tuple[str, ...] = ("draft", "proposal", "signed")
HASH_PREFIX_LENGTH = 12
# How a signatory signs today; code checks by e-mail (and their record here) come with the identity work of #14.
SIGNING_METHOD = "Signed in to their own account, typed their full name and ticked the consent statement"
KEYWORD_PREFIX = "firstslice-version-sha256:"
SUMMARY_QUESTION_LIMIT = 5


@dataclass(frozen=True)
class DocumentMeta:
    """Everything the PDF says about the document that is not in the scope snapshot itself."""

    kind: DocumentKind
    version_number: int
    version_sha256: str
    frozen_at: datetime
    frozen_by: str
    status_label: str
    generated_at: datetime
    # Each sign-off: name, role, signed_at (datetime or ISO string, UTC), ip, user_agent, typed_name, time_zone.
    signoffs: Sequence[Mapping[str, Any]] = ()
    review_decision: str = ""
    consultancy: str = ""  # printed on the cover and added to the PDF author when given
    # The result the version was frozen with; None judges the snapshot as of ``frozen_at`` (drafts, old rows).
    readiness: Readiness | None = None

    @property
    def short_hash(self) -> str:
        return self.version_sha256[:HASH_PREFIX_LENGTH]


def _findings(findings: list[Finding], accepted_codes: set[str]) -> list[dict]:
    return [
        {
            "severity": finding.severity,
            "message": finding.message,
            "accepted": finding.code in accepted_codes,
        }
        for finding in findings
    ]


def _question_is_open(row: Mapping[str, Any]) -> bool:
    return str(row.get("status") or "open").strip().lower() == "open"


def _date_or_none(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _questions(rows: list[Mapping[str, Any]], *, frozen_on: date) -> list[dict[str, Any]]:
    """Open questions first, earliest due first (undated last), then the answered and dropped ones.

    Overdue means still open and due before the day the version was frozen, so the same version always prints the
    same marks, whenever the PDF is made.
    """
    questions = []
    for row in rows:
        due = _date_or_none(row.get("due"))
        is_open = _question_is_open(row)
        questions.append(
            {
                "question": as_text(row.get("question")) or NOT_STATED,
                "answer": as_text(row.get("answer")),
                "section": choice_text("section", row.get("section")),
                "owner": as_text(row.get("owner")),
                "due": long_date(row.get("due")),
                "due_short": short_date(row.get("due")),
                "status": choice_text("status", row.get("status") or "open"),
                "is_open": is_open,
                "is_overdue": is_open and due is not None and due < frozen_on,
                "_sort": (not is_open, due is None, due or date.max),
            }
        )
    questions.sort(key=lambda question: question["_sort"])  # stable: equal dates keep the order they were added
    for question in questions:
        del question["_sort"]
    return questions


def _as_version_2(snapshot: Any) -> dict[str, Any]:
    """The snapshot as /2; a cost model that is not an object reads as none, since only an object can be upgraded."""
    scope = dict(as_mapping(snapshot))
    if not isinstance(scope.get("cost_model"), Mapping):
        scope.pop("cost_model", None)
    return upgrade_scope(scope)


def build_document_context(*, snapshot: Mapping[str, Any], meta: DocumentMeta) -> dict[str, Any]:
    """Everything the print template shows, worded and formatted; tolerant of partial or odd snapshots.

    A frozen /1 snapshot is read as /2 (its per-call fields as one model step), so every version prints one way.
    """
    scope = _as_version_2(snapshot)
    project = as_mapping(scope.get("project"))
    cost_section = as_mapping(scope.get("cost_model"))
    currency = str(cost_section.get("currency") or project.get("currency") or "").strip().upper()
    readiness = meta.readiness if meta.readiness is not None else evaluate(scope, today=meta.frozen_at.date())
    by_section = readiness.by_section()
    risks = as_rows(scope.get("accepted_risks"))
    accepted_codes = {str(row.get("code") or "").strip() for row in risks}

    sections = []
    for number, key in enumerate(SECTION_KEYS, start=1):
        content = as_mapping(scope.get(key))
        blocks = section_blocks(key, content, currency)
        gate = readiness.gate(key)
        findings = by_section.get(key, [])
        sections.append(
            {
                "key": key,
                "number": number,
                "label": SECTION_LABELS[key],
                "anchor": f"section-{key.replace('_', '-')}",
                "gate": gate,
                "gate_label": GATE_LABELS[gate],
                "blocker_count": sum(1 for finding in findings if finding.severity == "blocker"),
                "warning_count": sum(1 for finding in findings if finding.severity == "warning"),
                "findings": _findings(findings, accepted_codes),
                "blocks": blocks,
            }
        )

    costs = compute_costs(cost_section)
    questions = _questions(as_rows(scope.get("open_questions")), frozen_on=meta.frozen_at.date())
    open_questions = [question for question in questions if question["is_open"]]

    client = as_text(project.get("client")) or "Client not named"
    project_name = as_text(project.get("name")) or "Untitled project"
    ownership = as_mapping(scope.get("ownership"))
    authors = [name for name in (meta.consultancy.strip(), meta.frozen_by.strip()) if name]
    return {
        "meta": meta,
        "document_title": f"{client} – {project_name} – scope v{meta.version_number}",
        "authors": authors,
        "keywords": f"{KEYWORD_PREFIX}{meta.version_sha256}",
        "generated_iso": meta.generated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generated_utc": utc_time(meta.generated_at),
        "client": client,
        "project_name": project_name,
        "frozen_on": long_date(meta.frozen_at),
        "frozen_at_utc": utc_time(meta.frozen_at),
        "target_decision_date": long_date(project.get("target_decision_date")),
        "short_hash": meta.short_hash,
        "score": readiness.score,
        "gate_count": len(SECTION_KEYS),
        "blocker_total": len(readiness.blockers),
        "warning_total": len(readiness.warnings),
        "sections": sections,
        "currency": currency,
        "cost_verdict": verdict(costs),
        "summary_tiers": [
            {
                "label": TIER_LABELS[tier],
                "volume": f"{costs.tiers[tier].volume:,}" if costs.tiers[tier].volume is not None else "—",
                "cost_per_use": format_money(costs.tiers[tier].cost_per_use, currency, per_use=True),
                "monthly_cost": format_money(costs.tiers[tier].monthly_cost, currency),
            }
            for tier in TIERS
        ],
        "owners": [
            value_item(printed_label("ownership", "business_owner.name"), person_text(ownership.get("business_owner"))),
            value_item(
                printed_label("ownership", "technical_owner.name"), person_text(ownership.get("technical_owner"))
            ),
            value_item(printed_label("ownership", "budget_owner"), ownership.get("budget_owner")),
        ],
        "questions": questions,
        "open_questions": open_questions,
        "overdue_questions": sum(1 for question in open_questions if question["is_overdue"]),
        "summary_questions": open_questions[:SUMMARY_QUESTION_LIMIT],
        "more_open_questions": max(0, len(open_questions) - SUMMARY_QUESTION_LIMIT),
        "risks": [
            {
                "title": code_title(str(row.get("code") or "")) if row.get("code") else NOT_STATED,
                "severity": CODES.get(str(row.get("code") or "").strip(), ""),
                "section": SECTION_LABELS.get(str(row.get("code") or "").split(".")[0], ""),
                "reason": as_text(row.get("reason")) or NOT_STATED,
                "accepted_by": as_text(row.get("accepted_by")) or NOT_STATED,
            }
            for row in risks
        ],
        "signoffs": [
            {
                "name": as_text(signoff.get("name")) or NOT_STATED,
                "typed_name": as_text(signoff.get("typed_name")),
                "role": as_text(signoff.get("role")) or NOT_STATED,
                "signed_at": utc_time(signoff.get("signed_at")),
                "local_time": local_time(signoff.get("signed_at"), signoff.get("time_zone")),
                "device": device_in_words(signoff.get("user_agent")),
                "method": SIGNING_METHOD,
                "ip": as_text(signoff.get("ip")) or NOT_STATED,
                "user_agent": as_text(signoff.get("user_agent")) or NOT_STATED,
            }
            for signoff in meta.signoffs
        ],
        "is_signed": meta.kind == "signed",
        "is_draft": meta.kind == "draft",
    }
