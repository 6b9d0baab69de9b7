"""manage.py load_starter_prices: the small, clearly dated starter catalogue, so the model picker is never empty."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoping.scope.prices import SPEC_KEY, PriceFileError, parse_litellm_prices
from scoping.steps.prices import model_prices_import

STARTER_FILE = Path(__file__).resolve().parents[2] / "demo_data" / "starter_prices.json"


def starter_as_of(data: bytes) -> date:
    """The file's as-of date, kept in LiteLLM's ``sample_spec`` entry so the file stays in LiteLLM's format."""
    try:
        return date.fromisoformat(json.loads(data)[SPEC_KEY]["as_of"])
    except (ValueError, KeyError, TypeError) as error:
        raise CommandError(f"{STARTER_FILE.name} needs sample_spec.as_of as a date: {error}") from None


class Command(BaseCommand):
    help = "Load the starter model price catalogue (list prices as of the file's date; check before relying on them)."

    def handle(self, *args, **options):
        data = STARTER_FILE.read_bytes()
        as_of = starter_as_of(data)
        try:
            prices = parse_litellm_prices(data)
            counts = model_prices_import(
                entries=prices,
                effective_date=as_of,
                source=f"Starter catalogue (prices as of {as_of.isoformat()}; check before relying on them)",
                skipped=prices.skipped_count,
            )
        except PriceFileError as error:
            raise CommandError(f"{STARTER_FILE.name}: {error}") from None
        self.stdout.write(f"Starter model prices as of {as_of.isoformat()}: {counts}.")
