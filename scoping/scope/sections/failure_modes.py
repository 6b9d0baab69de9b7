"""Failure modes: The failure-mode register: what goes wrong, how it is noticed and what happens then."""

from __future__ import annotations

from scoping.scope.fields import SectionSpec, choice, long_text, rows, text

SECTION = SectionSpec(
    "failure_modes",
    "Failure modes",
    "The failure-mode register: what goes wrong, how it is noticed and what happens then.",
    fields=(
        long_text(
            "human_in_the_loop",
            "Human in the loop",
            "When a person checks or overrides the output. Example: “A clerk reviews every proposal; lines above "
            "£10,000 need a second reviewer.”",
        ),
        long_text(
            "evaluation_plan",
            "Evaluation plan",
            "How accuracy is measured before launch and watched after it. Example: “Monthly replay of 500 coded "
            "invoices; accuracy per supplier tracked.”",
        ),
        rows(
            "items",
            "Failure modes",
            noun="failure mode",
            help=(
                "At least three ways the system can fail, including the model simply being wrong. High and critical "
                "impacts need both detection and handling."
            ),
            fields=(
                long_text(
                    "scenario",
                    "What goes wrong",
                    "A concrete failure. Example: “Wrong GL account proposed”. List at least three, including one "
                    "where the model is simply wrong.",
                ),
                choice(
                    "category",
                    "Category",
                    "The kind of failure. “Model error” and “Hallucination” are the cases where the model is wrong.",
                ),
                choice("likelihood", "Likelihood", "How likely it is to happen in a normal month."),
                choice(
                    "impact",
                    "Impact",
                    "How bad it is when it happens. High and critical failures need both detection and handling.",
                ),
                long_text(
                    "detection",
                    "How it is detected",
                    "How you will notice: an alert, a check or a person. Example: “Queue age alert over 30 minutes”.",
                ),
                long_text(
                    "handling",
                    "How it is handled",
                    "What happens then, and who does it. Example: “Invoices queue and post when the API returns; "
                    "manual coding if the outage passes 4 hours”.",
                ),
                text("owner", "Owner", "Who acts when it happens. Example: “Finance systems on call”."),
            ),
        ),
    ),
)
