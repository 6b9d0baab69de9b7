"""The engagement step: saved through the catalogue's columns, exported in the scope JSON, fees live as typed."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from consultancy.selectors import clause_choices
from consultancy.services import default_clauses_load
from proposals.figures import engagement_from_form
from proposals.models import Engagement
from scoping.live_scope import export_scope
from scoping.models import ActivityEvent, SignOffRequest, Stage
from scoping.projects.scope_io import import_scope
from scoping.review import signatures
from scoping.review.stages import WorkflowError
from scoping.scope.fees import compute_fees
from scoping.scope.schema import as_v2, validate_scope
from tests.factories import ParticipantFactory, UserFactory
from tests.review_support import approve, example_scope, submit


def bare_project(lead):
    """The example scope with no engagement yet."""
    return import_scope(data=example_scope(), client_name=None, user=lead)


def client_signatory(project):
    return UserFactory(username="priya", role="client", client=project.client, first_name="Priya", last_name="Raman")


pytestmark = pytest.mark.django_db

ENGAGEMENT = json.loads((Path(__file__).resolve().parents[2] / "scoping" / "demo_data" / "engagement.json").read_text())


def scope_with_engagement() -> dict:
    scope = as_v2(validate_scope(example_scope()))
    scope["engagement"] = copy.deepcopy(ENGAGEMENT)
    return scope


def post_of(engagement: dict, *, revision: int) -> dict:
    """The engagement as its step form posts it."""
    data = {"revision": str(revision)}
    for name, value in engagement.items():
        if isinstance(value, list):
            if name == "clauses":
                continue
            data[f"{name}-TOTAL_FORMS"] = str(len(value))
            data[f"{name}-INITIAL_FORMS"] = "0"
            for index, row in enumerate(value):
                for key, item in row.items():
                    data[f"{name}-{index}-{key}"] = "" if item is None else str(item)
        else:
            data[name] = "" if value is None else str(value)
    return data


def test_an_engagement_round_trips_through_import_and_export(lead):
    scope = scope_with_engagement()

    project = import_scope(data=scope, client_name=None, user=lead)
    exported = export_scope(project)

    assert exported["engagement"] == validate_scope(scope)["engagement"]
    assert [m.name for m in project.engagement.milestones.all()] == [m["name"] for m in ENGAGEMENT["milestones"]]
    second = import_scope(data=copy.deepcopy(exported), client_name=None, user=lead)
    assert export_scope(second)["engagement"] == exported["engagement"]


def test_the_fees_of_the_demo_engagement_to_the_cent():
    fees = compute_fees(ENGAGEMENT)

    # Fixed price £48,000; 20% tax = £9,600; paid 20/50/30 on the three milestones.
    assert (fees.fee, fees.tax, fees.total) == (Decimal(48000), Decimal(9600), Decimal(57600))
    assert [instalment.amount for instalment in fees.schedule] == [Decimal("9600.00"), Decimal(24000), Decimal(14400)]


def test_saving_the_step_stores_the_engagement_and_records_it(client, lead):
    project = bare_project(lead)
    client.force_login(lead)

    response = client.post(reverse("projects:engagement", args=[project.pk]), post_of(ENGAGEMENT, revision=0))

    assert response.status_code == 302, response.content.decode()[:3000]
    engagement = Engagement.objects.get(project=project)
    assert (engagement.pricing, engagement.price, engagement.revision) == ("fixed", Decimal(48000), 1)
    assert [member.role for member in engagement.team.all()] == ["Lead consultant", "ML engineer", "Data engineer"]
    assert export_scope(project)["engagement"]["milestones"][1]["payment_pct"] == "50"
    assert ActivityEvent.objects.filter(project=project, verb="engagement_saved").count() == 1
    page = client.get(reverse("projects:engagement", args=[project.pk])).content.decode()
    assert "The proposal check passes" in page
    assert "£57,600.00" in page


def test_a_bad_engagement_is_refused_on_its_fields_and_nothing_typed_is_lost(client, lead):
    project = bare_project(lead)
    client.force_login(lead)
    data = post_of(ENGAGEMENT, revision=0)
    data.update({"team-1-day_rate": "-950", "tax_rate_pct": "120", "assumptions": "<script>alert(1)</script> kept"})

    response = client.post(reverse("projects:engagement", args=[project.pk]), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be negative" in html
    assert "must be between 0 and 100" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; kept" in html and "<script>alert(1)" not in html
    assert 'value="Discovery and data path"' in html  # what was typed is still there
    assert not Engagement.objects.filter(project=project, revision__gt=0).exists()


def test_the_live_totals_follow_what_is_typed_and_name_the_gaps(client, lead):
    project = bare_project(lead)
    client.force_login(lead)
    typed = post_of(ENGAGEMENT, revision=0)
    typed.update({"milestones-2-payment_pct": "20", "valid_until": "2020-01-01"})

    html = client.post(reverse("projects:engagement_figures", args=[project.pk]), typed).content.decode()

    assert re.search(r'data-figure="fee">£48,000.00<', html)
    assert "Sign-off cannot be requested yet" in html
    assert "100" in html  # the payments total 90%, not 100%
    assert "validity date has passed" in html
    assert not Engagement.objects.get(project=project).milestones.exists()  # nothing saved


def test_time_and_materials_totals_the_team(client, lead):
    engagement = {**ENGAGEMENT, "pricing": "time_and_materials", "price": None}

    fees = compute_fees(engagement_from_form(post_of(engagement, revision=0)))

    # 15 × 1,200 + 25 × 950 + 10 × 900 = 18,000 + 23,750 + 9,000 = 50,750; tax 20% = 10,150.
    assert (fees.fee, fees.tax, fees.total) == (Decimal(50750), Decimal(10150), Decimal(60900))


def test_a_stale_save_is_refused_and_keeps_what_was_typed(client, lead):
    project = bare_project(lead)
    client.force_login(lead)
    url = reverse("projects:engagement", args=[project.pk])
    assert client.post(url, post_of(ENGAGEMENT, revision=0)).status_code == 302

    mine = post_of({**ENGAGEMENT, "price": "50000"}, revision=0)
    response = client.post(url, mine)

    assert response.status_code == 409
    assert "saved the engagement after you opened it" in response.content.decode()
    assert 'value="50000"' in response.content.decode()
    assert Engagement.objects.get(project=project).price == Decimal(48000)


def test_editing_the_engagement_of_a_scope_in_review_needs_the_confirmation(client, lead):
    project = bare_project(lead)
    submit(project, lead)
    client.force_login(lead)
    url = reverse("projects:engagement", args=[project.pk])

    refused = client.post(url, post_of(ENGAGEMENT, revision=0))
    assert refused.status_code == 409
    project.refresh_from_db()
    assert project.stage == Stage.IN_REVIEW

    confirmed = client.post(url, {**post_of(ENGAGEMENT, revision=0), "confirm_reopen": "yes"})
    assert confirmed.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.DRAFT


@pytest.mark.parametrize("role", ["outsider", "other_client"])
def test_strangers_get_404_and_readers_cannot_save(client, roles, lead, role):
    project = bare_project(lead)
    client.force_login(roles[role])

    assert client.get(reverse("projects:engagement", args=[project.pk])).status_code == 404
    assert client.post(reverse("projects:engagement_figures", args=[project.pk]), {}).status_code == 404


def test_a_reviewer_reads_but_may_not_save(client, lead, reviewer):
    project = bare_project(lead)
    client.force_login(reviewer)
    url = reverse("projects:engagement", args=[project.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, post_of(ENGAGEMENT, revision=0)).status_code == 403
    assert Engagement.objects.get(project=project).revision == 0


def test_sign_off_cannot_be_requested_while_the_proposal_check_fails(lead, reviewer):
    scope = scope_with_engagement()
    scope["engagement"]["milestones"][2]["payment_pct"] = "20"  # the payments now total 90%
    project = import_scope(data=scope, client_name=None, user=lead)
    ParticipantFactory(project=project, user=client_signatory(project), is_signatory=True, role_title="FD")
    submit(project, lead)
    approve(project, reviewer)

    with pytest.raises(WorkflowError) as refused:
        signatures.signoff_request(project=project, actor=lead)

    assert "The proposal in v1 is not ready to send" in str(refused.value)
    assert "100" in str(refused.value)
    project.refresh_from_db()
    assert project.stage == Stage.APPROVED


def test_a_sign_off_request_expires_no_later_than_the_proposal_is_valid(lead, reviewer, settings):
    settings.SIGNOFF_EXPIRY_DAYS = 300
    scope = scope_with_engagement()
    project = import_scope(data=scope, client_name=None, user=lead)
    ParticipantFactory(project=project, user=client_signatory(project), is_signatory=True, role_title="FD")
    submit(project, lead)
    approve(project, reviewer)

    signatures.signoff_request(project=project, actor=lead, now=datetime(2026, 12, 3, 9, tzinfo=UTC))

    expires = SignOffRequest.objects.get(project=project).expires_at
    assert expires.date() == date(2027, 6, 30)  # the engagement's valid_until, not 300 days later


def test_clauses_chosen_from_the_library_are_saved_and_exported(client, lead):
    default_clauses_load()
    keys = [key for key, _title in clause_choices()][:2]
    project = bare_project(lead)
    client.force_login(lead)
    page = client.get(reverse("projects:engagement", args=[project.pk])).content.decode()
    assert all(f'value="{key}"' in page for key in keys)  # the library is offered

    response = client.post(
        reverse("projects:engagement", args=[project.pk]), {**post_of(ENGAGEMENT, revision=0), "clauses": keys}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert export_scope(project)["engagement"]["clauses"] == keys
    refused = client.post(
        reverse("projects:engagement", args=[project.pk]), {**post_of(ENGAGEMENT, revision=1), "clauses": ["made-up"]}
    )
    assert refused.status_code == 400
    assert export_scope(project)["engagement"]["clauses"] == keys


def test_the_steps_show_the_proposal_check_beside_the_gates(client, lead):
    project = bare_project(lead)
    client.force_login(lead)
    step = reverse("projects:step", args=[project.pk, "production_target"])

    assert "before sign-off" in client.get(step).content.decode()
    client.post(reverse("projects:engagement", args=[project.pk]), post_of(ENGAGEMENT, revision=0))
    assert "the proposal check passes" in client.get(step).content.decode()
