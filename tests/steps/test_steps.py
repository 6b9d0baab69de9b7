"""The guided steps: form validation, saving, rows, navigation, read-only access, readiness and the scope page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoping.models import ActivityEvent, DiscoveryProject, Stage
from scoping.models.sections import DataSource, ProductionTarget, SecurityAccess, SuccessMetric
from scoping.projects.scope_io import export_scope
from scoping.scope.catalogue import SECTION_KEYS
from scoping.scope.schema import validate_scope
from scoping.steps.display import display_value
from scoping.steps.forms import build_step_forms
from scoping.steps.status import finding_anchor, step_state
from tests.factories import ParticipantFactory
from tests.steps.step_helpers import invoice_scope, step_post

STEPS = SECTION_KEYS
HOSTILE = "<script>alert('x')</script> {{ project.name }} {% now 'Y' %} <b onmouseover=alert(1)>bold</b>"
SCRIPTS = "فاتورة المورد · 供应商发票 · आपूर्तिकर्ता चालान · 🧾✅"


def step_url(project, key):
    return reverse("projects:step", args=[project.pk, key])


def section_form(section_key, data, project=None):
    section = ProductionTarget() if section_key == "production_target" else None
    if section is None:
        from scoping.models.sections import SECTION_MODELS

        section = SECTION_MODELS[section_key]()
    base = step_post(section_key, {}, revision=0)
    base.update(data)
    return build_step_forms(section_key, section=section, rows={}, data=base)


def errors_of(forms, name):
    return " ".join(forms.form.errors.get(name, []))


def one_step(**values):
    """The POST of one model step on the cost step (the row formset ``steps``)."""
    return {"steps-TOTAL_FORMS": "1", **{f"steps-0-{name}": value for name, value in values.items()}}


def step_errors(forms, name):
    [step] = forms.formsets["steps"].forms
    return " ".join(step.errors.get(name, []))


# --- form validation (no database needed) -------------------------------------------------------------------


def test_it_refuses_over_long_short_text_and_states_the_limit():
    forms = section_form("production_target", {"workflow_name": "x" * 201})
    assert not forms.is_valid()
    assert errors_of(forms, "workflow_name") == (
        "This is too long: 201 characters; the limit is 200. Shorten it, or put the detail in a longer field."
    )


def test_it_refuses_over_long_long_text_and_states_the_limit():
    forms = section_form("production_target", {"problem_statement": "y" * 5001})
    assert not forms.is_valid()
    assert errors_of(forms, "problem_statement") == "This is too long: 5001 characters; the limit is 5000. Shorten it."


def test_the_text_inputs_carry_no_maxlength_so_nothing_pasted_is_silently_cut():
    html = str(section_form("production_target", {}).form["workflow_name"])
    assert "maxlength" not in html


def test_it_refuses_a_zero_or_negative_volume_with_a_clear_message():
    for typed in ("0", "-5"):
        forms = section_form("production_target", {"volume_per_month": typed})
        assert not forms.is_valid()
        assert errors_of(forms, "volume_per_month").startswith(
            "Uses per month in production: must be 1 or more: zero or a negative number"
        )


def test_it_reads_a_volume_written_with_thousands_separators():
    forms = section_form("production_target", {"volume_per_month": "9,000", "user_count": "1 200"})
    assert forms.is_valid(), forms.form.errors
    assert forms.form.cleaned_data["volume_per_month"] == 9000
    assert forms.form.cleaned_data["user_count"] == 1200


def test_it_refuses_negative_money_and_percentages_over_100():
    forms = section_form(
        "cost_model",
        {
            "hosting": "-1",
            "retry_overhead_pct": "101",
            **one_step(model="small", cached_share_pct="-3", input_price="€0.40", batch_discount_pct="150"),
        },
    )
    assert not forms.is_valid()
    assert errors_of(forms, "hosting") == "Hosting per month: cannot be negative; enter 0 or more."
    assert errors_of(forms, "retry_overhead_pct") == (
        "Retry overhead (%): is a percentage, so it must be between 0 and 100."
    )
    assert step_errors(forms, "cached_share_pct") == "Cached share of input (%): cannot be negative; enter 0 or more."
    assert step_errors(forms, "batch_discount_pct") == (
        "Batch discount (%): is a percentage, so it must be between 0 and 100."
    )
    [step] = forms.formsets["steps"].forms
    assert step.cleaned_data["input_price"] == Decimal("0.40")  # a currency sign in front is not an error


def test_it_accepts_zero_where_zero_makes_sense_and_a_percent_sign():
    forms = section_form(
        "cost_model", {"licences": "0", "currency": "gbp", **one_step(model="m", cached_share_pct="12.5 %")}
    )
    assert forms.is_valid(), forms.form.errors
    assert forms.form.cleaned_data["licences"] == Decimal(0)
    assert forms.formsets["steps"].rows()[0]["cached_share_pct"] == Decimal("12.5")
    assert forms.form.cleaned_data["currency"] == "GBP"


def test_it_refuses_zero_model_calls_and_a_bad_currency():
    forms = section_form(
        "cost_model", {"currency": "Euro", **one_step(model="m", calls_per_use="0", input_tokens="-5")}
    )
    assert not forms.is_valid()
    assert "Calls per use: must be 1 or more" in step_errors(forms, "calls_per_use")
    assert "Input tokens per call: must be 1 or more" in step_errors(forms, "input_tokens")
    assert "three-letter ISO 4217" in errors_of(forms, "currency")


def test_regimes_are_checkboxes_stored_in_the_catalogue_order():
    forms = section_form("security", {"regimes": ["soc2", "gdpr"]})
    assert forms.is_valid(), forms.form.errors
    assert forms.form.cleaned_data["regimes"] == ["gdpr", "soc2"]
    assert 'type="checkbox"' in str(forms.form["regimes"])


def test_it_refuses_an_unknown_regime():
    forms = section_form("security", {"regimes": ["gdpr", "made_up"]})
    assert not forms.is_valid()
    assert "made_up is not one of the available choices" in errors_of(forms, "regimes")


def test_every_step_field_shows_the_model_help_text():
    for key in STEPS:
        forms = section_form(key, {})
        for name, field in forms.form.fields.items():
            assert field.help_text, f"{key}.{name} has no help text"
        for block in forms.row_blocks:
            for name, field in block.formset.empty_form.fields.items():
                assert name == "DELETE" or field.help_text, f"{key}.{block.key}.{name} has no help text"


def test_windows_line_endings_are_folded():
    forms = section_form("production_target", {"workflow_steps": "1. Capture\r\n2. Code"})
    assert forms.is_valid()
    assert forms.form.cleaned_data["workflow_steps"] == "1. Capture\n2. Code"


def test_a_removed_row_and_a_blank_row_are_not_kept_and_the_order_is():
    data = {
        "success_metrics-TOTAL_FORMS": "4",
        "success_metrics-0-metric": "First",
        "success_metrics-1-metric": "Removed",
        "success_metrics-1-DELETE": "on",
        "success_metrics-2-metric": "",
        "success_metrics-3-metric": "Third",
    }
    forms = section_form("production_target", data)
    assert forms.is_valid()
    assert [row["metric"] for row in forms.formsets["success_metrics"].rows()] == ["First", "Third"]


def test_values_read_as_people_write_them():
    field = SecurityAccess._meta.get_field("regimes")
    assert display_value(field, ["gdpr", "soc2"]) == "GDPR, SOC 2"
    assert display_value(DataSource._meta.get_field("access_method"), "manual_export") == "Manual export"
    assert display_value(DataSource._meta.get_field("personal_data"), False) == "No"
    from scoping.models.sections import CostModel

    assert display_value(CostModel._meta.get_field("hosting"), Decimal("1100.000000"), currency="GBP") == "£1,100.00"
    assert display_value(CostModel._meta.get_field("other_per_use"), "0.004", currency="EUR") == "€0.004"
    assert display_value(CostModel._meta.get_field("retry_overhead_pct"), Decimal("3.00")) == "3 %"
    assert display_value(CostModel._meta.get_field("prices_as_of"), "2026-10-15") == "15 Oct 2026"


def test_no_step_field_is_named_like_the_page_controls():
    from scoping.steps.forms import SECTION_FORM_FIELDS, row_fields, rows_keys

    for key in STEPS:
        names = set(SECTION_FORM_FIELDS[key])
        for rows_key in rows_keys(key):
            names |= set(row_fields(key, rows_key))
        assert not names & {"revision", "step_action", "csrfmiddlewaretoken"}, key


# --- step states and anchors (pure) -------------------------------------------------------------------------


class _Finding:
    def __init__(self, field):
        self.field = field


def test_step_states_tell_empty_in_progress_has_blockers_and_complete_apart():
    assert step_state({"workflow_name": "", "success_metrics": []}, "blocked", [_Finding("workflow_name")]) == "empty"
    assert step_state({"workflow_name": "", "users": "Clerks"}, "blocked", [_Finding("workflow_name")]) == "in_progress"
    owner = {"business_owner": {"name": "TBD", "role": "", "email": ""}}
    assert step_state(owner, "blocked", [_Finding("business_owner")]) == "has_blockers"
    assert step_state({"workflow_name": "Code invoices"}, "warning", []) == "complete"


def test_findings_point_at_the_field_that_closes_them():
    assert finding_anchor("production_target", "workflow_name") == "id_workflow_name"
    assert finding_anchor("production_target", "success_metrics") == "rows-success_metrics"
    assert finding_anchor("ownership", "business_owner") == "id_business_owner_name"
    assert finding_anchor("cost_model", "tiers") == "id_tier_pilot"


# --- pages and saving ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_step_page_shows_the_form_help_texts_navigator_and_findings(client, project, lead):
    client.force_login(lead)
    page = client.get(step_url(project, "production_target")).content.decode()
    assert 'id="step-form"' in page
    assert '<input type="hidden" name="revision" value="0">' in page
    assert "Name ONE workflow that the system will run end to end in production" in page
    assert page.count('data-state="empty"') == 8
    assert ">0/8<" in page
    assert 'href="#id_workflow_name"' in page
    assert "Save &amp; continue" in page


@pytest.mark.django_db
def test_saving_persists_bumps_the_revision_records_the_change_and_refreshes_readiness(client, project, lead):
    client.force_login(lead)
    data = step_post("production_target", invoice_scope()["production_target"], revision=0)
    response = client.post(step_url(project, "production_target"), data)
    assert response.status_code == 302
    assert response["Location"] == step_url(project, "production_target")
    section = ProductionTarget.objects.get(project=project)
    assert section.revision == 1
    assert section.updated_by == lead
    assert section.volume_per_month == 9000
    assert list(section.success_metrics.values_list("metric", flat=True)) == ["Minutes of clerk time per invoice"]
    event = ActivityEvent.objects.get(project=project, verb="section_saved")
    assert {"workflow_name", "volume_per_month", "success_metrics"} <= set(event.changes)
    assert event.changes["success_metrics"] == ["0 rows", "1 row"]
    project.refresh_from_db()
    assert project.readiness_score == 1
    page = client.get(step_url(project, "production_target")).content.decode()
    assert "Production target saved." in page
    assert 'data-step="production_target" data-state="complete"' in page


@pytest.mark.django_db
def test_a_save_that_changes_nothing_keeps_the_revision_and_the_audit_trail(client, project, lead):
    client.force_login(lead)
    values = {"workflow_name": "Code invoices"}
    client.post(step_url(project, "production_target"), step_post("production_target", values, revision=0))
    client.post(step_url(project, "production_target"), step_post("production_target", values, revision=1))
    assert ProductionTarget.objects.get(project=project).revision == 1
    assert ActivityEvent.objects.filter(project=project, verb="section_saved").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key,action,target",
    [
        ("first_slice", "continue", ("step", "data_path")),
        ("first_slice", "back", ("step", "production_target")),
        ("first_slice", "save", ("step", "first_slice")),
        ("ownership", "continue", ("scope", None)),
        ("production_target", "back", ("project", None)),
    ],
)
def test_each_button_saves_and_then_goes_where_it_says(client, project, lead, key, action, target):
    client.force_login(lead)
    data = step_post(key, invoice_scope()[key], revision=0, action=action)
    response = client.post(step_url(project, key), data)
    kind, other = target
    expected = {
        "step": lambda: step_url(project, other),
        "scope": lambda: reverse("projects:scope_review", args=[project.pk]),
        "project": lambda: project.get_absolute_url(),
    }[kind]()
    assert response.status_code == 302
    assert response["Location"] == expected
    from scoping.models.sections import SECTION_MODELS

    assert SECTION_MODELS[key].objects.get(project=project).revision == 1


@pytest.mark.django_db
def test_the_workflow_action_field_is_not_confused_with_the_buttons(client, project, lead):
    client.force_login(lead)
    data = step_post("workflow", {"action": "Accepts the coding"}, revision=0, action="continue")
    response = client.post(step_url(project, "workflow"), data)
    assert response["Location"] == step_url(project, "ownership")
    assert export_scope(project)["workflow"]["action"] == "Accepts the coding"


@pytest.mark.django_db
def test_a_validation_error_saves_nothing_and_keeps_everything_typed(client, project, lead):
    client.force_login(lead)
    data = step_post(
        "production_target",
        {
            "workflow_name": "Code supplier invoices",
            "volume_per_month": -3,
            "problem_statement": "z" * 5001,
            "success_metrics": [{"metric": "Minutes per invoice", "baseline": "6", "target": "1.5"}],
        },
        revision=0,
    )
    data["success_metrics-TOTAL_FORMS"] = "2"
    data["success_metrics-1-metric"] = "Typed but unsaved second metric"
    response = client.post(step_url(project, "production_target"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved yet: 2 things to correct." in page
    assert "the limit is 5000" in page
    assert "Uses per month in production: must be 1 or more" in page
    assert 'value="Code supplier invoices"' in page
    assert 'value="-3"' in page
    assert "Typed but unsaved second metric" in page
    assert '<input type="hidden" name="revision" value="0">' in page
    section = ProductionTarget.objects.get(project=project)
    assert (section.revision, section.workflow_name) == (0, "")


@pytest.mark.django_db
def test_rows_are_replaced_in_the_order_submitted_and_removed_rows_go(client, project, lead):
    client.force_login(lead)
    three = [{"metric": name, "baseline": "1", "target": "2"} for name in ("A", "B", "C")]
    client.post(
        step_url(project, "production_target"), step_post("production_target", {"success_metrics": three}, revision=0)
    )
    data = step_post("production_target", {"success_metrics": [three[2], three[0], three[1]]}, revision=1)
    data["success_metrics-INITIAL_FORMS"] = "3"
    data["success_metrics-2-DELETE"] = "on"
    client.post(step_url(project, "production_target"), data)
    metrics = SuccessMetric.objects.filter(production_target__project=project)
    assert [(row.metric, row.position) for row in metrics] == [("C", 0), ("A", 1)]


@pytest.mark.django_db
def test_hostile_text_is_stored_as_typed_and_shown_escaped(client, project, lead):
    client.force_login(lead)
    values = {"workflow_name": HOSTILE[:200], "success_metrics": [{"metric": HOSTILE[:200], "baseline": "1"}]}
    client.post(step_url(project, "production_target"), step_post("production_target", values, revision=0))
    section = ProductionTarget.objects.get(project=project)
    assert section.workflow_name == HOSTILE[:200]
    for url in (step_url(project, "production_target"), reverse("projects:scope_review", args=[project.pk])):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
        assert "{{ project.name }}" in page
        assert "<b onmouseover" not in page


@pytest.mark.django_db
def test_any_script_round_trips(client, project, lead):
    client.force_login(lead)
    values = {"workflow_name": SCRIPTS, "problem_statement": SCRIPTS * 3, "success_metrics": [{"metric": SCRIPTS}]}
    client.post(step_url(project, "production_target"), step_post("production_target", values, revision=0))
    assert export_scope(project)["production_target"]["workflow_name"] == SCRIPTS
    assert export_scope(project)["production_target"]["success_metrics"][0]["metric"] == SCRIPTS
    assert SCRIPTS in client.get(step_url(project, "production_target")).content.decode()
    assert SCRIPTS in client.get(reverse("projects:scope_review", args=[project.pk])).content.decode()


@pytest.mark.django_db
def test_walking_all_eight_steps_with_the_invoice_scope_reaches_8_of_8_and_exports_it_exactly(client, project, lead):
    client.force_login(lead)
    scope = invoice_scope()
    for key in STEPS:
        response = client.post(step_url(project, key), step_post(key, scope[key], revision=0, action="continue"))
        assert response.status_code == 302, response.content.decode()[:2000]
    project.refresh_from_db()
    assert project.readiness_score == 8
    exported = export_scope(project)
    expected = validate_scope(scope)
    for key in STEPS:
        assert exported[key] == expected[key], key
    page = client.get(reverse("projects:scope_review", args=[project.pk])).content.decode()
    assert "8/8" in page
    assert page.count("No blockers and no warnings.") == 8


@pytest.mark.django_db
def test_a_guided_step_save_runs_a_bounded_number_of_queries(client, project, lead):
    client.force_login(lead)
    scope = invoice_scope()
    data = step_post("failure_modes", scope["failure_modes"], revision=0)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(step_url(project, "failure_modes"), data)
    assert response.status_code == 302
    # 23 today: session and user, project, access checks, lock + rows, update, replace rows, audit, one export for
    # readiness, the workflow hook. The bound fails on an N+1 (one query per row or per section), not on small growth.
    # 31: the save, who answered (the live session, one upsert) and the live message's read of the saved step.
    assert len(queries) <= 31, [query["sql"][:120] for query in queries]


@pytest.mark.django_db
def test_the_workflow_hook_hears_about_every_real_edit(client, project, lead, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "scoping.review.hooks.after_scope_edit", lambda *, project, actor, **_: calls.append((project.pk, actor.pk))
    )
    client.force_login(lead)
    client.post(step_url(project, "workflow"), step_post("workflow", {"acting_role": "AP clerk"}, revision=0))
    client.post(step_url(project, "workflow"), step_post("workflow", {"acting_role": "AP clerk"}, revision=1))
    assert calls == [(project.pk, lead.pk)]


@pytest.mark.django_db
def test_editing_stays_open_after_the_scope_is_frozen(client, project, lead):
    DiscoveryProject.objects.filter(pk=project.pk).update(stage=Stage.APPROVED)
    client.force_login(lead)
    data = step_post("workflow", {"acting_role": "AP clerk"}, revision=0)
    # Saving withdraws the approval, so it needs a confirmation (see test_step_freeze.py).
    assert client.post(step_url(project, "workflow"), data).status_code == 400
    response = client.post(step_url(project, "workflow"), {**data, "confirm_reopen": "yes"})
    assert response.status_code == 302


# --- who may edit -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_client_editor_can_save_a_step(client, project, participant):
    client.force_login(participant)
    response = client.post(
        step_url(project, "workflow"), step_post("workflow", {"acting_role": "AP clerk"}, revision=0)
    )
    assert response.status_code == 302
    assert project.workflow.__class__.objects.get(project=project).acting_role == "AP clerk"


@pytest.mark.django_db
def test_people_who_may_only_read_get_the_values_and_no_form(client, project, lead, reviewer):
    client.force_login(lead)
    client.post(step_url(project, "workflow"), step_post("workflow", {"acting_role": "AP clerk"}, revision=0))
    viewer = ParticipantFactory(project=project, can_edit=False, is_signatory=False).user
    for user in (reviewer, viewer):
        client.force_login(user)
        response = client.get(step_url(project, "workflow"))
        page = response.content.decode()
        assert response.status_code == 200
        assert 'id="step-form"' not in page
        assert "You can read this step." in page
        assert "AP clerk" in page
        post = client.post(step_url(project, "workflow"), step_post("workflow", {"acting_role": "Nobody"}, revision=1))
        assert post.status_code == 403
    assert project.workflow.__class__.objects.get(project=project).acting_role == "AP clerk"


@pytest.mark.django_db
def test_an_archived_project_is_read_only_even_for_its_lead(client, project, lead):
    DiscoveryProject.objects.filter(pk=project.pk).update(stage=Stage.ARCHIVED)
    client.force_login(lead)
    page = client.get(step_url(project, "production_target")).content.decode()
    assert "This project is archived" in page
    assert 'id="step-form"' not in page
    response = client.post(step_url(project, "production_target"), step_post("production_target", {}, revision=0))
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role,status", [("outsider", 404), ("other_client", 404), ("anonymous", 302)])
def test_strangers_cannot_post_a_step(client, roles, project, role, status):
    if roles[role] is not None:
        client.force_login(roles[role])
    response = client.post(step_url(project, "workflow"), step_post("workflow", {"acting_role": "x"}, revision=0))
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tampering",
    [
        {"success_metrics-TOTAL_FORMS": None},
        {"success_metrics-TOTAL_FORMS": "100000"},
        {"success_metrics-TOTAL_FORMS": "abc"},
        {"volume_per_month": "9" * 40},
        {"ai_role": "overlord"},
        {"workflow_name": "nul\x00byte"},
    ],
)
def test_tampered_or_absurd_input_gives_a_form_error_never_a_500(client, project, lead, tampering):
    client.force_login(lead)
    data = step_post("production_target", {"workflow_name": "Code invoices"}, revision=0)
    for key, value in tampering.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = client.post(step_url(project, "production_target"), data)
    assert response.status_code == 200
    assert "Nothing was saved yet" in response.content.decode()
    assert ProductionTarget.objects.get(project=project).revision == 0


@pytest.mark.django_db
def test_a_bad_revision_value_never_gives_a_500(client, project, lead):
    client.force_login(lead)
    data = step_post("workflow", {"acting_role": "AP clerk"}, revision=0)
    data["revision"] = "not-a-number"
    response = client.post(step_url(project, "workflow"), data)
    assert response.status_code == 409
    assert "saved this step while you were editing it" in response.content.decode()


# --- readiness on the project page and the scope page --------------------------------------------------------


@pytest.mark.django_db
def test_the_overview_box_shows_gates_findings_and_continues_at_the_first_incomplete_step(rf, project, lead):
    scope = invoice_scope()
    from django.test import Client

    browser = Client()
    browser.force_login(lead)
    browser.post(
        step_url(project, "production_target"), step_post("production_target", scope["production_target"], revision=0)
    )
    html = render_to_string(
        "scoping/includes/overview_readiness.html", {"project": project, "user": lead, "can_edit": True}
    )
    assert '<span class="fs-2 fw-semibold">1</span>' in html
    assert html.count('data-status="blocked"') == 7
    assert 'data-gate="production_target" data-status="clear"' in html
    assert f'href="{step_url(project, "first_slice")}">Continue scoping' in html
    assert f'href="{step_url(project, "data_path")}#rows-sources"' in html


@pytest.mark.django_db
def test_read_only_people_get_no_continue_button(project, reviewer):
    html = render_to_string(
        "scoping/includes/overview_readiness.html", {"project": project, "user": reviewer, "can_edit": False}
    )
    assert "Continue scoping" not in html
    assert "See the whole scope" in html


@pytest.mark.django_db
def test_the_scope_page_shows_every_section_its_findings_and_a_print_button(client, project, lead):
    client.force_login(lead)
    client.post(step_url(project, "data_path"), step_post("data_path", invoice_scope()["data_path"], revision=0))
    page = client.get(reverse("projects:scope_review", args=[project.pk])).content.decode()
    for label in (
        "Production target",
        "First slice",
        "Data path",
        "Failure modes",
        "Security &amp; access",
        "Cost model",
        "Workflow",
        "Ownership",
    ):
        assert f"{label}\n" in page or f"{label} " in page, label
    assert "Vendor master and chart of accounts" in page
    assert "Nobody has confirmed access" not in page
    assert "Name one workflow the system serves end to end" in page
    assert "data-print" in page
    assert "1/8" in page


@pytest.mark.django_db
def test_an_unknown_step_is_a_404(client, project, lead):
    client.force_login(lead)
    assert client.get(step_url(project, "not_a_step")).status_code == 404
