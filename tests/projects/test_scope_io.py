"""Project <-> scope JSON through the database: round trips, whole-file rejection and the client override."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import models

from scoping.models import ActivityEvent, Client, DiscoveryProject
from scoping.models.sections import (
    ROW_MODELS,
    SECTION_MODELS,
    AcceptedRisk,
    OpenQuestion,
    column_spec,
)
from scoping.projects.scope_io import ensure_sections, export_scope, import_scope
from scoping.scope import catalogue
from scoping.scope.costs import compute_costs
from scoping.scope.field_checks import ChoiceList, DecimalNumber, Field, Group, Rows, Text
from scoping.scope.schema import (
    CHOICES,
    OPEN_QUESTIONS,
    SECTION_KEYS,
    SECTIONS,
    ScopeValidationError,
    as_v2,
    empty_scope,
    validate_scope,
)
from tests.factories import ClientFactory, ProjectFactory, UserFactory

EXAMPLE_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "invoice-coding.json"

COUNTED_MODELS: list[type[models.Model]] = [
    Client,
    DiscoveryProject,
    ActivityEvent,
    OpenQuestion,
    AcceptedRisk,
    *SECTION_MODELS.values(),
    *(row_model for row_model, _parent in ROW_MODELS.values()),
]


@pytest.fixture
def example() -> dict[str, Any]:
    return json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def consultant(db):
    return UserFactory(username="importer", role="consultant", first_name="Ida", last_name="Importer")


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED_MODELS}


# --- round trips -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_import_export_gives_the_identical_scope(example, consultant):
    first_project = import_scope(data=example, client_name=None, user=consultant)
    first_export = export_scope(first_project)

    second_project = import_scope(data=copy.deepcopy(first_export), client_name=None, user=consultant)
    second_export = export_scope(second_project)

    assert second_project.pk != first_project.pk
    assert second_export == first_export
    # A /1 file is stored as /2: its export is the file's upgrade (per-call fields as one model step).
    assert first_export == as_v2(validate_scope(example))
    assert first_export["schema"] == "firstslice.scope/2"


@pytest.mark.django_db
def test_a_v2_file_with_three_steps_round_trips_exactly(consultant):
    fixture = Path(__file__).parent.parent / "fixtures" / "invoice-coding-three-steps.json"
    three_steps = json.loads(fixture.read_text())
    project = import_scope(data=three_steps, client_name=None, user=consultant)

    exported = export_scope(project)

    assert exported == validate_scope(three_steps)
    assert [step.model for step in project.cost_model.steps.all()] == [
        step["model"] for step in three_steps["cost_model"]["steps"]
    ]
    assert compute_costs(exported["cost_model"]).as_json() == compute_costs(three_steps["cost_model"]).as_json()


@pytest.mark.django_db
def test_import_creates_a_draft_project_led_by_the_importer(example, consultant):
    project = import_scope(data=example, client_name=None, user=consultant)

    project.refresh_from_db()
    assert project.name == "Supplier invoice coding"
    assert project.client.name == "Kestrel Foods Ltd"
    assert project.lead_consultant == consultant
    assert project.stage == "draft"
    assert project.currency == "GBP"
    assert project.target_decision_date == date(2027, 3, 1)
    [step] = project.cost_model.steps.all()
    assert (step.name, step.input_price, step.calls_per_use) == ("Model call", Decimal("0.2"), 2)
    assert (step.reasoning_tokens, step.cache_write_share_pct, step.batch_share_pct) == (0, 0, 0)
    assert project.cost_model.tier_scale == 9000
    assert project.security.regimes == ["soc2"]
    assert project.ownership.business_owner_email == "priya.raman@kestrel.example"
    assert project.ownership.updated_by == consultant
    assert [source.name for source in project.data_path.sources.all()] == [
        "Supplier invoices",
        "Vendor master and chart of accounts",
    ]
    assert [mode.position for mode in project.failure_modes.items.all()] == [0, 1, 2]
    assert project.open_questions.get().due == date(2027, 1, 15)


@pytest.mark.django_db
def test_import_records_the_new_project_in_the_audit_trail(example, consultant):
    project = import_scope(data=example, client_name=None, user=consultant)

    assert ActivityEvent.objects.filter(project=project, verb="project_created", actor=consultant).count() == 1


@pytest.mark.django_db
def test_answers_accepted_risks_and_unset_values_survive_the_round_trip(example, consultant):
    example["open_questions"][0].update(status="answered", answer="Yes, from March.")
    example["accepted_risks"] = [
        {
            "code": "data_path.source_access_unknown",
            "reason": "ERP team confirmed access by e-mail.",
            "accepted_by": "Priya",
        }
    ]
    example["security"]["personal_data"] = None
    example["cost_model"]["licences"] = None
    example["ownership"]["handover_date"] = None

    exported = export_scope(import_scope(data=example, client_name=None, user=consultant))

    assert exported["open_questions"][0]["answer"] == "Yes, from March."
    assert exported["open_questions"][0]["status"] == "answered"
    assert exported["accepted_risks"] == example["accepted_risks"]
    assert exported["security"]["personal_data"] is None
    assert exported["cost_model"]["licences"] is None
    assert exported["ownership"]["handover_date"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    ["ترميز فواتير الموردين", "供应商发票编码", "आपूर्तिकर्ता चालान कोडिंग", "🧾✅ 👩🏽‍💼", "<script>alert(1)</script>"],
)
def test_text_in_any_script_and_markup_survive_the_database(example, consultant, text):
    example["project"]["name"] = text
    example["failure_modes"]["items"][2]["handling"] = text
    example["ownership"]["responsibilities"][0]["owner"] = text

    exported = export_scope(import_scope(data=example, client_name=None, user=consultant))

    assert exported["project"]["name"] == text
    assert exported["failure_modes"]["items"][2]["handling"] == text
    assert exported["ownership"]["responsibilities"][0]["owner"] == text


@pytest.mark.django_db
def test_accepted_by_falls_back_to_the_accepting_users_name(consultant):
    project = ProjectFactory(lead_consultant=consultant)
    AcceptedRisk.objects.create(
        project=project, code="workflow.not_integrated", reason="Phase 2", accepted_by=consultant
    )

    assert export_scope(project)["accepted_risks"] == [
        {"code": "workflow.not_integrated", "reason": "Phase 2", "accepted_by": "Ida Importer"}
    ]


# --- empty and missing sections --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_project_exports_as_the_empty_scope(consultant):
    project = ProjectFactory(name="Claims triage", client=ClientFactory(name="Acme"), currency="USD")

    assert export_scope(project) == empty_scope(name="Claims triage", client="Acme", currency="USD")


@pytest.mark.django_db
def test_sections_that_do_not_exist_yet_export_as_empty(consultant):
    project = ProjectFactory(name="Bare", client=ClientFactory(name="Acme"))
    for model in SECTION_MODELS.values():
        model.objects.filter(project=project).delete()

    assert export_scope(project) == empty_scope(name="Bare", client="Acme", currency="EUR")


@pytest.mark.django_db
def test_ensure_sections_creates_the_eight_sections_once(consultant):
    project = ProjectFactory(lead_consultant=consultant)
    SECTION_MODELS["workflow"].objects.filter(project=project).delete()

    sections = ensure_sections(project)
    ensure_sections(project)

    assert list(sections) == list(SECTION_KEYS)
    assert all(section.project_id == project.pk for section in sections.values())
    assert [model.objects.filter(project=project).count() for model in SECTION_MODELS.values()] == [1] * 8


@pytest.mark.django_db
def test_export_runs_a_constant_number_of_queries(example, consultant, django_assert_max_num_queries):
    example["failure_modes"]["items"] *= 20
    project = import_scope(data=example, client_name=None, user=consultant)

    # The project with its sections and engagement; one query per kind of row (7 in the sections, 4 in the
    # engagement), the open questions, the accepted risks and who answered each field.
    with django_assert_max_num_queries(15):
        exported = export_scope(project)

    assert len(exported["failure_modes"]["items"]) == 60


# --- whole-file rejection --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bad_file_creates_nothing_and_names_every_field(example, consultant):
    example["data_path"]["sources"][1]["refresh"] = "sometimes"
    example["cost_model"]["hosting"] = "lots"
    before = row_counts()

    with pytest.raises(ScopeValidationError) as caught:
        import_scope(data=example, client_name="Brand New Client", user=consultant)

    assert [path for path, _message in caught.value.errors] == ["data_path.sources[1].refresh", "cost_model.hosting"]
    assert row_counts() == before


@pytest.mark.django_db
def test_a_file_that_is_not_a_scope_creates_nothing(consultant):
    before = row_counts()

    with pytest.raises(ScopeValidationError) as caught:
        import_scope(data=["not", "a", "scope"], client_name=None, user=consultant)

    assert caught.value.errors[0][1].startswith("the scope must be a JSON object")
    assert row_counts() == before


@pytest.mark.django_db
def test_a_file_without_a_client_needs_one_named_at_import(example, consultant):
    example["project"]["client"] = ""
    before = row_counts()

    with pytest.raises(ScopeValidationError) as caught:
        import_scope(data=example, client_name=None, user=consultant)

    assert caught.value.errors == [
        ("project.client", "is empty: give the client's name in the file, or name the client when importing")
    ]
    assert row_counts() == before


@pytest.mark.django_db
def test_an_over_long_client_override_creates_nothing(example, consultant):
    before = row_counts()

    with pytest.raises(ScopeValidationError) as caught:
        import_scope(data=example, client_name="C" * 201, user=consultant)

    assert caught.value.errors == [
        ("project.client", "the client name given for the import is too long: 201 characters; the limit is 200")
    ]
    assert row_counts() == before


# --- the client ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_client_override_replaces_the_client_in_the_file(example, consultant):
    project = import_scope(data=example, client_name="Heron Retail plc", user=consultant)

    assert project.client.name == "Heron Retail plc"
    assert not Client.objects.filter(name="Kestrel Foods Ltd").exists()
    assert export_scope(project)["project"]["client"] == "Heron Retail plc"


@pytest.mark.django_db
def test_an_existing_client_is_reused_whatever_the_case(example, consultant):
    existing = ClientFactory(name="Heron Retail plc")

    first = import_scope(data=example, client_name="heron retail PLC", user=consultant)
    example["project"]["client"] = "Heron Retail plc"
    second = import_scope(data=example, client_name=None, user=consultant)

    assert first.client == existing
    assert second.client == existing
    assert Client.objects.filter(name__iexact="heron retail plc").count() == 1


# --- the models mirror the catalogue ---------------------------------------------------------------------------


def _model_fields_for(model: type[models.Model], fields: tuple[Field, ...], prefix: str = ""):
    for item in fields:
        if isinstance(item, Group):
            yield from _model_fields_for(model, item.fields, prefix + item.attr_prefix)
        elif not isinstance(item, Rows):
            yield item, model._meta.get_field(prefix + item.key)


def _catalogue_pairs():
    for section_key, model in SECTION_MODELS.items():
        yield model, SECTIONS[section_key], {"id", "project", "revision", "updated_at", "updated_by"}
        for item in SECTIONS[section_key]:
            if isinstance(item, Rows):
                row_model, parent = ROW_MODELS[(section_key, item.key)]
                yield row_model, item.fields, {"id", "position", parent}
    # ``field`` and ``session`` link a question to the field and session it was raised in: not scope content.
    yield OpenQuestion, OPEN_QUESTIONS.fields, {"id", "project", "created_at", "updated_at", "field", "session"}


def test_every_model_field_is_in_the_catalogue_and_the_other_way_round():
    """A model field missing from the catalogue would be silently dropped by export, and so by every version."""
    for model, fields, bookkeeping in _catalogue_pairs():
        model_names = {field.name for field in model._meta.concrete_fields} - bookkeeping
        catalogue_names = {model_field.name for _item, model_field in _model_fields_for(model, fields)}

        assert model_names == catalogue_names, model


def _catalogue_help(model, name: str) -> str:
    if model is OpenQuestion:
        return catalogue.OPEN_QUESTIONS.field(name).help
    return column_spec(model, name).help


def test_every_catalogue_field_has_a_model_field_with_the_same_limits_and_choices():
    checked = 0
    for model, fields, _bookkeeping in _catalogue_pairs():
        for item, model_field in _model_fields_for(model, fields):
            assert model_field.blank, model_field
            # Help text lives in the catalogue (so an edit is no migration); open questions keep it on the model too.
            help_text = _catalogue_help(model, model_field.name)
            assert help_text.strip(), f"{model_field} has no help text"
            if model is OpenQuestion:
                assert str(model_field.help_text) == help_text, model_field
            if isinstance(item, Text):
                assert model_field.max_length == item.max_length, model_field
            if isinstance(item, DecimalNumber):
                assert isinstance(model_field, models.DecimalField), model_field
                assert model_field.decimal_places == item.decimal_places, model_field
            if isinstance(item, ChoiceList):
                assert isinstance(model_field, models.JSONField), model_field
            elif hasattr(item, "choices_key"):
                assert tuple(model_field.choices) == CHOICES[item.choices_key], model_field
            checked += 1

    # 118 in /1; /2 moves the 8 per-call fields into 17 model-step fields and adds 4 load and 5 self-hosted ones.
    assert checked == 118 - 8 + 17 + 4 + 5
