"""The model price catalogue: LiteLLM imports, the starter catalogue, and copying prices into a scope."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.urls import reverse

from scoping.models import ActivityEvent, ModelPrice, Stage
from scoping.models.sections import CostModel, ModelStep
from scoping.projects.scope_io import import_scope
from scoping.projects.services import activity_record
from scoping.steps.prices import PriceCopyConflict, PriceCopyRefused, model_prices_copy
from tests.factories import ParticipantFactory
from tests.review_support import set_stage

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


def first_step(project) -> ModelStep:
    return ModelStep.objects.filter(cost_model__project=project).order_by("position", "id").first()


def pick(client, project, price, **fields):
    """Post the picker as htmx does; the revision is the cost model's current one unless given."""
    revision = fields.pop("revision", None)
    if revision is None:
        revision = CostModel.objects.get(project=project).revision
    return client.post(
        reverse("projects:cost_model_pick", args=[project.pk]),
        {"price": price.pk, "revision": revision, **fields},
        HTTP_HX_REQUEST="true",
    )


def picked(response) -> dict:
    return json.loads(response["HX-Trigger"])["cost-prices-copied"]


def test_copied_prices_stay_in_the_scope_when_the_catalogue_changes(client, lead, invoice_project):
    price = price_row()
    section = CostModel.objects.get(project=invoice_project)
    client.force_login(lead)

    response = pick(client, invoice_project, price)  # one step: the prices go into it unless told otherwise

    assert response.status_code == 200
    assert (
        "Copied the prices of gpt-4.1-mini (openai, as of 2026-10-01) into model step 1 (Model call)."
        in response.content.decode()
    )
    trigger = picked(response)
    assert (trigger["step"]["index"], trigger["step"]["new"]) == (0, False)
    assert trigger["step"]["values"]["input_price"] == "0.4"
    assert trigger["values"] == {"currency": "GBP", "prices_as_of": "2026-10-01"}
    assert trigger["revision"] == section.revision + 1
    step = first_step(invoice_project)
    assert (step.model, step.provider, step.input_price, step.cached_input_price, step.output_price) == (
        "gpt-4.1-mini",
        "openai",
        Decimal("0.4"),
        Decimal("0.1"),
        Decimal("1.6"),
    )
    copied = CostModel.objects.get(pk=section.pk)
    assert copied.prices_as_of == date(2026, 10, 1)
    assert copied.revision == section.revision + 1
    # The rest of the step and of the scope is the person's, untouched.
    assert (step.name, step.calls_per_use, step.input_tokens, step.output_tokens) == ("Model call", 2, 3000, 400)
    assert copied.hosting == Decimal("1100")
    event = ActivityEvent.objects.get(verb="model_prices_copied")
    assert event.project_id == invoice_project.pk and event.changes["steps[0].input_price"] == ["0.2", "0.4"]
    assert event.changes["steps[0].model"] == ["self-hosted 8B model", "gpt-4.1-mini"]

    again = pick(client, invoice_project, price, step="0")
    assert "Model step 1 (Model call) already holds the prices" in again.content.decode()
    assert CostModel.objects.get(pk=section.pk).revision == copied.revision  # a repeated pick writes nothing

    price.input_per_1m = Decimal("9.99")
    price.save()
    ModelPrice.objects.filter(pk=price.pk).update(output_per_1m=Decimal("99"))

    assert first_step(invoice_project).input_price == Decimal("0.4")
    assert first_step(invoice_project).output_price == Decimal("1.6")


def test_copying_from_a_stale_page_is_refused_and_changes_nothing(lead, invoice_project):
    section = CostModel.objects.get(project=invoice_project)
    stale = section.revision
    CostModel.objects.filter(pk=section.pk).update(revision=stale + 1)

    with pytest.raises(PriceCopyConflict, match="Someone saved the cost model"):
        model_prices_copy(cost_model=section, price=price_row(), step_index=0, expected_revision=stale, actor=lead)
    with pytest.raises(PriceCopyConflict, match="Someone saved the cost model"):
        model_prices_copy(
            cost_model=section, price=price_row(model="o4-mini"), step_index=None, expected_revision=stale, actor=lead
        )

    after = CostModel.objects.get(pk=section.pk)
    assert (first_step(invoice_project).input_price, after.revision) == (Decimal("0.2"), stale + 1)
    assert ModelStep.objects.filter(cost_model=section).count() == 1  # no new step either
    assert not ActivityEvent.objects.filter(verb="model_prices_copied").exists()


def test_prices_in_another_currency_need_an_exchange_rate(lead, invoice_project):
    section = CostModel.objects.get(project=invoice_project)
    usd = price_row(currency="USD", cached_input_per_1m=None)

    with pytest.raises(PriceCopyRefused, match="in USD and this scope is in GBP"):
        model_prices_copy(cost_model=section, price=usd, step_index=0, expected_revision=section.revision, actor=lead)
    copied = model_prices_copy(
        cost_model=section,
        price=usd,
        step_index=0,
        expected_revision=section.revision,
        actor=lead,
        exchange_rate=Decimal("0.75"),
    ).step

    assert (copied.input_price, copied.output_price) == (Decimal("0.3"), Decimal("1.2"))
    assert copied.cached_input_price is None  # a missing catalogue price stays a gap, never 0
    assert (copied.model, copied.provider) == ("gpt-4.1-mini", "openai, USD prices × 0.75")


def test_a_refused_pick_is_shown_in_the_status_line(client, lead, invoice_project):
    usd = price_row(currency="USD")
    section = CostModel.objects.get(project=invoice_project)
    client.force_login(lead)

    response = pick(client, invoice_project, usd, exchange_rate="-1")

    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert "HX-Trigger" not in response
    assert first_step(invoice_project).input_price == Decimal("0.2")
    assert CostModel.objects.get(pk=section.pk).revision == section.revision


@pytest.fixture
def three_steps_project(lead):
    data = json.loads((FIXTURES / "invoice-coding-three-steps.json").read_text(encoding="utf-8"))
    return import_scope(data=data, client_name=None, user=lead)


def steps_of(project) -> list[ModelStep]:
    return list(ModelStep.objects.filter(cost_model__project=project).order_by("position", "id"))


def test_a_pick_fills_the_chosen_step_and_leaves_the_others(client, lead, three_steps_project):
    before = steps_of(three_steps_project)
    client.force_login(lead)

    response = pick(client, three_steps_project, price_row(provider="anthropic", model="claude-sonnet-4"), step="1")

    assert "into model step 2 (Extract and code the lines)." in response.content.decode()
    assert (picked(response)["step"]["index"], picked(response)["step"]["new"]) == (1, False)
    after = steps_of(three_steps_project)
    assert len(after) == 3
    assert (after[1].model, after[1].provider, after[1].input_price, after[1].output_price) == (
        "claude-sonnet-4",
        "anthropic",
        Decimal("0.4"),
        Decimal("1.6"),
    )
    assert (after[1].name, after[1].calls_per_use, after[1].cache_write_share_pct) == (
        "Extract and code the lines",
        2,
        Decimal("10"),
    )
    for untouched in (0, 2):
        assert (after[untouched].model, after[untouched].input_price) == (
            before[untouched].model,
            before[untouched].input_price,
        )


def test_with_several_steps_the_person_must_say_which(client, lead, three_steps_project):
    section = CostModel.objects.get(project=three_steps_project)
    client.force_login(lead)

    response = pick(client, three_steps_project, price_row())

    html = response.content.decode()
    assert "alert-danger" in html
    assert "This cost model has 3 model steps: choose the step the prices go into, or a new step." in html
    assert "HX-Trigger" not in response
    assert CostModel.objects.get(pk=section.pk).revision == section.revision
    assert [step.model for step in steps_of(three_steps_project)] == ["gpt-4.1-nano", "claude-sonnet-4", "o4-mini"]


def test_the_picker_offers_the_saved_steps_and_a_new_one(client, lead, three_steps_project):
    price_row()
    client.force_login(lead)

    html = client.get(reverse("projects:step", args=[three_steps_project.pk, "cost_model"])).content.decode()

    select = html[html.index('<select class="form-select" id="model-pick-step"') :]
    select = select[: select.index("</select>")]
    assert " required" in select.split(">")[0]  # several steps: nothing is chosen for the person
    options = [(value, label.strip()) for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select)]
    assert options == [
        ("", "— choose a model step —"),
        ("0", "Step 1: Classify the invoice — gpt-4.1-nano"),
        ("1", "Step 2: Extract and code the lines — claude-sonnet-4"),
        ("2", "Step 3: Check the coding — o4-mini"),
        ("new", "A new step"),
    ]


def picker_select(client, project) -> str:
    html = client.get(reverse("projects:step", args=[project.pk, "cost_model"])).content.decode()
    select = html[html.index('<select class="form-select" id="model-pick-step"') :]
    return select[: select.index("</select>")]


def test_the_picker_chooses_the_only_step_or_a_new_one_by_itself(client, lead, invoice_project):
    price_row()
    client.force_login(lead)

    one_step = picker_select(client, invoice_project)
    ModelStep.objects.filter(cost_model__project=invoice_project).delete()
    no_step = picker_select(client, invoice_project)

    assert '<option value="0" selected>Step 1: Model call — self-hosted 8B model</option>' in one_step
    assert '<option value="new" selected>A new step</option>' in no_step
    for select in (one_step, no_step):
        assert " required" not in select.split(">")[0]
        assert "— choose a model step —" not in select


def test_a_pick_into_a_new_step_adds_it_at_the_end(client, lead, invoice_project):
    section = CostModel.objects.get(project=invoice_project)
    price = price_row(model="o4-mini", deprecation_date=date(2027, 6, 30))
    client.force_login(lead)

    response = pick(client, invoice_project, price, step="new")

    assert response.status_code == 200
    assert (
        "Copied the prices of o4-mini (openai, as of 2026-10-01) into a new model step 2." in response.content.decode()
    )
    steps = steps_of(invoice_project)
    assert [step.model for step in steps] == ["self-hosted 8B model", "o4-mini"]
    added = steps[1]
    assert (added.name, added.provider, added.input_price, added.cached_input_price, added.output_price) == (
        "",
        "openai",
        Decimal("0.4"),
        Decimal("0.1"),
        Decimal("1.6"),
    )
    # A plain call until the person says otherwise; how many calls a use makes is theirs to give.
    assert (added.reasoning_tokens, added.cache_write_share_pct, added.batch_share_pct) == (0, Decimal(0), Decimal(0))
    assert (added.calls_per_use, added.input_tokens, added.output_tokens) == (None, None, None)
    assert added.deprecation_date == date(2027, 6, 30)
    assert steps[0].input_price == Decimal("0.2")  # the step that was there keeps its prices
    assert CostModel.objects.get(pk=section.pk).revision == section.revision + 1
    trigger = picked(response)
    assert (trigger["step"]["index"], trigger["step"]["new"]) == (1, True)
    assert trigger["step"]["values"]["model"] == "o4-mini"
    assert trigger["step"]["values"]["reasoning_tokens"] == "0"
    assert trigger["step"]["values"]["calls_per_use"] == ""
    assert trigger["targets"] == [
        {"value": "0", "label": "Step 1: Model call — self-hosted 8B model"},
        {"value": "1", "label": "Step 2 — o4-mini"},
        {"value": "new", "label": "A new step"},
    ]


def test_a_cost_model_without_steps_gets_its_first_step_from_a_pick(client, lead, invoice_project):
    ModelStep.objects.filter(cost_model__project=invoice_project).delete()
    client.force_login(lead)

    response = pick(client, invoice_project, price_row())  # no step to choose: a new one, unasked

    assert "into a new model step 1." in response.content.decode()
    assert [(step.position, step.model) for step in steps_of(invoice_project)] == [(0, "gpt-4.1-mini")]
    assert picked(response)["step"]["new"] is True


def test_a_step_removed_since_the_page_loaded_is_refused(client, lead, invoice_project):
    section = CostModel.objects.get(project=invoice_project)
    client.force_login(lead)

    with pytest.raises(PriceCopyRefused, match="Model step 2 is no longer in the cost model"):
        model_prices_copy(
            cost_model=section, price=price_row(), step_index=1, expected_revision=section.revision, actor=lead
        )
    response = pick(client, invoice_project, price_row(model="o4-mini"), step="3")

    html = response.content.decode()
    assert "alert-danger" in html and "Model step 4 is no longer in the cost model" in html
    assert "HX-Trigger" not in response
    assert [step.model for step in steps_of(invoice_project)] == ["self-hosted 8B model"]
    assert CostModel.objects.get(pk=section.pk).revision == section.revision
    assert not ActivityEvent.objects.filter(verb="model_prices_copied").exists()


def test_a_pick_from_an_older_revision_is_refused_in_the_status_line(client, lead, invoice_project):
    section = CostModel.objects.get(project=invoice_project)
    CostModel.objects.filter(pk=section.pk).update(revision=section.revision + 1)
    client.force_login(lead)

    response = pick(client, invoice_project, price_row(), step="0", revision=section.revision)

    assert "Someone saved the cost model since you opened it" in response.content.decode()
    assert "HX-Trigger" not in response
    assert first_step(invoice_project).model == "self-hosted 8B model"


def test_reasoning_and_cache_write_prices_are_copied_and_missing_ones_stay_blank(lead, invoice_project):
    section = CostModel.objects.get(project=invoice_project)
    claude = price_row(
        provider="anthropic",
        model="claude-sonnet-4",
        input_per_1m=Decimal("3"),
        cached_input_per_1m=Decimal("0.3"),
        cache_write_per_1m=Decimal("3.75"),
        output_per_1m=Decimal("15"),
    )
    o4 = price_row(model="o4-mini", reasoning_per_1m=Decimal("4.4"), cached_input_per_1m=None)

    into_first = model_prices_copy(
        cost_model=section, price=claude, step_index=0, expected_revision=section.revision, actor=lead
    ).step
    into_new = model_prices_copy(
        cost_model=section, price=o4, step_index=None, expected_revision=section.revision + 1, actor=lead
    ).step

    assert (into_first.cache_write_price, into_first.reasoning_price) == (Decimal("3.75"), None)
    assert (into_new.reasoning_price, into_new.cache_write_price, into_new.cached_input_price) == (
        Decimal("4.4"),
        None,  # no cache-write price in the catalogue: blank, never 0
        None,
    )
    event = ActivityEvent.objects.filter(verb="model_prices_copied").order_by("id").first()
    assert event.changes["steps[0].cache_write_price"] == ["", "3.75"]


def test_the_retirement_date_is_copied_and_refreshed_by_a_later_pick(lead, invoice_project):
    section = CostModel.objects.get(project=invoice_project)
    retiring = price_row(deprecation_date=date(2027, 3, 31))

    copied = model_prices_copy(
        cost_model=section, price=retiring, step_index=0, expected_revision=section.revision, actor=lead
    )
    again = model_prices_copy(
        cost_model=section,
        price=price_row(effective_date=date(2026, 11, 1)),
        step_index=0,
        expected_revision=section.revision + 1,
        actor=lead,
    )

    assert copied.step.deprecation_date == date(2027, 3, 31)
    assert again.changed and again.step.deprecation_date is None  # the newer pick names no retirement


def test_the_batch_discount_is_derived_from_the_catalogue_batch_price(lead, invoice_project):
    section = CostModel.objects.get(project=invoice_project)
    ModelStep.objects.filter(cost_model=section).update(batch_discount_pct=Decimal("30"))
    batched = price_row(model="o4-mini", input_per_1m=Decimal("1.10"), batch_input_per_1m=Decimal("0.55"))
    unbatched = price_row(model="gpt-4.1-nano")

    first = model_prices_copy(
        cost_model=section, price=batched, step_index=0, expected_revision=section.revision, actor=lead
    ).step
    assert first.batch_discount_pct == Decimal("50")
    second = model_prices_copy(
        cost_model=section, price=unbatched, step_index=0, expected_revision=section.revision + 1, actor=lead
    ).step
    # No batch price in the catalogue: the old model's discount is not carried over, and none is guessed.
    assert second.batch_discount_pct is None
    assert second.batch_share_pct == Decimal(0)


def test_a_client_may_not_pick_into_a_scope_in_review(client, invoice_project):
    participant = ParticipantFactory(project=invoice_project, can_edit=True).user
    section = CostModel.objects.get(project=invoice_project)
    set_stage(invoice_project, Stage.IN_REVIEW)
    client.force_login(participant)

    response = pick(client, invoice_project, price_row(), step="0")

    assert "only the consultancy team can change it now" in response.content.decode()
    assert first_step(invoice_project).model == "self-hosted 8B model"
    assert CostModel.objects.get(pk=section.pk).revision == section.revision


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
    assert first_step(invoice_project).provider == f"openai, USD prices × {expected}"


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
