"""The drift watch: only scopes whose catalogue prices changed are re-costed; owners of signed scopes hear once."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import OutboundEmail
from scoping.models import ActivityEvent, DiscoveryProject, ModelPrice, PriceDrift, Stage
from scoping.models.sections import CostModel, ModelStep
from scoping.scope.drift import CataloguePrice, model_reference, recost, step_reference
from scoping.steps.drift import price_drift_check
from tests.review_support import import_project, set_stage, submit

pytestmark = pytest.mark.django_db

THREE_STEPS = Path(__file__).resolve().parent.parent / "fixtures" / "invoice-coding-three-steps.json"
OWNERS = {"priya.raman@kestrel.example", "dan.whitfield@kestrel.example"}


def catalogue(day: str, *, factor: str = "1", model: str = "acme-8b", currency: str = "GBP", **extra) -> ModelPrice:
    """The example's own prices (0.20 / 0.20 / 0.60 per 1M tokens), times ``factor``, as of ``day``."""
    rate = Decimal(factor)
    return ModelPrice.objects.create(
        provider="acme",
        model=model,
        input_per_1m=Decimal("0.20") * rate,
        cached_input_per_1m=Decimal("0.20") * rate,
        output_per_1m=Decimal("0.60") * rate,
        currency=currency,
        effective_date=date.fromisoformat(day),
        source="test",
        **extra,
    )


def using(project, model: str = "acme-8b", provider: str = "acme"):
    """The example's one model step calls ``model``, as the picker names it (model, and provider apart)."""
    ModelStep.objects.filter(cost_model__project=project).update(model=model, provider=provider)
    return project


@pytest.fixture
def signed_project(sound_project, lead):
    """The worked example, its model picked from the catalogue, frozen and signed off."""
    catalogue("2026-10-15")
    using(sound_project)
    submit(sound_project, lead)
    return set_stage(sound_project, Stage.SIGNED_OFF)


def test_nothing_is_re_costed_while_the_catalogue_holds_the_scope_s_own_prices(signed_project):
    report = price_drift_check()

    assert report.scopes_using_catalogue == 1
    assert report.recosted == [] and report.alerts == []
    assert not PriceDrift.objects.exists()


def test_only_the_scopes_whose_prices_changed_are_re_costed(signed_project, lead):
    other = using(import_project(lead, client_name="Other client"), "steady-model")
    catalogue("2026-10-15", model="steady-model")
    catalogue("2026-12-01", factor="1.5")  # acme-8b moves; steady-model does not

    report = price_drift_check()

    assert report.recosted == [signed_project.pk]
    assert other.pk not in report.recosted
    event = ActivityEvent.objects.get(verb="price_drift_recosted", project=signed_project)
    # launch: 6,000 uses; inference 0.00168 -> 0.00252 a use (x 1.03 retries): cost per use up by 0.0008652
    before, after = event.changes["launch cost per use"]
    assert Decimal(after) - Decimal(before) == Decimal("0.0008652")


def test_a_signed_scope_that_leaves_its_envelope_alerts_owners_and_lead_once(signed_project, lead):
    catalogue("2026-12-01", factor="10")  # inference x10 is far above the x2 band

    first = price_drift_check()
    again = price_drift_check()

    assert [drift.kind for drift in first.alerts] == ["envelope"]
    assert again.alerts == [] and again.recosted == []
    drift = PriceDrift.objects.get(kind="envelope")
    assert Decimal(drift.details["new_cost_per_use"]) > Decimal(drift.details["envelope_top"])
    sent = OutboundEmail.objects.filter(subject__startswith="Running cost above the signed envelope")
    assert {email.to for email in sent} == OWNERS | {lead.email}
    assert sent.count() == 3  # one each, and none from the second run
    assert "above that envelope" in sent.first().body


def test_a_further_catalogue_change_alerts_again(signed_project):
    catalogue("2026-12-01", factor="10")
    price_drift_check()
    catalogue("2027-01-01", factor="20")

    report = price_drift_check()

    assert [drift.kind for drift in report.alerts] == ["envelope"]
    assert PriceDrift.objects.filter(kind="envelope").count() == 2


def test_a_price_within_the_envelope_alerts_nobody(signed_project):
    catalogue("2026-12-01", factor="1.5")

    report = price_drift_check()

    assert report.recosted == [signed_project.pk]
    assert report.alerts == []
    assert not OutboundEmail.objects.filter(subject__contains="signed envelope").exists()


def test_a_model_retired_before_handover_alerts_the_owners(signed_project):
    catalogue("2026-12-01", deprecation_date=date(2027, 3, 31))  # handover is 2027-05-31

    report = price_drift_check()

    assert [drift.kind for drift in report.alerts] == ["retired"]
    sent = OutboundEmail.objects.filter(subject__startswith="Model retired before handover")
    assert OWNERS <= {email.to for email in sent}
    assert "retires acme-8b on 2027-03-31" in sent.first().body
    # The signed scope stays as it was signed: a daily job never withdraws it to write the date in.
    assert report.retirements_refreshed == []
    assert ModelStep.objects.get(cost_model__project=signed_project).deprecation_date is None
    signed_project.refresh_from_db()
    assert signed_project.stage == Stage.SIGNED_OFF


def test_a_draft_takes_the_catalogue_s_retirement_date_into_its_step(sound_project):
    using(sound_project)
    catalogue("2026-10-15")
    section = CostModel.objects.get(project=sound_project)
    assert DiscoveryProject.objects.get(pk=sound_project.pk).readiness_blockers == 0
    catalogue("2026-12-01", deprecation_date=date(2027, 3, 31))  # the same prices; handover is 2027-05-31

    report = price_drift_check()
    again = price_drift_check()

    assert ModelStep.objects.get(cost_model__project=sound_project).deprecation_date == date(2027, 3, 31)
    assert report.retirements_refreshed == [sound_project.pk]
    assert again.retirements_refreshed == []  # said once
    assert report.recosted == []  # no price changed, so nothing is re-costed
    assert CostModel.objects.get(pk=section.pk).revision == section.revision + 1  # a page opened before is stale
    event = ActivityEvent.objects.get(verb="model_retirement_dated", project=sound_project)
    assert event.changes["steps[0].deprecation_date"] == ["", "2027-03-31"]
    # Readiness reads the scope alone, and now sees the model retire before the handover.
    assert DiscoveryProject.objects.get(pk=sound_project.pk).readiness_blockers == 1


def test_the_rate_noted_with_a_step_s_provider_is_applied_again(sound_project):
    using(sound_project, provider="acme, USD prices × 0.5")
    catalogue("2026-12-01", factor="2", currency="USD")  # × 0.5: the scope's own prices

    quiet = price_drift_check()
    catalogue("2027-01-01", factor="4", currency="USD")
    report = price_drift_check()

    assert quiet.scopes_using_catalogue == 1 and quiet.recosted == [] and quiet.refused == {}
    assert report.recosted == [sound_project.pk]
    event = ActivityEvent.objects.get(verb="price_drift_recosted", project=sound_project)
    # inference 0.00168 -> 0.00336 a use (x 1.03 retries)
    before, after = event.changes["launch cost per use"]
    assert Decimal(after) - Decimal(before) == Decimal("0.0017304")
    step = ModelStep.objects.get(cost_model__project=sound_project)
    assert step.input_price == Decimal("0.2")  # the scope's own prices are never changed


def test_a_step_upgraded_from_a_v1_model_text_is_still_watched(sound_project):
    using(sound_project, model="acme-8b (acme), USD prices × 0.5", provider="")
    catalogue("2026-12-01", factor="4", currency="USD")

    report = price_drift_check()

    assert report.recosted == [sound_project.pk]


def test_only_the_step_calling_the_changed_model_is_re_costed(lead):
    project = import_project(lead, scope=json.loads(THREE_STEPS.read_text(encoding="utf-8")))
    ModelPrice.objects.create(
        provider="openai",  # the scope says "OpenAI": the same provider
        model="o4-mini",
        input_per_1m=Decimal("2.20"),  # was 1.10; its other prices are the scope's
        cached_input_per_1m=None,
        output_per_1m=Decimal("4.40"),
        currency="GBP",
        effective_date=date(2026, 12, 1),
        source="test",
    )

    report = price_drift_check()

    assert report.recosted == [project.pk]
    event = ActivityEvent.objects.get(verb="price_drift_recosted", project=project)
    # 2,000 input tokens x 1.10 more per 1M, 60% of calls batched at half price, +10% residency, +3% retries
    before, after = event.changes["launch cost per use"]
    assert Decimal(after) - Decimal(before) == Decimal("0.00174482")


def test_the_step_reference_reads_the_provider_and_its_rate():
    picked = step_reference({"model": "gpt-4o", "provider": "openai, USD prices × 0.79"})
    typed = step_reference({"model": "claude-sonnet-4", "provider": "Anthropic"})
    upgraded = step_reference({"model": "gpt-4o (openai), USD prices × 0.8", "provider": ""})

    assert (picked.model, picked.provider, picked.rate) == ("gpt-4o", "openai", Decimal("0.79"))
    assert (typed.model, typed.provider, typed.rate) == ("claude-sonnet-4", "Anthropic", None)
    assert (upgraded.model, upgraded.provider, upgraded.rate) == ("gpt-4o", "openai", Decimal("0.8"))


def test_prices_in_another_currency_without_a_rate_are_not_re_costed(sound_project):
    using(sound_project)
    catalogue("2026-12-01", factor="3", currency="USD")

    report = price_drift_check()

    assert report.recosted == []
    assert "USD" in report.refused[sound_project.pk] and "no exchange rate" in report.refused[sound_project.pk]


def test_the_rate_the_picker_applied_is_applied_again():
    price = CataloguePrice(
        provider="openai",
        model="gpt-4o",
        currency="USD",
        input_per_1m=Decimal("2.5"),
        cached_input_per_1m=Decimal("1.25"),
        output_per_1m=Decimal("10"),
    )
    cost_model = {"currency": "GBP", "model": "gpt-4o (openai), USD prices × 0.8", "input_price": "2"}

    result = recost(cost_model, price)

    assert model_reference(cost_model["model"]).rate == Decimal("0.8")
    assert (result.cost_model["input_price"], result.cost_model["output_price"]) == ("2", "8")
    assert result.cost_model["cached_input_price"] == "1"


def test_the_command_reports_what_it_did(signed_project):
    catalogue("2026-12-01", factor="10")
    out = io.StringIO()

    call_command("check_price_drift", stdout=out)

    assert "1 re-costed at new prices" in out.getvalue()
    assert "1 alert(s) to owners of signed scopes" in out.getvalue()
    assert "launch cost per use left the signed envelope" in out.getvalue()


def test_the_daily_job_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["check-price-drift"]

    assert entry["task"] == "scoping.check_price_drift"
    assert entry["schedule"].hour == {5}


def test_the_re_costing_reads_well_on_the_activity_page(client, signed_project, lead):
    catalogue("2026-12-01", factor="1.5")
    price_drift_check()
    client.force_login(lead)

    page = client.get(reverse("projects:activity", args=[signed_project.pk]))

    assert page.status_code == 200
    assert "re-costed the scope at the catalogue&#x27;s new prices" in page.content.decode()
