"""Data path: How production data flows in automatically: a data path, not an export prepared by hand for the demo."""

from __future__ import annotations

from scoping.scope.fields import SectionSpec, choice, long_text, rows, text, yes_no

SECTION = SectionSpec(
    "data_path",
    "Data path",
    "How production data flows in automatically: a data path, not an export prepared by hand for the demo.",
    fields=(
        long_text(
            "pipeline",
            "Pipeline",
            "How production data gets from its sources into the system without anyone preparing it by hand, and "
            "where results go. Example: “Mailbox and portal connectors push PDFs to object storage; extraction "
            "runs on arrival; results are posted to the ERP API.”",
        ),
        long_text(
            "quality_checks",
            "Data-quality checks",
            "Automatic checks that stop bad data before it reaches the model. Example: “Totals reconcile with line"
            " sums; the supplier VAT number must match the vendor master.”",
        ),
        long_text(
            "ground_truth",
            "Ground truth",
            "Where the correct answers come from, to measure and improve accuracy. Example: “Final coding after "
            "clerk review, taken from the ERP nightly.”",
        ),
        long_text(
            "retention",
            "Retention",
            "How long inputs, outputs and logs are kept, and why. Example: “Seven years with the invoice, per tax "
            "rules.”",
        ),
        rows(
            "sources",
            "Data sources",
            noun="data source",
            help=(
                "Every source of data the system reads. A production source fed by a manual export or a one-off "
                "refresh is data prepared by hand for a demo, and blocks the scope."
            ),
            fields=(
                text("name", "Data", "What the data is. Example: “Supplier invoices”."),
                text("system", "System", "Where it lives. Example: “AP mailbox and supplier portal”."),
                text("owner", "Data owner", "Who grants access and answers for its quality. Example: “AP team lead”."),
                choice("kind", "Kind", "What sort of data it is."),
                text("volume", "Volume", "How much, in words. Example: “9,000/month” or “3,200 vendors”."),
                choice("sensitivity", "Sensitivity", "How sensitive the data is, on your own classification."),
                yes_no("personal_data", "Personal data", "Does it contain information about identifiable people?"),
                choice(
                    "access_method",
                    "Access method",
                    "How the production system reads it. A manual export is data prepared by hand: fine for a "
                    "demo, a blocker for production.",
                ),
                choice(
                    "refresh",
                    "Refresh",
                    "How often new data arrives. “One-off” is a snapshot, which cannot feed a production system.",
                ),
                choice("access_status", "Access today", "Can the team actually reach this data today?"),
                yes_no(
                    "used_in_production",
                    "Used in production",
                    "Will the production system read this source? Say no for data used only to train or test.",
                ),
            ),
        ),
    ),
)
