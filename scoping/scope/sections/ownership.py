"""Ownership: The named people who own the system after the pilot ends."""

from __future__ import annotations

from scoping.scope.fields import SectionSpec, choice, day, email, group, rows, text

SECTION = SectionSpec(
    "ownership",
    "Ownership",
    "The named people who own the system after the pilot ends.",
    fields=(
        group(
            "business_owner",
            "Business owner",
            attr_prefix="business_owner_",
            fields=(
                text(
                    "name",
                    "Business owner",
                    "The named person who owns the outcome after the pilot: a person, not a team, and not “TBD”. "
                    "Example: “Priya Raman”.",
                ),
                text("role", "Business owner's role", "Example: “Finance Director”."),
                email("email", "Business owner's e-mail", "Example: priya@kestrel.example"),
            ),
        ),
        group(
            "technical_owner",
            "Technical owner",
            attr_prefix="technical_owner_",
            fields=(
                text(
                    "name",
                    "Technical owner",
                    "The named person who keeps the system running in production. Example: “Dan Whitfield”.",
                ),
                text("role", "Technical owner's role", "Example: “Finance Systems Manager”."),
                email("email", "Technical owner's e-mail", "Example: dan@kestrel.example"),
            ),
        ),
        text(
            "budget_owner",
            "Budget owner",
            "The budget that pays the running costs. Example: “Finance operations budget”.",
        ),
        choice(
            "support_model",
            "Support after launch",
            "Who supports the system after launch: your own team, the consultancy, or both.",
        ),
        day("handover_date", "Handover date", "When the consultancy hands the system over to its owners."),
        rows(
            "responsibilities",
            "Responsibilities",
            noun="responsibility",
            help="Who does what after launch, and how often.",
            fields=(
                text("responsibility", "Responsibility", "A recurring task after launch. Example: “Accuracy review”."),
                text("owner", "Owner", "Who does it. Example: “AP team lead”."),
                text("cadence", "How often", "Example: “daily”, “monthly”, “after each model update”."),
            ),
        ),
    ),
)
