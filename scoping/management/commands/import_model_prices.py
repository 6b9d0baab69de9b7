"""manage.py import_model_prices FILE: load LiteLLM's model_prices_and_context_window.json into the catalogue."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scoping.scope.prices import PriceFileError, parse_litellm_prices
from scoping.steps.prices import model_prices_import


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be a date such as 2026-10-01, not {text!r}.") from None


class Command(BaseCommand):
    help = (
        "Import token prices from a LiteLLM model_prices_and_context_window.json file. All or nothing: a malformed "
        "entry stops the import with a message naming the model and field, and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the LiteLLM price file (JSON)")
        parser.add_argument(
            "--as-of",
            type=_iso_date,
            default=None,
            help="the date the prices were published or checked (default: today); rows of other dates are kept",
        )
        parser.add_argument("--source", default="", help="where the file came from, shown in the catalogue")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
        try:
            prices = parse_litellm_prices(data)
            as_of = options["as_of"] or timezone.localdate()
            counts = model_prices_import(
                entries=prices,
                effective_date=as_of,
                source=options["source"] or f"LiteLLM import of {path.name}",
                skipped=prices.skipped_count,
            )
        except PriceFileError as error:
            raise CommandError(f"{path}: {error} Nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(f"Model prices as of {as_of.isoformat()}: {counts}."))
