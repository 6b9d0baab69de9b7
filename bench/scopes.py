"""Bench data: a realistically large scope for the PDF bench and the rendering tests (not Django fixtures).

``long_scope`` inflates the worked example (supplier invoice coding) to the size of a thorough discovery: many data
sources, failure modes, metrics, responsibilities and open questions with full sentences. Rendered, it fills about
15 A4 pages, the size the "15-page scope in <= 1 s" target in DESIGN.md is measured on. Every value stays within
the scope schema's limits and choices, so the result is still a valid, sound scope.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

_EXTRA_METRICS = [
    ("Invoices coded within 15 minutes of arrival", "0% (manual queue)", "95%", "Pipeline timestamps"),
    ("Month-end close delay caused by AP backlog", "2 working days", "0 days", "Close calendar"),
    ("Lines accepted without edit", "n/a", "at least 92%", "ERP edit events"),
    ("Second-reviewer escalations per month", "n/a", "under 120", "Approval workflow report"),
    ("Clerk overtime hours at month end", "46 hours", "under 10 hours", "Time-sheet system"),
]

_EXTRA_CRITERIA = [
    ("Coding proposals posted to the ERP", "every pilot invoice, no manual upload", "Pipeline reconciliation report"),
    ("Median time from arrival to proposal", "under 10 minutes", "Pipeline timestamps"),
    ("Unhandled extraction failures", "zero invoices lost over three weeks", "Dead-letter queue count"),
    ("Clerk satisfaction with proposals", "at least 4 of 5 in the week-6 survey", "Pilot survey"),
]

_EXTRA_SOURCES = [
    {
        "name": "Purchase orders",
        "system": "ERP purchasing module",
        "owner": "Procurement systems lead",
        "kind": "structured",
        "volume": "4,100 open POs",
        "sensitivity": "internal",
        "personal_data": False,
        "access_method": "api",
        "refresh": "hourly",
        "access_status": "available",
        "used_in_production": True,
    },
    {
        "name": "Goods received notes",
        "system": "Warehouse management system",
        "owner": "Warehouse operations",
        "kind": "structured",
        "volume": "12,000/month",
        "sensitivity": "internal",
        "personal_data": False,
        "access_method": "database",
        "refresh": "daily",
        "access_status": "requested",
        "used_in_production": True,
    },
    {
        "name": "Historical coded invoices (labelled set)",
        "system": "ERP archive, 2023-2026",
        "owner": "AP team lead",
        "kind": "structured",
        "volume": "310,000 invoice lines",
        "sensitivity": "internal",
        "personal_data": False,
        "access_method": "database",
        "refresh": "daily",
        "access_status": "available",
        "used_in_production": True,
    },
    {
        "name": "Supplier contracts and rate cards",
        "system": "Contract repository (SharePoint)",
        "owner": "Procurement",
        "kind": "documents",
        "volume": "640 contracts",
        "sensitivity": "confidential",
        "personal_data": False,
        "access_method": "file_drop",
        "refresh": "weekly",
        "access_status": "requested",
        "used_in_production": True,
    },
    {
        "name": "Budget-holder directory",
        "system": "HR system",
        "owner": "HR information systems",
        "kind": "structured",
        "volume": "180 budget holders",
        "sensitivity": "confidential",
        "personal_data": True,
        "access_method": "api",
        "refresh": "daily",
        "access_status": "available",
        "used_in_production": True,
    },
    {
        "name": "Clerk coding notes",
        "system": "AP shared mailbox folders",
        "owner": "AP team lead",
        "kind": "text",
        "volume": "about 2,000 notes",
        "sensitivity": "internal",
        "personal_data": False,
        "access_method": "file_drop",
        "refresh": "weekly",
        "access_status": "available",
        "used_in_production": False,
    },
]

_EXTRA_FAILURE_MODES = [
    (
        "The model proposes a plausible but wrong cost centre for a shared service invoice",
        "hallucination",
        "medium",
        "high",
        "Budget-holder rejection rate tracked per cost centre; weekly sample audit of 50 shared-service invoices",
        "Shared-service suppliers routed to a rule table first; the model only proposes when no rule matches",
        "AP team lead",
    ),
    (
        "Scanned invoice too poor to extract line items",
        "bad_input",
        "medium",
        "medium",
        "Extraction confidence below 0.6 on any line, or totals that do not reconcile with line sums",
        "Invoice routed to the manual queue with the reason shown; supplier asked for a PDF original",
        "AP clerk on duty",
    ),
    (
        "A supplier changes its invoice layout",
        "data_drift",
        "high",
        "medium",
        "Per-supplier acceptance rate drops by more than 10 points week on week",
        "Alert to the pipeline owner; supplier examples added to the labelled set within five working days",
        "Finance systems",
    ),
    (
        "Chart of accounts restructured at year end",
        "data_drift",
        "low",
        "critical",
        "Finance calendar event; GL codes in proposals that no longer exist in the ERP",
        "Freeze automated proposals for affected accounts; retrain on the mapped history before re-enabling",
        "Finance Systems Manager",
    ),
    (
        "Duplicate invoice coded and released twice",
        "other",
        "low",
        "high",
        "ERP duplicate check on supplier, number, amount and date before release",
        "Second copy blocked and flagged to the clerk; monthly duplicate report to the Finance Director",
        "AP team lead",
    ),
    (
        "Invoice text contains instructions aimed at the model",
        "misuse",
        "low",
        "medium",
        "Extracted text scanned for instruction-like phrases; proposals with unusual GL accounts sampled",
        "Extracted text is treated as data only; the model cannot trigger payments or change vendor records",
        "Finance systems",
    ),
    (
        "Object storage or extraction service outage",
        "dependency_outage",
        "low",
        "high",
        "Health checks every minute; queue age alert over 30 minutes",
        "Invoices queue at the connectors and are processed when the service returns; manual coding after 4 hours",
        "Finance systems on call",
    ),
    (
        "Model favours the most frequent GL account for rare suppliers",
        "bias",
        "medium",
        "medium",
        "Monthly replay accuracy split by supplier frequency band",
        "Low-frequency suppliers get a lower confidence threshold and always show the top three alternatives",
        "AP team lead",
    ),
    (
        "Personal data of budget holders appears in proposals or logs",
        "privacy",
        "low",
        "high",
        "Log scanner for names and e-mail addresses outside the approval fields",
        "Logs redacted at source; approver names only referenced by ERP user id",
        "Data protection officer",
    ),
]

_EXTRA_ROLES = [
    ("AP team lead", "Accounts payable", "Review escalations; adjust supplier rules; see accuracy reports"),
    ("Budget holder", "Cost centre managers", "Approve or reject coded invoices in the ERP; no access to the pipeline"),
    ("Finance Director", "Finance leadership", "Read-only dashboards and monthly accuracy and cost reports"),
    ("Auditor", "Internal audit", "Read-only access to the audit log and the evaluation replays"),
]

_EXTRA_RESPONSIBILITIES = [
    ("Labelled set refresh", "AP team lead", "weekly"),
    ("Supplier rule table maintenance", "AP team lead", "as needed"),
    ("Model re-evaluation and release", "Finance systems", "quarterly"),
    ("Cost and usage report", "Finance operations", "monthly"),
    ("Access review", "Finance Systems Manager", "quarterly"),
    ("Incident review", "Finance systems", "after each incident"),
    ("Year-end chart of accounts mapping", "Financial controller", "yearly"),
    ("Vendor and model contract renewal", "Procurement", "yearly"),
]

_EXTRA_QUESTIONS = [
    ("Does the ERP API allow posting proposed coding without releasing the invoice?", "workflow", "Dan Whitfield"),
    (
        "Which suppliers send scanned images rather than digital PDFs, and how many invoices a month?",
        "data_path",
        "AP team lead",
    ),
    (
        "Can the warehouse system expose goods received notes through a read replica?",
        "data_path",
        "Warehouse operations",
    ),
    ("Is the second-reviewer threshold of £10,000 per line or per invoice?", "failure_modes", "Priya Raman"),
    ("Who signs off changes to supplier-specific coding rules?", "ownership", "Priya Raman"),
    ("Will internal audit accept the ERP audit log as the record of AI-assisted coding?", "security", "Internal audit"),
    (
        "Is the self-hosted model covered by the existing cloud cost centre or a new one?",
        "cost_model",
        "Finance operations",
    ),
    ("How long should proposals and clerk edits be retained outside the ERP?", "security", "Data protection officer"),
    ("Can the pilot include credit notes from the top 10 suppliers?", "first_slice", "Finance Director"),
    (
        "What availability does the AP mailbox connector have over month end today?",
        "production_target",
        "Dan Whitfield",
    ),
    ("Should budget holders see the model's confidence next to each coded line?", "workflow", "AP team lead"),
    ("Who covers pipeline monitoring during the finance systems team's holidays?", "ownership", "Dan Whitfield"),
    ("Are there suppliers whose contracts forbid processing invoices in a cloud account?", "security", "Procurement"),
    ("What is the reviewer hourly rate after the April pay review?", "cost_model", "Finance operations"),
    ("Does the labelled set need re-coding after last year's cost centre merger?", "data_path", "AP team lead"),
    ("Which month-end dates are blackout windows for releases?", "workflow", "Finance Systems Manager"),
    (
        "Can the replay evaluation run on the nightly ERP extract rather than a copy?",
        "failure_modes",
        "Finance systems",
    ),
    ("Is a walkthrough enough change management for the second-shift clerks?", "workflow", "AP team lead"),
]


def long_scope(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``snapshot`` with every list section inflated to a ~15-page scope (the bench's workload)."""
    scope = copy.deepcopy(dict(snapshot))

    target = scope.setdefault("production_target", {})
    target["problem_statement"] = (
        f"{target.get('problem_statement', '')} Clerks re-key the same supplier coding every month, errors surface "
        "only when budget holders reject invoices, and late approvals cost early-payment discounts worth about "
        "£38,000 a year. The backlog peaks in the last five working days of each month, when temporary staff are "
        "brought in."
    ).strip()
    target["workflow_steps"] = (
        "1. Invoice captured from the AP mailbox or the supplier portal.\n"
        "2. Header and lines extracted; totals reconciled with line sums.\n"
        "3. Supplier matched to the vendor master by VAT number.\n"
        "4. Purchase order and goods received note matched where they exist.\n"
        "5. Model proposes GL account and cost centre per line, with a confidence.\n"
        "6. AP clerk accepts or edits the proposal in the ERP.\n"
        "7. Invoice goes to budget-holder approval, then to the payment run."
    )
    target["success_metrics"] = list(target.get("success_metrics", [])) + [
        {"metric": metric, "baseline": baseline, "target": goal, "measured_by": measured_by}
        for metric, baseline, goal, measured_by in _EXTRA_METRICS
    ]

    first_slice = scope.setdefault("first_slice", {})
    first_slice["acceptance_criteria"] = list(first_slice.get("acceptance_criteria", [])) + [
        {"criterion": criterion, "threshold": threshold, "measured_by": measured_by}
        for criterion, threshold, measured_by in _EXTRA_CRITERIA
    ]

    data_path = scope.setdefault("data_path", {})
    data_path["sources"] = list(data_path.get("sources", [])) + copy.deepcopy(_EXTRA_SOURCES)
    data_path["quality_checks"] = (
        f"{data_path.get('quality_checks', '')} Invoice dates must fall within the open accounting period; currency "
        "must match the supplier's contract; duplicate invoice numbers per supplier are rejected before coding."
    ).strip()

    failure_modes = scope.setdefault("failure_modes", {})
    failure_modes["items"] = list(failure_modes.get("items", [])) + [
        {
            "scenario": scenario,
            "category": category,
            "likelihood": likelihood,
            "impact": impact,
            "detection": detection,
            "handling": handling,
            "owner": owner,
        }
        for scenario, category, likelihood, impact, detection, handling, owner in _EXTRA_FAILURE_MODES
    ]

    security = scope.setdefault("security", {})
    security["access_roles"] = list(security.get("access_roles", [])) + [
        {"role": role, "who": who, "permissions": permissions} for role, who, permissions in _EXTRA_ROLES
    ]
    security["threats"] = (
        f"{security.get('threats', '')} A compromised supplier mailbox could send invoices with altered bank "
        "details; the pipeline never reads or changes bank details, which stay under the existing vendor-change "
        "control."
    ).strip()

    ownership = scope.setdefault("ownership", {})
    ownership["responsibilities"] = list(ownership.get("responsibilities", [])) + [
        {"responsibility": responsibility, "owner": owner, "cadence": cadence}
        for responsibility, owner, cadence in _EXTRA_RESPONSIBILITIES
    ]

    scope["open_questions"] = list(scope.get("open_questions", [])) + [
        {
            "question": question,
            "section": section,
            "owner": owner,
            "due": f"2027-0{1 + position % 3}-{10 + position:02d}",
            "status": "answered" if position % 5 == 4 else "open",
            "answer": "Confirmed in the discovery session; see the updated section." if position % 5 == 4 else "",
        }
        for position, (question, section, owner) in enumerate(_EXTRA_QUESTIONS)
    ]
    return scope
