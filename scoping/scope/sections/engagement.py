"""The engagement: what the consultancy delivers, when, for how much, and on what terms (scope JSON v2).

Not one of the eight readiness gates: it has its own check, the proposal check (``scoping.scope.fees``), shown
beside them, and sign-off cannot be requested while it fails.
"""

from __future__ import annotations

from scoping.scope.fields import FieldSpec, choice, currency, day, long_text, money, percent, quantity, rows, text

LABEL = "Engagement"
DESCRIPTION = "What you deliver, when, for how much and on what terms: the statement of work the client signs."

FIELDS: tuple[FieldSpec, ...] = (
    choice(
        "pricing",
        "Pricing",
        "Fixed price (paid in milestones), time and materials, or time and materials with a cap.",
    ),
    currency("currency", "Currency", "ISO 4217 code of the fees, e.g. EUR, GBP, USD. Usually the project's currency."),
    percent(
        "tax_rate_pct", "Tax rate (%)", "VAT or sales tax on the fees, shown apart. Example: 20.", print_label="Tax"
    ),
    day("valid_until", "Valid until", "The last day the client can accept this proposal at these terms."),
    money(
        "price",
        "Fixed price",
        "The fee for fixed pricing. Blank: the team's days at their day rates.",
        print_label="Price",
    ),
    money("cap", "Cap", "For capped pricing: the most the client pays, whatever the days.", print_label="Cap"),
    rows(
        "phases",
        "Phases",
        noun="phase",
        help="The stages of the engagement in order, e.g. discovery, build of the first slice, hypercare.",
        fields=(
            text("name", "Phase", "Example: “Build the first slice”."),
            day("starts", "Starts"),
            day("ends", "Ends"),
            long_text("goal", "Goal", "What the phase achieves, in a sentence."),
        ),
    ),
    rows(
        "milestones",
        "Milestones",
        noun="milestone",
        help="What the client accepts, when, and the share of a fixed price paid on acceptance.",
        fields=(
            text("name", "Milestone", "Example: “First slice live for 10 users”."),
            text("phase", "Phase", "The phase it closes, as named above."),
            day("due", "Due"),
            long_text(
                "acceptance", "Acceptance", "How the client decides it is done. Example: “95% of invoices coded”."
            ),
            percent("payment_pct", "Payment (%)", "Share of a fixed price paid on acceptance; all add up to 100."),
        ),
    ),
    rows(
        "deliverables",
        "Deliverables",
        noun="deliverable",
        help="What the client receives: software, documents, training, each with its acceptance.",
        fields=(
            text("name", "Deliverable", "Example: “Coding pipeline in the client's cloud account”."),
            text("format", "Format", "Example: “Source code and runbook”."),
            day("due", "Due"),
            long_text("acceptance", "Acceptance", "How the client checks it."),
        ),
    ),
    rows(
        "team",
        "Team",
        noun="team member",
        help="Who works on it, at what day rate, for how many days: the basis of time-and-materials fees.",
        fields=(
            text("role", "Role", "Example: “ML engineer”."),
            text("person", "Person", "A name, or blank until staffed."),
            money("day_rate", "Day rate", "Example: 950."),
            quantity("days", "Days", "Example: 12.5.", what="a number of days such as 12.5"),
        ),
    ),
    long_text("expenses", "Expenses", "How travel and other expenses are charged. Adds nothing to the fees."),
    long_text("assumptions", "Assumptions", "What the price assumes. Example: “Invoices are in English”."),
    long_text(
        "client_dependencies",
        "Client dependencies",
        "What the client provides, and by when. Example: “API access to the ERP by week 2”.",
    ),
    long_text("change_control", "Change control", "How a change of scope is asked for, priced and agreed."),
    long_text(
        "acceptance_procedure", "Acceptance procedure", "How and within how many days deliverables are accepted."
    ),
    choice("run_costs_paid_by", "Run costs paid by", "Who pays the model and infrastructure bills after launch."),
)
