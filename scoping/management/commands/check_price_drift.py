"""``manage.py check_price_drift``: re-cost scopes whose catalogue prices changed; alert owners of signed scopes."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from scoping.steps.drift import price_drift_check


class Command(BaseCommand):
    help = (
        "Re-cost every scope whose model's catalogue prices changed since it copied them, and e-mail the owners and "
        "lead of each signed scope whose launch cost per use left its signed envelope or whose model is retired "
        "before handover. Each change is reported once; running it again reports only what is new."
    )

    def handle(self, *args, **options) -> None:
        report = price_drift_check()
        self.stdout.write(f"Price drift: {report}.")
        for project_id, reason in sorted(report.refused.items()):
            self.stdout.write(f"  project {project_id}: not re-costed: {reason}")
        for drift in report.alerts:
            self.stdout.write(f"  project {drift.project_id}: {drift.get_kind_display().lower()} ({drift.details})")
