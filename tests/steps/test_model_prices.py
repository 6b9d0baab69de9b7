"""The model price catalogue: LiteLLM imports, the starter catalogue, and copying prices into a scope."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.urls import reverse

from scoping.models import ActivityEvent, ModelPrice
from scoping.models.sections import CostModel
from scoping.projects.scope_io import import_scope
from scoping.projects.services import activity_record
from scoping.steps.prices import PriceCopyConflict, PriceCopyRefused, model_prices_copy

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLE = str(FIXTURES / "litellm_prices_sample.json")
MALFORMED = str(FIXTURES / "litellm_prices_malformed.json")

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def price_row(**fields) -> ModelPrice:
    defaults = {
        "provider": "openai",
        "model": "gpt-4.1-mini",
        "input_per_1m": Decimal("0.40"),
        "cached_input_per_1m": Decimal("0.10"),
        "output_per_1m": Decimal("1.60"),
        "currency": "GBP",
        "effective_date": date(2026, 10, 1),
        "source": "test",
    }
    return ModelPrice.objects.create(**{**defaults, **fields})


@pytest.fixture
def invoice_project(lead):
    data = json.loads((FIXTURES / "invoice-coding.json").read_text(encoding="utf-8"))
    return import_scope(data=data, client_name=None, user=lead)


def test_the_import_command_reads_a_litellm_file_into_per_million_prices():
    printed = run("import_model_prices", SAMPLE, "--as-of", "2026-11-01")

    assert "6 created, 0 updated, 0 unchanged, 3 skipped" in printed
    gpt = ModelPrice.objects.get(model="gpt-4o")
    assert (gpt.provider, gpt.currency, gpt.effective_date) == ("openai", "USD", date(2026, 11, 1))
    assert (gpt.input_per_1m, gpt.cached_input_per_1m, gpt.output_per_1m) == (
        Decimal("2.5"),
        Decimal("1.25"),
        Decimal("10"),
    )
    flash = ModelPrice.objects.get(model="gemini/gemini-1.5-flash")
    assert (flash.input_per_1m, flash.cached_input_per_1m) == (Decimal("0.075"), None)  # no cached price: a gap
    assert not ModelPrice.objects.filter(model__in=["dall-e-3", "whisper-1", "openrouter/openrouter/auto"]).exists()
    event = ActivityEvent.objects.get(verb="model_prices_imported")
    assert event.changes == {"created": 6, "updated": 0, "unchanged": 0, "skipped": 3}


def test_importing_again_updates_changed_prices_and_keeps_other_dates(tmp_path):
    run("import_model_prices", SAMPLE, "--as-of", "2026-11-01")
    data = json.loads(Path(SAMPLE).read_text())
    data["gpt-4o"]["input_cost_per_token"] = 2e-06
    changed = tmp_path / "prices.json"
    changed.write_text(json.dumps(data))

    printed = run("import_model_prices", str(changed), "--as-of", "2026-11-01")
    run("import_model_prices", SAMPLE, "--as-of", "2026-12-01")

    assert "0 created, 1 updated, 5 unchanged, 3 skipped" in printed
    history = ModelPrice.objects.filter(model="gpt-4o").order_by("effective_date")
    assert [(row.effective_date, row.input_per_1m) for row in history] == [
        (date(2026, 11, 1), Decimal("2")),
        (date(2026, 12, 1), Decimal("2.5")),
    ]


def test_a_malformed_file_names_the_model_and_field_and_imports_nothing():
    with pytest.raises(CommandError) as error:
        run("import_model_prices", MALFORMED)

    message = str(error.value)
    assert 'Model "acme/broken-model": output_cost_per_token must not be negative' in message
    assert "Nothing was imported." in message
    assert ModelPrice.objects.count() == 0  # gpt-4o-mini, listed before the broken entry, is not imported either


def test_a_malformed_file_exits_with_status_1_from_the_command_line(capsys, monkeypatch):
    # run_from_argv closes every connection when it ends; the test's transaction needs its connection kept.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "import_model_prices", MALFORMED])

    assert exit_info.value.code == 1
    assert "acme/broken-model" in capsys.readouterr().err
    assert ModelPrice.objects.count() == 0


def test_a_file_that_is_not_json_is_refused_with_its_position(tmp_path):
    broken = tmp_path / "prices.json"
    broken.write_text('{"gpt-4o": {"input_cost_per_token": 1e-06,,}}')

    with pytest.raises(CommandError, match="not valid JSON: .* line 1, column"):
        run("import_model_prices", str(broken))
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_model_prices", str(tmp_path / "missing.json"))


def test_the_starter_catalogue_is_dated_labelled_and_loads_idempotently():
    first = run("load_starter_prices")
    second = run("load_starter_prices")

    assert "9 created" in first
    assert "0 created, 0 updated, 9 unchanged" in second
    assert ModelPrice.objects.count() == 9
    dates = set(ModelPrice.objects.values_list("effective_date", flat=True))
    assert dates == {date(2025, 6, 1)}
    assert set(ModelPrice.objects.values_list("source", flat=True)) == {
        "Starter catalogue (prices as of 2025-06-01; check before relying on them)"
    }
    assert ActivityEvent.objects.filter(verb="model_prices_imported").count() == 1  # the no-op run wrote nothing


def test_copied_prices_stay_in_the_scope_when_the_catalogue_changes(client, lead, invoice_project):
    price = price_row()
    section = CostModel.objects.get(project=invoice_project)
    client.force_login(lead)

    response = client.post(
        reverse("projects:cost_model_pick", args=[invoice_project.pk]),
        {"price": price.pk, "revision": section.revision},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "Copied the prices of gpt-4.1-mini (openai, as of 2026-10-01)" in response.content.decode()
    trigger = json.loads(response["HX-Trigger"])["cost-prices-copied"]
    assert trigger["values"]["input_price"] == "0.4"
    assert trigger["revision"] == section.revision + 1
    copied = CostModel.objects.get(pk=section.pk)
    assert (copied.model, copied.input_price, copied.cached_input_price, copied.output_price) == (
        "gpt-4.1-mini (openai)",
        Decimal("0.4"),
        Decimal("0.1"),
        Decimal("1.6"),
    )
    assert copied.prices_as_of == date(2026, 10, 1)
    assert copied.revision == section.revision + 1
    assert copied.calls_per_use == 2 and copied.hosting == Decimal("1100")  # the rest of the scope is untouched
    event = ActivityEvent.objects.get(verb="model_prices_copied")
    assert event.project_id == invoice_project.pk and event.changes["input_price"] == ["0.2", "0.4"]

    again = client.post(
        reverse("projects:cost_model_pick", args=[invoice_project.pk]),
        {"price": price.pk, "revision": copied.revision},
        HTTP_HX_REQUEST="true",
    )
    assert "already holds the prices" in again.content.decode()
    assert CostModel.objects.get(pk=section.pk).revision == copied.revision  # a repeated pick writes nothing

    price.input_per_1m = Decimal("9.99")
    price.save()
    ModelPrice.objects.filter(pk=price.pk).update(output_per_1m=Decimal("99"))

    assert CostModel.objects.get(pk=section.pk).input_price == Decimal("0.4")
    assert CostModel.objects.get(pk=section.pk).output_price == Decimal("1.6")


def test_copying_from_a_stale_page_is_refused_and_changes_nothing(lead, invoice_project):
    section = CostModel.objects.get(project=invoice_project)
    stale = section.revision
    CostModel.objects.filter(pk=section.pk).update(revision=stale + 1)

    with pytest.raises(PriceCopyConflict, match="Someone saved the cost model"):
        model_prices_copy(cost_model=section, price=price_row(), expected_revision=stale, actor=lead)

    after = CostModel.objects.get(pk=section.pk)
    assert (after.input_price, after.revision) == (Decimal("0.2"), stale + 1)
    assert not ActivityEvent.objects.filter(verb="model_prices_copied").exists()


def test_prices_in_another_currency_need_an_exchange_rate(lead, invoice_project):
    section = CostModel.objects.get(project=invoice_project)
    usd = price_row(currency="USD", cached_input_per_1m=None)

    with pytest.raises(PriceCopyRefused, match="in USD and this scope is in GBP"):
        model_prices_copy(cost_model=section, price=usd, expected_revision=section.revision, actor=lead)
    copied = model_prices_copy(
        cost_model=section, price=usd, expected_revision=section.revision, actor=lead, exchange_rate=Decimal("0.75")
    ).cost_model

    assert (copied.input_price, copied.output_price) == (Decimal("0.3"), Decimal("1.2"))
    assert copied.cached_input_price is None  # a missing catalogue price stays a gap, never 0
    assert copied.model == "gpt-4.1-mini (openai), USD prices × 0.75"


def test_a_refused_pick_is_shown_in_the_status_line(client, lead, invoice_project):
    usd = price_row(currency="USD")
    section = CostModel.objects.get(project=invoice_project)
    client.force_login(lead)

    response = client.post(
        reverse("projects:cost_model_pick", args=[invoice_project.pk]),
        {"price": usd.pk, "revision": section.revision, "exchange_rate": "-1"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert "HX-Trigger" not in response
    assert CostModel.objects.get(pk=section.pk).input_price == Decimal("0.2")


@pytest.mark.parametrize("role,status", [("reviewer", 403), ("outsider", 404)])
def test_only_scope_editors_may_copy_prices(client, roles, invoice_project, role, status):
    section = CostModel.objects.get(project=invoice_project)
    client.force_login(roles[role])

    response = client.post(
        reverse("projects:cost_model_pick", args=[invoice_project.pk]),
        {"price": price_row().pk, "revision": section.revision},
    )

    assert response.status_code == status
    assert CostModel.objects.get(pk=section.pk).revision == section.revision


def test_an_admin_imports_a_litellm_file_from_the_admin(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:scoping_modelprice_import")

    with open(SAMPLE, "rb") as upload:
        response = client.post(url, {"file": upload, "as_of": "2026-11-01", "source": "LiteLLM main"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:scoping_modelprice_changelist")
    assert "6 created, 0 updated, 0 unchanged, 3 skipped" in response.content.decode()
    assert ModelPrice.objects.filter(source="LiteLLM main", effective_date=date(2026, 11, 1)).count() == 6


def test_a_malformed_upload_in_the_admin_is_refused_with_the_model_named(client, admin_user):
    client.force_login(admin_user)

    with open(MALFORMED, "rb") as upload:
        response = client.post(reverse("admin:scoping_modelprice_import"), {"file": upload, "as_of": "2026-11-01"})

    assert response.status_code == 200
    assert "acme/broken-model" in response.content.decode()
    assert ModelPrice.objects.count() == 0


def test_the_admin_shows_the_audit_trail_but_cannot_change_it(client, admin_user, project):
    client.force_login(admin_user)
    event = activity_record(actor=admin_user, verb="project_edited", project=project, obj=project)

    assert client.get(reverse("admin:scoping_activityevent_changelist")).status_code == 200
    assert client.get(reverse("admin:scoping_activityevent_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:scoping_activityevent_delete", args=[event.pk])).status_code == 403
    assert client.get(reverse("admin:scoping_discoveryproject_add")).status_code == 403


@pytest.mark.parametrize("typed,expected", [("0,75", Decimal("0.75")), (" 0.75 ", Decimal("0.75"))])
def test_the_exchange_rate_is_read_like_every_other_number(client, lead, invoice_project, typed, expected):
    usd = price_row(currency="USD")
    section = CostModel.objects.get(project=invoice_project)
    client.force_login(lead)

    response = client.post(
        reverse("projects:cost_model_pick", args=[invoice_project.pk]),
        {"price": usd.pk, "revision": section.revision, "exchange_rate": typed},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert CostModel.objects.get(pk=section.pk).model.endswith(f"USD prices × {expected}")


@pytest.mark.parametrize(
    "typed,message", [("0", "Exchange rate: must be more than 0"), ("lots", "Exchange rate: “lots”")]
)
def test_a_bad_exchange_rate_names_the_field(client, lead, invoice_project, typed, message):
    section = CostModel.objects.get(project=invoice_project)
    client.force_login(lead)

    response = client.post(
        reverse("projects:cost_model_pick", args=[invoice_project.pk]),
        {"price": price_row(currency="USD").pk, "revision": section.revision, "exchange_rate": typed},
        HTTP_HX_REQUEST="true",
    )

    assert message in response.content.decode().replace("&#x27;", "'")
    assert CostModel.objects.get(pk=section.pk).revision == section.revision
