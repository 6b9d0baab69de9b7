"""Production target: The production system decided before the pilot: one workflow, end to end, at real volume."""

from __future__ import annotations

from scoping.scope.fields import VOLUME_MAX, SectionSpec, choice, count, long_text, rows, text

SECTION = SectionSpec(
    "production_target",
    "Production target",
    "The production system decided before the pilot: one workflow, end to end, at real volume.",
    fields=(
        long_text(
            "problem_statement",
            "Problem statement",
            "The business problem in your own words, with a number that shows its size. Name no technology here. "
            "Example: “AP codes 9,000 invoices a month by hand; month-end close slips two days.”",
        ),
        text(
            "workflow_name",
            "Workflow",
            "Name ONE workflow that the system will run end to end in production: a job someone does today, not a "
            "capability like “AI for finance”. Example: “Code incoming supplier invoices to GL account and cost "
            "centre before approval.”",
        ),
        long_text(
            "workflow_trigger",
            "What starts it",
            "The event that starts one run of the workflow. Example: “An invoice PDF arrives in the AP mailbox.”",
        ),
        long_text(
            "workflow_steps",
            "Steps",
            "The steps from trigger to result as they will run in production, and where the AI takes part. "
            "Example: “1. Invoice captured. 2. Lines extracted. 3. Model proposes the coding. 4. Clerk accepts or "
            "edits. 5. Invoice goes to approval.”",
        ),
        text("users", "Users", "Who uses the output day to day, by role. Example: “Accounts payable clerks”."),
        count(
            "user_count",
            "Number of users",
            "How many people will use it in production. Example: 7.",
            at_least_one=True,
        ),
        choice(
            "ai_role",
            "Role of the AI",
            "What the AI does in the workflow. Automate: it acts on its own. Augment: it proposes and a person "
            "decides. Triage: it sorts and routes work. Draft: it writes a first version that a person finishes.",
        ),
        count(
            "volume_per_month",
            "Uses per month in production",
            "How many times a month the workflow runs at full production. One use is one run, e.g. one invoice. "
            "Example: 9000. The cost model is built on this number.",
            max_value=VOLUME_MAX,
            at_least_one=True,
        ),
        text(
            "latency_target",
            "Speed target",
            "How fast a result must arrive to be useful. Example: “Proposal within 15 minutes of arrival”.",
        ),
        text(
            "availability_target",
            "Availability target",
            "When it must be up, and how reliably. Example: “99% on working days, 07:00–19:00”.",
        ),
        long_text(
            "definition_of_production",
            "What “in production” means",
            "A state anyone can check, not a date. Example: “All supplier invoices arrive in the ERP pre-coded; "
            "clerks only review.”",
        ),
        long_text(
            "out_of_scope",
            "Out of scope",
            "What the production system will deliberately not do, so nobody assumes it will. Example: “Payment "
            "runs; supplier onboarding.”",
        ),
        rows(
            "success_metrics",
            "Success metrics",
            noun="success metric",
            help=(
                "Measures the business already tracks, with today's baseline and the target that makes production "
                "worth it. At least one needs a metric, a baseline and a target."
            ),
            fields=(
                text(
                    "metric",
                    "Metric",
                    "A measure the business already tracks or cares about. Example: “Minutes of clerk time per "
                    "invoice”.",
                ),
                text("baseline", "Baseline today", "Today's value, measured rather than guessed. Example: “6”."),
                text("target", "Target", "The value that makes production worth it. Example: “1.5”."),
                text(
                    "measured_by",
                    "Measured by",
                    "Where the number comes from, so nobody argues about it later. Example: “ERP activity log”.",
                ),
            ),
        ),
    ),
)
