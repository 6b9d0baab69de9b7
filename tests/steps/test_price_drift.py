"""The drift watch: only scopes whose catalogue prices changed are re-costed; owners of signed scopes hear once."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import OutboundEmail
from scoping.models import ActivityEvent, ModelPrice, PriceDrift, Stage
from scoping.models.sections import CostModel
from scoping.scope.drift import CataloguePrice, model_reference, recost
from scoping.steps.drift import price_drift_check
from tests.review_support import import_project, set_stage, submit

pytestmark = pytest.mark.django_db

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


def using(project, model_text: str = "acme-8b (acme)"):
    CostModel.objects.filter(project=project).update(model=model_text)
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
    other = using(import_project(lead, client_name="Other client"), "steady-model (acme)")
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
