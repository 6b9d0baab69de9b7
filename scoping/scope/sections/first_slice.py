"""First slice: The pilot, built as the first real slice of the production system rather than a demo."""

from __future__ import annotations

from scoping.scope.fields import VOLUME_MAX, WEEKS_MAX, SectionSpec, count, long_text, rows, text

SECTION = SectionSpec(
    "first_slice",
    "First slice",
    "The pilot, built as the first real slice of the production system rather than a demo.",
    fields=(
        long_text(
            "description",
            "The slice",
            "The pilot as the first real slice of the production system: a narrow cut that runs end to end on real"
            " data through the real integrations, not a demo. Example: “Invoices from the top 40 suppliers, end to"
            " end into the ERP approval queue.”",
        ),
        text("users", "Users in the slice", "Who uses the slice. Example: “Two AP clerks”."),
        long_text(
            "in_scope",
            "In scope",
            "Exactly which cases the slice handles. Example: “PDF invoices in English from the top 40 suppliers.”",
        ),
        long_text(
            "out_of_scope",
            "Left for later",
            "Cases the slice leaves out on purpose. Example: “Paper invoices; credit notes.”",
        ),
        long_text(
            "carries_forward",
            "What carries forward to production",
            "What is built in the slice and kept in production: pipelines, integrations, labelled data, tests. If "
            "nothing carries forward, it is a demo. Example: “Extraction pipeline, ERP integration and the "
            "labelled invoice set.”",
        ),
        count(
            "duration_weeks",
            "Duration (weeks)",
            "How long the slice runs. Example: 8. Longer than 12 weeks is flagged: long pilots tend to stall.",
            max_value=WEEKS_MAX,
            at_least_one=True,
        ),
        count(
            "pilot_volume_per_month",
            "Uses per month in the slice",
            "How many uses a month the slice handles. Example: 1500.",
            max_value=VOLUME_MAX,
            at_least_one=True,
        ),
        long_text(
            "exit_criteria",
            "Exit criteria",
            "What must be true to move from the slice to full production. Example: “95% of lines accepted without "
            "edit for three weeks.”",
        ),
        text(
            "decision_owner",
            "Go / no-go decided by",
            "The person who decides at the end of the slice. Example: “Finance Director”.",
        ),
        rows(
            "acceptance_criteria",
            "Acceptance criteria",
            noun="acceptance criterion",
            help="What the slice must show before it grows into production, each with a threshold.",
            fields=(
                text("criterion", "Criterion", "What is checked. Example: “Lines accepted without edit”."),
                text("threshold", "Threshold", "The bar the slice must clear. Example: “at least 95%”."),
                text("measured_by", "Measured by", "How it is measured. Example: “ERP edit events”."),
            ),
        ),
    ),
)
