"""Workflow: Where the output lands and who acts on it: the path into a real workflow."""

from __future__ import annotations

from scoping.scope.fields import SectionSpec, choice, long_text, text

SECTION = SectionSpec(
    "workflow",
    "Workflow",
    "Where the output lands and who acts on it: the path into a real workflow.",
    fields=(
        text(
            "output_destination",
            "Where the output lands",
            "The screen, system or queue where people already work and find the output. Example: “Coding fields of"
            " the invoice in the ERP”.",
        ),
        choice(
            "integration",
            "Integration",
            "How the output gets there. API or embedded puts it where people already work; a standalone UI or a "
            "file export asks them to go somewhere else, and is flagged.",
        ),
        text("acting_role", "Who acts on it", "The role that acts on the output. Example: “AP clerk”."),
        long_text(
            "action",
            "What they do",
            "What they do with the output. Example: “Accepts or edits the coding, then releases the invoice.”",
        ),
        long_text(
            "feedback_loop",
            "Feedback loop",
            "How corrections flow back to improve the system. Example: “Edits are pulled nightly into the labelled"
            " set.”",
        ),
        long_text(
            "change_management",
            "Change management",
            "How people learn the new way of working. Example: “One-hour walkthrough; a clerk champion.”",
        ),
        long_text(
            "fallback",
            "Fallback",
            "What happens when the system is down or unsure. Example: “Invoices appear uncoded, as today.”",
        ),
    ),
)
