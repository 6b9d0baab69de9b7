"""``manage.py load_default_clauses``: install the starter clause library (one clause per category); idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from consultancy.services import default_clauses_load


class Command(BaseCommand):
    help = (
        "Install the starter clauses (IP, data processing, warranty and hypercare, change control, termination) "
        "that are not in the library yet. Existing clauses are left as they are, so running it again is harmless."
    )

    def handle(self, *args, **options) -> None:
        result = default_clauses_load()
        if result.installed:
            self.stdout.write(
                f"Installed {len(result.installed)} starter clauses: {', '.join(result.installed)}. "
                "Review each with your lawyer before sending it to a client."
            )
        if result.already_there:
            self.stdout.write(f"Already in the library, left unchanged: {', '.join(result.already_there)}.")
