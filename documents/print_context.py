"""Everything the print template shows for one scope version, worded and formatted, from the snapshot and its meta.

Pure presentation over the frozen snapshot: no database access, so the render job, ``render_scope`` and the review
page's preview all word a version the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from consultancy.colours import DEFAULT_BRAND_COLOUR, brand_colour_problem
from documents.print_sections import section_blocks
from documents.print_values import (
    NOT_STATED,
    as_mapping,
    as_rows,
    as_text,
    choice_text,
    device_in_words,
    is_blank,
    local_time,
    long_date,
    person_text,
    printed_label,
    short_date,
    utc_time,
    value_item,
)
from scoping.scope.answered import answered_lines
from scoping.scope.catalogue import GATE_LABELS, SECTION_KEYS, SECTION_LABELS, TIER_LABELS
from scoping.scope.costs import TIERS, compute_costs, format_money, verdict
from scoping.scope.fees import compute_fees
from scoping.scope.readiness import CODES, Finding, Readiness, code_title, evaluate
from scoping.scope.schema_v2 import upgrade_scope
from scoping.scope.sensitivity import sensitivity
from scoping.scope.timeline_chart import phase_span, timeline_chart

DocumentKind = Literal["draft", "proposal", "signed"]
DOCUMENT_KINDS: tuple[str, ...] = ("draft", "proposal", "signed")
# The kinds a client receives: the branded proposal. A draft stays the internal scope document.
PROPOSAL_KINDS: tuple[str, ...] = ("proposal", "signed")
HASH_PREFIX_LENGTH = 12
# How a signatory proved who they are (``SignOff.identity``), in the certificate's words; a signature recorded
# before identity checks existed has no identity and was made on the signer's own sign-in.
SIGNING_METHOD = "Signed in to their own account, typed their full name and ticked the consent statement"
SIGNING_METHODS = {
    "sign_in": SIGNING_METHOD,
    "email_code": "Signed in to their own account, confirmed a 6-digit code e-mailed to them, typed their full name "
    "and ticked the consent statement",
}
KEYWORD_PREFIX = "firstslice-version-sha256:"
SUMMARY_QUESTION_LIMIT = 5


@dataclass(frozen=True)
class Brand:
    """The consultancy as the proposal prints it, read from its profile by the render job (no database here)."""

    name: str
    legal_name: str = ""
    address: str = ""
    website: str = ""
    email: str = ""
    colour: str = ""  # "#rrggbb" that white text reads on (the profile validates it; checked again here)
    logo_data_uri: str = ""  # a data: URI the renderer's fetcher checks once more; "" for no logo
    default_terms: str = ""


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
    # The proposal kinds only: the consultancy's brand, the chosen clauses (each a mapping of key, title, number and
    # text, as worded when the version was frozen) and who is to sign (name, role, is_client).
    brand: Brand | None = None
    clauses: Sequence[Mapping[str, Any]] = ()
    signatories: Sequence[Mapping[str, Any]] = ()

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
                # Who answered each field, from the version's field_sources (older versions have none).
                "answered": answered_lines(as_mapping(scope.get("field_sources")), key),
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
                "method": SIGNING_METHODS.get(str(signoff.get("identity") or ""), SIGNING_METHOD),
                "ip": as_text(signoff.get("ip")) or NOT_STATED,
                "user_agent": as_text(signoff.get("user_agent")) or NOT_STATED,
            }
            for signoff in meta.signoffs
        ],
        "is_signed": meta.kind == "signed",
        "is_draft": meta.kind == "draft",
    }


# --- The proposal (kinds ``proposal`` and ``signed``) -------------------------------------------------------------

PRICING_WORDS = {
    "fixed": "Fixed price",
    "time_and_materials": "Time and materials",
    "capped": "Time and materials, capped",
}
RUN_COSTS_WORDS = {
    "client": "The client pays the model and infrastructure bills after launch.",
    "consultancy": "We pay the model and infrastructure bills after launch.",
    "shared": "The model and infrastructure bills after launch are shared between the client and us.",
}


def _decimal(value: Any) -> Decimal | None:
    if is_blank(value) or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _figure(value: Decimal | None) -> str:
    """A count of days or a percentage as typed, without trailing zeros: 15, 12.5."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _brand(meta: DocumentMeta) -> dict[str, Any]:
    brand = meta.brand or Brand(name=meta.consultancy)
    name = brand.name.strip() or meta.consultancy.strip() or "The consultancy"
    colour = brand.colour.strip().lower()
    # The colour goes into a style rule: only an exact #rrggbb that white text reads on may pass.
    if brand_colour_problem(colour) is not None:
        colour = DEFAULT_BRAND_COLOUR
    logo = brand.logo_data_uri if brand.logo_data_uri.startswith("data:image/") else ""
    contact = [line for line in (brand.email.strip(), brand.website.strip()) if line]
    return {
        "name": name,
        "contracting_name": brand.legal_name.strip() or name,
        "address_lines": [line.strip() for line in brand.address.splitlines() if line.strip()],
        "contact": contact,
        "colour": colour,
        "logo": logo,
        "default_terms": brand.default_terms.strip(),
    }


def _run_costs(cost_section: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """Launch cost per use and its envelope: as entered up to the worst of the ×2 what-ifs."""
    costs = compute_costs(cost_section)
    launch = costs.tiers["launch"]
    rows = sensitivity(cost_section)
    as_entered = rows[0].cost_per_use if rows else None
    worst = max((row for row in rows if row.cost_per_use is not None), key=lambda row: row.cost_per_use, default=None)
    known = as_entered is not None and worst is not None
    low = format_money(as_entered, currency, per_use=True)
    high = format_money(worst.cost_per_use if worst else None, currency, per_use=True)
    # A cost dominated by fixed costs or people's time barely moves when the model's figures double: then the two
    # ends print alike, and the sentence says the cost holds rather than "between £0.84 and £0.84".
    envelope = f"between {low} and {high} per use" if low != high else f"{low} per use"
    return {
        "known": known,
        "volume": f"{launch.volume:,}" if launch.volume is not None else "",
        "cost_per_use": format_money(as_entered, currency, per_use=True),
        "monthly_cost": format_money(launch.monthly_cost, currency),
        "low": low,
        "high": high,
        "narrow": low == high,
        "envelope": envelope,
        "high_monthly": format_money(worst.monthly_cost if worst else None, currency),
        "worst_case": worst.label if worst else "",
        "cases": [
            {
                "label": row.label,
                "cost_per_use": format_money(row.cost_per_use, currency, per_use=True),
                "monthly_cost": format_money(row.monthly_cost, currency),
            }
            for row in rows
        ],
        "verdict": verdict(costs),
    }


def _fees(engagement: Mapping[str, Any]) -> dict[str, Any]:
    fees = compute_fees(engagement)
    currency = fees.currency
    pricing = fees.pricing
    by_days = pricing in ("time_and_materials", "capped")
    team = []
    for row in as_rows(engagement.get("team")):
        rate, days = _decimal(row.get("day_rate")), _decimal(row.get("days"))
        team.append(
            {
                "role": as_text(row.get("role")) or NOT_STATED,
                "person": as_text(row.get("person")),
                "days": _figure(days),
                "day_rate": format_money(rate, currency),
                "amount": format_money(rate * days if rate is not None and days is not None else None, currency),
            }
        )
    due_by_name = {as_text(row.get("name")): long_date(row.get("due")) for row in as_rows(engagement.get("milestones"))}
    tax_rate = _decimal(engagement.get("tax_rate_pct"))
    lines = []
    if by_days:
        lines.append({"label": "Team days at the day rates", "amount": format_money(fees.team_total, currency)})
    if pricing == "capped":
        lines.append({"label": "Cap", "amount": format_money(_decimal(engagement.get("cap")), currency)})
    fee_label = {"fixed": "Fixed price", "capped": "Fee (the days, never more than the cap)"}.get(pricing, "Fee")
    lines.append({"label": fee_label, "amount": format_money(fees.fee, currency), "strong": True})
    tax_label = f"Tax at {_figure(tax_rate)}%" if tax_rate is not None else "Tax (no tax rate stated)"
    lines.append({"label": tax_label, "amount": format_money(fees.tax, currency)})
    return {
        "pricing": pricing or "",
        "pricing_label": PRICING_WORDS.get(pricing or "", "Pricing not chosen"),
        "by_days": by_days,
        "currency": currency,
        "team": team,
        "lines": lines,
        "fee": format_money(fees.fee, currency),
        "tax": format_money(fees.tax, currency),
        "total": format_money(fees.total, currency),
        "known": fees.total is not None,
        "schedule": [
            {
                "milestone": instalment.milestone,
                "due": due_by_name.get(instalment.milestone, ""),
                "share": f"{_figure(instalment.payment_pct)}%",
                "amount": format_money(instalment.amount, currency),
            }
            for instalment in fees.schedule
        ],
        "gaps": [gap.message for gap in fees.gaps],
        "expenses": as_text(engagement.get("expenses")),
    }


def _timeline(engagement: Mapping[str, Any], meta: DocumentMeta, colour: str) -> dict[str, Any]:
    span = phase_span(engagement)
    weeks = round(((span[1] - span[0]).days + 1) / 7) if span else 0
    chart = timeline_chart(engagement, colour=colour)
    return {
        "chart": chart,
        "starts": long_date(span[0]) if span else "",
        "ends": long_date(span[1]) if span else "",
        "weeks": weeks,
        "phases": [
            {
                "name": as_text(row.get("name")) or f"Phase {number}",
                "starts": short_date(row.get("starts")) or "—",
                "ends": short_date(row.get("ends")) or "—",
                "goal": as_text(row.get("goal")),
            }
            for number, row in enumerate(as_rows(engagement.get("phases")), start=1)
        ],
    }


def _signature_parties(meta: DocumentMeta, client: str, brand_name: str) -> list[dict[str, Any]]:
    """Who signs for each party: the recorded sign-offs of a signed document, else the designated signatories."""
    signed = meta.kind == "signed"
    people = []
    for person in meta.signoffs if signed else meta.signatories:
        people.append(
            {
                "name": as_text(person.get("name")) or NOT_STATED,
                "typed_name": as_text(person.get("typed_name")),
                # A client's role is recorded as "CFO (Kestrel Foods Ltd)"; it is printed under the party's name.
                "role": as_text(person.get("role")).removesuffix(f" ({client})"),
                "signed_on": long_date(_date_or_none(person.get("signed_at"))) if signed else "",
                "is_client": bool(person.get("is_client", True)),
            }
        )
    return [
        {"party": client, "people": [person for person in people if person["is_client"]]},
        {"party": brand_name, "people": [person for person in people if not person["is_client"]]},
    ]


def build_proposal_context(*, snapshot: Mapping[str, Any], meta: DocumentMeta) -> dict[str, Any]:
    """The scope document's context plus what a client reads first: cover, summary, plan, fees, terms, signatures.

    Clients read this one: no rule codes, fingerprints or "frozen by" outside the sign-off certificate.
    """
    context = build_document_context(snapshot=snapshot, meta=meta)
    scope = _as_version_2(snapshot)
    engagement = as_mapping(scope.get("engagement"))
    target = as_mapping(scope.get("production_target"))
    first_slice = as_mapping(scope.get("first_slice"))
    brand = _brand(meta)
    fees = _fees(engagement)
    timeline = _timeline(engagement, meta, brand["colour"])
    valid_until = long_date(engagement.get("valid_until"))
    milestones = []
    shares = {row["milestone"]: row for row in fees["schedule"]}
    for number, row in enumerate(as_rows(engagement.get("milestones")), start=1):
        name = as_text(row.get("name")) or f"Milestone {number}"
        instalment = shares.get(name)
        milestones.append(
            {
                "name": name,
                "phase": as_text(row.get("phase")),
                "due": short_date(row.get("due")) or "—",
                "acceptance": as_text(row.get("acceptance")) or NOT_STATED,
                "payment": f"{instalment['share']} · {instalment['amount']}" if instalment else "",
            }
        )
    deliverables = [
        {
            "name": as_text(row.get("name")) or NOT_STATED,
            "format": as_text(row.get("format")),
            "due": short_date(row.get("due")) or "—",
            "acceptance": as_text(row.get("acceptance")) or NOT_STATED,
        }
        for row in as_rows(engagement.get("deliverables"))
    ]
    terms = [
        value_item("Assumptions", engagement.get("assumptions"), long=True),
        value_item("What we need from the client", engagement.get("client_dependencies"), long=True),
        value_item("Changes to the scope", engagement.get("change_control"), long=True),
        value_item("How each milestone is accepted", engagement.get("acceptance_procedure"), long=True),
        value_item("Expenses", engagement.get("expenses"), long=True),
        value_item(
            "Run costs after launch",
            RUN_COSTS_WORDS.get(str(engagement.get("run_costs_paid_by") or ""), ""),
            long=True,
        ),
    ]
    clauses = [
        {
            "number": position,
            "title": as_text(clause.get("title")) or NOT_STATED,
            "text": str(clause.get("text") or "").strip(),
            "version": clause.get("number"),
        }
        for position, clause in enumerate((as_mapping(clause) for clause in meta.clauses), start=1)
    ]
    names = [signoff["name"] for signoff in context["signoffs"]]
    signed_by = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    decision = (
        f"Accepted: signed by {signed_by}."
        if meta.kind == "signed"
        else f"Sign to accept the scope and the engagement by {valid_until}."
        if valid_until
        else "Sign to accept the scope and the engagement."
    )
    context.update(
        {
            "document_title": f"{context['client']} – {context['project_name']} – proposal v{meta.version_number}",
            "brand": brand,
            "issued_on": long_date(meta.frozen_at),
            "valid_until": valid_until,
            "summary": {
                "problem": value_item("The problem", target.get("problem_statement"), long=True),
                "workflow": as_text(target.get("workflow_name")),
                "definition_of_production": as_text(target.get("definition_of_production")),
                "users": as_text(target.get("users")),
                "volume": as_text(target.get("volume_per_month")),
                "slice": as_text(first_slice.get("description")),
                "slice_weeks": as_text(first_slice.get("duration_weeks")),
                "slice_volume": as_text(first_slice.get("pilot_volume_per_month")),
                "slice_exit": as_text(first_slice.get("exit_criteria")),
                "decision": decision,
            },
            "run_costs": _run_costs(as_mapping(scope.get("cost_model")), context["currency"]),
            "run_costs_paid_by": RUN_COSTS_WORDS.get(str(engagement.get("run_costs_paid_by") or ""), ""),
            "fees": fees,
            "timeline": timeline,
            "milestones": milestones,
            "deliverables": deliverables,
            "terms": terms,
            "clauses": clauses,
            "parties": _signature_parties(meta, context["client"], brand["contracting_name"]),
            "is_proposal": True,
        }
    )
    return context
