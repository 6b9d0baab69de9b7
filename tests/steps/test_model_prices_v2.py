"""Price catalogue v2: LiteLLM's cache-write, reasoning, batch and deprecation fields reach the catalogue."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from scoping.models import ModelPrice
from scoping.scope.prices import PriceFileError, parse_litellm_prices

V2_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "litellm_prices_v2.json"

pytestmark = pytest.mark.django_db


def import_file(path: Path, as_of: str = "2026-11-01") -> str:
    out = io.StringIO()
    call_command("import_model_prices", str(path), "--as-of", as_of, stdout=out)
    return out.getvalue()


def test_the_v2_fields_are_read_per_million_tokens_exactly():
    entries = {entry.model: entry for entry in parse_litellm_prices(V2_FILE.read_bytes())}

    o4 = entries["o4-mini"]
    assert (o4.reasoning_per_1m, o4.batch_input_per_1m, o4.batch_output_per_1m) == (
        Decimal("4.4"),
        Decimal("0.55"),
        Decimal("2.2"),
    )
    assert entries["claude-sonnet-4-20250514"].cache_write_per_1m == Decimal("3.75")
    assert entries["gpt-4o-2024-05-13"].deprecation_date == date(2027, 3, 31)
    assert entries["claude-sonnet-4-20250514"].deprecation_date is None


def test_the_import_stores_them_and_derives_the_batch_discount():
    assert "3 created" in import_file(V2_FILE)

    o4 = ModelPrice.objects.get(model="o4-mini")
    assert o4.reasoning_per_1m == Decimal("4.4")
    assert o4.batch_discount_pct == Decimal("50.00")
    claude = ModelPrice.objects.get(model="claude-sonnet-4-20250514")
    assert (claude.cache_write_per_1m, claude.reasoning_per_1m, claude.batch_discount_pct) == (
        Decimal("3.75"),
        None,  # blank: billed at the output price
        None,  # no batch price: no discount is assumed
    )
    assert ModelPrice.objects.get(model="gpt-4o-2024-05-13").deprecation_date == date(2027, 3, 31)


def test_a_re_import_with_a_new_deprecation_date_updates_the_row(tmp_path):
    import_file(V2_FILE)
    data = json.loads(V2_FILE.read_text())
    data["claude-sonnet-4-20250514"]["deprecation_date"] = "2027-09-30"
    changed = tmp_path / "prices.json"
    changed.write_text(json.dumps(data))

    assert "1 updated, 2 unchanged" in import_file(changed)
    assert ModelPrice.objects.get(model="claude-sonnet-4-20250514").deprecation_date == date(2027, 9, 30)


@pytest.mark.parametrize("bad", ["31/03/2027", "2027-02-30", 20270331, True])
def test_a_malformed_deprecation_date_stops_the_import_naming_the_model(bad, tmp_path):
    data = json.loads(V2_FILE.read_text())
    data["o4-mini"]["deprecation_date"] = bad
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(data))

    with pytest.raises(PriceFileError, match='Model "o4-mini": deprecation_date must be a date'):
        parse_litellm_prices(path.read_bytes())
    with pytest.raises(CommandError, match="Nothing was imported"):
        import_file(path)
    assert not ModelPrice.objects.exists()


def test_a_negative_reasoning_price_is_refused():
    data = json.loads(V2_FILE.read_text())
    data["o4-mini"]["output_cost_per_reasoning_token"] = -1e-06

    with pytest.raises(PriceFileError, match="output_cost_per_reasoning_token must not be negative"):
        parse_litellm_prices(json.dumps(data))
