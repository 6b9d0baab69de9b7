"""The scope JSON contract, without a database: what passes, what is refused and what the person is told."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoping.scope.schema import (
    CHOICES,
    LONG_TEXT_MAX,
    MAX_ROWS,
    SCHEMA_ID,
    SECTION_KEYS,
    SECTIONS,
    SHORT_TEXT_MAX,
    TOP_LEVEL_PATH,
    ScopeValidationError,
    canonical_json,
    empty_scope,
    validate_scope,
)

EXAMPLE_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "invoice-coding.json"


@pytest.fixture
def example() -> dict[str, Any]:
    return json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


def errors_of(data: object) -> list[tuple[str, str]]:
    with pytest.raises(ScopeValidationError) as caught:
        validate_scope(data)
    return caught.value.errors


def only_error(data: object) -> tuple[str, str]:
    errors = errors_of(data)
    assert len(errors) == 1, errors
    return errors[0]


# --- what passes -------------------------------------------------------------------------------------------------


def test_the_worked_example_validates_and_normalizes(example):
    scope = validate_scope(example)

    assert scope["schema"] == "firstslice.scope/1"  # a /1 file validates as /1; it is upgraded where it is stored
    assert scope["project"] == {
        "name": "Supplier invoice coding",
        "client": "Kestrel Foods Ltd",
        "currency": "GBP",
        "target_decision_date": "2027-03-01",
    }
    cost = scope["cost_model"]
    assert cost["input_price"] == "0.2"
    assert cost["other_per_use"] == "0.004"
    assert cost["hosting"] == "1100"
    assert cost["retry_overhead_pct"] == "3"
    assert cost["review_minutes"] == "1"
    assert cost["calls_per_use"] == 2
    assert cost["tiers"] == {"pilot": 1500, "launch": 6000, "scale": 9000}
    assert scope["production_target"]["volume_per_month"] == 9000
    assert scope["data_path"]["sources"][1]["access_method"] == "api"
    assert scope["ownership"]["business_owner"]["email"] == "priya.raman@kestrel.example"
    assert scope["open_questions"][0]["answer"] == ""
    assert scope["accepted_risks"] == []


def test_validation_of_a_normalized_scope_changes_nothing(example):
    scope = validate_scope(example)

    assert validate_scope(copy.deepcopy(scope)) == scope


def test_missing_optional_values_come_back_empty_consistently():
    scope = validate_scope({"schema": SCHEMA_ID, "project": {"name": "Pilot", "currency": "EUR"}})

    assert scope == empty_scope(name="Pilot")
    assert scope["production_target"]["problem_statement"] == ""
    assert scope["production_target"]["volume_per_month"] is None
    assert scope["production_target"]["ai_role"] == ""
    assert scope["production_target"]["success_metrics"] == []
    assert scope["security"]["regimes"] == []
    assert scope["security"]["personal_data"] is None
    assert scope["cost_model"]["hosting"] is None
    assert scope["cost_model"]["tiers"] == {"pilot": None, "launch": None, "scale": None}
    assert scope["ownership"]["technical_owner"] == {"name": "", "role": "", "email": ""}
    assert scope["ownership"]["handover_date"] is None


def test_null_is_read_as_not_answered():
    scope = validate_scope(
        {
            "schema": SCHEMA_ID,
            "project": {"name": "Pilot", "currency": "EUR", "target_decision_date": None},
            "workflow": {"output_destination": None, "integration": None},
            "data_path": None,
        }
    )

    assert scope["workflow"]["output_destination"] == ""
    assert scope["workflow"]["integration"] == ""
    assert scope["data_path"]["sources"] == []


def test_empty_scope_has_every_key_and_the_given_project():
    scope = empty_scope(name="Claims triage", client="Acme", currency="USD")

    assert list(scope) == [
        "schema",
        "project",
        *SECTION_KEYS,
        "open_questions",
        "accepted_risks",
        "engagement",
        "field_sources",
    ]
    assert scope["schema"] == "firstslice.scope/2"
    assert scope["cost_model"]["steps"] == []
    assert scope["project"] == {
        "name": "Claims triage",
        "client": "Acme",
        "currency": "USD",
        "target_decision_date": None,
    }
    for key in SECTION_KEYS:
        assert set(scope[key]) == {item.key for item in SECTIONS[key]}
    assert validate_scope(scope) == scope


def test_amounts_are_written_canonically_whatever_their_spelling():
    cost = {
        "input_price": "2.50",
        "output_price": 2.5,
        "hosting": 1100,
        "monitoring": "0150.000",
        "licences": "0.00",
        "maintenance_rate": "95.",
    }
    scope = validate_scope(
        {"schema": "firstslice.scope/1", "project": {"name": "P", "currency": "EUR"}, "cost_model": cost}
    )

    assert scope["cost_model"]["input_price"] == "2.5"
    assert scope["cost_model"]["output_price"] == "2.5"
    assert scope["cost_model"]["hosting"] == "1100"
    assert scope["cost_model"]["monitoring"] == "150"
    assert scope["cost_model"]["licences"] == "0"
    assert scope["cost_model"]["maintenance_rate"] == "95"


def test_currency_codes_are_upper_cased():
    scope = validate_scope({"schema": SCHEMA_ID, "project": {"name": "P", "currency": "gbp"}})

    assert scope["project"]["currency"] == "GBP"


def test_regimes_lose_duplicates_and_follow_the_catalogue_order():
    scope = validate_scope(
        {
            "schema": SCHEMA_ID,
            "project": {"name": "P", "currency": "EUR"},
            "security": {"regimes": ["soc2", "gdpr", "soc2"]},
        }
    )

    assert scope["security"]["regimes"] == ["gdpr", "soc2"]


def test_an_open_question_without_a_status_is_open():
    scope = validate_scope(
        {"schema": SCHEMA_ID, "project": {"name": "P", "currency": "EUR"}, "open_questions": [{"question": "Who?"}]}
    )

    assert scope["open_questions"] == [
        {"question": "Who?", "section": "", "owner": "", "due": None, "status": "open", "answer": ""}
    ]


def test_text_exactly_at_the_limits_is_accepted(example):
    example["production_target"]["workflow_name"] = "w" * SHORT_TEXT_MAX
    example["production_target"]["problem_statement"] = "p" * LONG_TEXT_MAX

    scope = validate_scope(example)

    assert len(scope["production_target"]["workflow_name"]) == SHORT_TEXT_MAX
    assert len(scope["production_target"]["problem_statement"]) == LONG_TEXT_MAX


def test_exactly_the_row_limit_is_accepted(example):
    example["first_slice"]["acceptance_criteria"] = [{"criterion": f"c{n}"} for n in range(MAX_ROWS)]

    assert len(validate_scope(example)["first_slice"]["acceptance_criteria"]) == MAX_ROWS


# --- unicode and markup are kept as typed ------------------------------------------------------------------------

WORLD_TEXT = {
    "arabic": "ترميز فواتير الموردين",
    "chinese": "供应商发票编码",
    "hindi": "आपूर्तिकर्ता चालान कोडिंग",
    "emoji": "Invoices 🧾✅ — done 👩🏽‍💼",
}


@pytest.mark.parametrize("language", sorted(WORLD_TEXT))
def test_text_in_any_script_survives_validation_and_canonical_json(example, language):
    text = WORLD_TEXT[language]
    example["project"]["name"] = text
    example["failure_modes"]["items"][0]["scenario"] = text
    example["ownership"]["business_owner"]["name"] = text

    scope = validate_scope(example)
    reread = json.loads(canonical_json(scope).decode("utf-8"))

    assert scope["project"]["name"] == text
    assert reread["failure_modes"]["items"][0]["scenario"] == text
    assert reread["ownership"]["business_owner"]["name"] == text
    assert text.encode("utf-8") in canonical_json(scope)


def test_the_length_limit_counts_characters_not_bytes(example):
    example["production_target"]["workflow_name"] = "🧾" * SHORT_TEXT_MAX

    assert validate_scope(example)["production_target"]["workflow_name"] == "🧾" * SHORT_TEXT_MAX


def test_html_and_script_text_is_kept_exactly_as_typed(example):
    markup = "<script>alert(\"x\")</script><b onmouseover='x()'>&amp; bold</b>"
    example["workflow"]["action"] = markup
    example["data_path"]["sources"][0]["name"] = markup[:SHORT_TEXT_MAX]

    scope = validate_scope(example)

    assert scope["workflow"]["action"] == markup
    assert scope["data_path"]["sources"][0]["name"] == markup[:SHORT_TEXT_MAX]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200))
def test_any_storable_short_text_survives_unchanged(text):
    scope = validate_scope({"schema": SCHEMA_ID, "project": {"name": "P", "currency": "EUR"}, "workflow": {}})
    scope["workflow"]["acting_role"] = text

    assert validate_scope(json.loads(canonical_json(scope)))["workflow"]["acting_role"] == text


# --- canonical JSON ----------------------------------------------------------------------------------------------


def test_canonical_json_is_sorted_compact_utf8():
    assert canonical_json({"b": 1, "a": {"é": "中", "c": [1, None]}}) == '{"a":{"c":[1,null],"é":"中"},"b":1}'.encode()


def test_canonical_json_does_not_depend_on_key_order_or_spelling(example):
    reordered = json.loads(json.dumps(example, sort_keys=True))
    reordered["cost_model"]["input_price"] = "0.200"

    first = hashlib.sha256(canonical_json(validate_scope(example))).hexdigest()
    second = hashlib.sha256(canonical_json(validate_scope(reordered))).hexdigest()

    assert first == second


# --- the file as a whole -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [[], "scope", 3, None])
def test_it_refuses_anything_but_an_object(data):
    path, message = only_error(data)

    assert path == TOP_LEVEL_PATH
    assert message.startswith("the scope must be a JSON object {...}; got ")


def test_it_refuses_an_unknown_schema(example):
    example["schema"] = "firstslice.scope/3"

    assert only_error(example) == (
        "schema",
        "must be 'firstslice.scope/1' or 'firstslice.scope/2'; got text 'firstslice.scope/3'. This file was not "
        "written for this version of Firstslice.",
    )


def test_it_refuses_a_file_without_a_schema(example):
    del example["schema"]

    assert only_error(example) == ("schema", 'is missing; a scope file starts with "schema": "firstslice.scope/2"')


def test_it_refuses_a_file_without_a_project(example):
    del example["project"]

    errors = errors_of(example)

    assert ("project", "is missing; give at least the project's name and currency") in errors
    assert ("project.name", "is required: give the project a name") in errors


def test_it_requires_a_currency_code_for_the_project(example):
    example["project"]["currency"] = "euro"

    assert only_error(example) == (
        "project.currency",
        "must be a three-letter ISO 4217 currency code such as EUR, GBP or USD; got text 'euro'",
    )


def test_it_refuses_a_blank_project_name(example):
    example["project"]["name"] = "   "

    assert only_error(example) == ("project.name", "is required: give the project a name")


def test_it_names_unknown_fields_and_suggests_the_likely_one(example):
    example["workflow"]["integraton"] = "api"
    example["surprise"] = 1

    errors = errors_of(example)

    assert ("workflow.integraton", "is not a known field; did you mean 'integration'?") in errors
    assert errors[0][0] == "surprise"
    assert errors[0][1].startswith("is not a known field here; known fields: schema, project, production_target")


def test_it_collects_every_error_not_only_the_first(example):
    example["production_target"]["volume_per_month"] = "9,000"
    example["data_path"]["sources"][1]["refresh"] = "sometimes"
    example["cost_model"]["cached_share_pct"] = 120
    example["ownership"]["handover_date"] = "31/05/2027"

    paths = [path for path, _message in errors_of(example)]

    assert paths == [
        "production_target.volume_per_month",
        "data_path.sources[1].refresh",
        "cost_model.cached_share_pct",
        "ownership.handover_date",
    ]


def test_the_error_summary_lists_every_problem_for_a_person(example):
    example["first_slice"]["duration_weeks"] = -1
    example["workflow"]["integration"] = "email"

    with pytest.raises(ScopeValidationError) as caught:
        validate_scope(example)

    assert str(caught.value) == (
        "The scope has 2 problems:\n"
        "  first_slice.duration_weeks: must be 0 or more; got -1\n"
        "  workflow.integration: must be one of: api, embedded, notification, standalone_ui, file_export; "
        "got 'email'"
    )


# --- wrong types -------------------------------------------------------------------------------------------------


def test_it_refuses_a_number_where_text_belongs(example):
    example["production_target"]["success_metrics"][0]["baseline"] = 6

    assert only_error(example) == (
        "production_target.success_metrics[0].baseline",
        "must be text (a JSON string in quotes); got the number 6",
    )


def test_it_refuses_text_where_a_yes_no_answer_belongs(example):
    example["data_path"]["sources"][0]["personal_data"] = "no"

    assert only_error(example) == (
        "data_path.sources[0].personal_data",
        "must be true or false (without quotes); got text 'no'",
    )


def test_it_refuses_a_list_where_a_section_belongs(example):
    example["workflow"] = ["api"]

    assert only_error(example) == ("workflow", "must be an object {...}; got a list")


def test_it_refuses_an_object_where_rows_belong(example):
    example["data_path"]["sources"] = {"name": "ERP"}

    assert only_error(example) == ("data_path.sources", "must be a list of rows [...]; got an object")


def test_it_refuses_a_row_that_is_not_an_object(example):
    example["security"]["access_roles"][1] = "AP clerk"

    assert only_error(example) == ("security.access_roles[1]", "must be an object {...}; got text 'AP clerk'")


def test_it_refuses_a_single_value_where_a_list_of_choices_belongs(example):
    example["security"]["regimes"] = "gdpr"

    assert only_error(example) == (
        "security.regimes",
        "must be a list of choices such as [\"gdpr\"]; got text 'gdpr'",
    )


def test_it_refuses_true_as_a_count(example):
    example["cost_model"]["calls_per_use"] = True

    assert only_error(example) == ("cost_model.calls_per_use", "must be a whole number such as 12; got true")


# --- numbers -----------------------------------------------------------------------------------------------------


def test_it_refuses_text_where_a_count_belongs(example):
    example["production_target"]["volume_per_month"] = "9,000"

    assert only_error(example) == (
        "production_target.volume_per_month",
        "must be a whole number written without quotes or separators, such as 9000; got text '9,000'",
    )


def test_it_refuses_a_fraction_where_a_count_belongs(example):
    example["cost_model"]["tiers"]["pilot"] = 1500.5

    assert only_error(example) == ("cost_model.tiers.pilot", "must be a whole number such as 12; got the number 1500.5")


def test_it_refuses_a_negative_count(example):
    example["production_target"]["user_count"] = -7

    assert only_error(example) == ("production_target.user_count", "must be 0 or more; got -7")


def test_it_refuses_an_absurdly_large_count(example):
    example["first_slice"]["duration_weeks"] = 10_000

    assert only_error(example) == ("first_slice.duration_weeks", "must be at most 520; got 10000")


def test_it_refuses_text_where_an_amount_belongs(example):
    example["cost_model"]["hosting"] = "£1,100"

    assert only_error(example) == (
        "cost_model.hosting",
        "must be an amount such as 2.50, written with digits and one decimal point, without a currency sign, unit "
        "or thousands separator; got text '£1,100'",
    )


@pytest.mark.parametrize("value", ["NaN", "1e3", "Infinity", "1_000"])
def test_it_refuses_amounts_that_are_not_plain_decimals(example, value):
    example["cost_model"]["input_price"] = value

    path, message = only_error(example)

    assert path == "cost_model.input_price"
    assert message.endswith(f"got text '{value}'")


def test_it_refuses_a_negative_amount(example):
    example["cost_model"]["monitoring"] = "-150"

    assert only_error(example) == ("cost_model.monitoring", "must be 0 or more; got -150")


def test_it_refuses_an_amount_beyond_a_trillion(example):
    example["cost_model"]["licences"] = "1000000000000.01"

    assert only_error(example) == (
        "cost_model.licences",
        "must be at most 1000000000000; got 1000000000000.01",
    )


def test_it_refuses_more_decimal_places_than_can_be_stored(example):
    example["cost_model"]["output_price"] = "0.0000001"

    assert only_error(example) == ("cost_model.output_price", "has more than 6 decimal places; got 0.0000001")


@pytest.mark.parametrize(
    ("value", "message"), [(120, "must be at most 100; got 120"), (-1, "must be 0 or more; got -1")]
)
def test_it_refuses_a_percentage_outside_0_to_100(example, value, message):
    example["cost_model"]["review_rate_pct"] = value

    assert only_error(example) == ("cost_model.review_rate_pct", message)


def test_it_refuses_text_where_a_percentage_belongs(example):
    example["cost_model"]["cached_share_pct"] = "30%"

    path, message = only_error(example)

    assert path == "cost_model.cached_share_pct"
    assert message.startswith("must be a percentage between 0 and 100, such as 12.5")
    assert message.endswith("got text '30%'")


# --- choices -----------------------------------------------------------------------------------------------------


def test_it_refuses_a_value_outside_the_choices(example):
    example["data_path"]["sources"][1]["refresh"] = "sometimes"

    assert only_error(example) == (
        "data_path.sources[1].refresh",
        "must be one of: real_time, hourly, daily, weekly, monthly, one_off; got 'sometimes'",
    )


def test_it_points_at_the_value_when_the_label_was_typed(example):
    example["data_path"]["sources"][0]["access_method"] = "Manual export"

    assert only_error(example) == (
        "data_path.sources[0].access_method",
        "must be one of: api, database, file_drop, stream, manual_export; got 'Manual export' "
        "(did you mean 'manual_export'?)",
    )


def test_it_names_the_position_of_a_bad_entry_in_a_list_of_choices(example):
    example["security"]["regimes"] = ["gdpr", "popia"]

    assert only_error(example) == (
        "security.regimes[1]",
        "must be one of: gdpr, ccpa, hipaa, pci_dss, soc2, iso27001, eu_ai_act, other; got 'popia'",
    )


def test_it_refuses_an_unknown_section_on_an_open_question(example):
    example["open_questions"][0]["section"] = "data"

    path, message = only_error(example)

    assert path == "open_questions[0].section"
    assert message.startswith("must be one of: production_target, first_slice, data_path,")


def test_the_choice_catalogue_matches_the_design_and_reads_well():
    assert [value for value, _label in CHOICES["refresh"]] == [
        "real_time",
        "hourly",
        "daily",
        "weekly",
        "monthly",
        "one_off",
    ]
    assert [value for value, _label in CHOICES["category"]] == [
        "bad_input",
        "model_error",
        "hallucination",
        "data_drift",
        "dependency_outage",
        "misuse",
        "bias",
        "privacy",
        "other",
    ]
    assert CHOICES["data_classification"] == CHOICES["sensitivity"]
    assert [value for value, _label in CHOICES["section"]] == list(SECTION_KEYS)
    assert dict(CHOICES["access_method"])["manual_export"] == "Manual export"
    assert dict(CHOICES["refresh"])["one_off"] == "One-off"


# --- dates, e-mail, text -----------------------------------------------------------------------------------------


def test_it_refuses_a_date_not_written_as_iso(example):
    example["ownership"]["handover_date"] = "31/05/2027"

    assert only_error(example) == (
        "ownership.handover_date",
        "must be a date written as YYYY-MM-DD, such as 2027-02-15; got text '31/05/2027'",
    )


def test_it_refuses_a_date_that_does_not_exist(example):
    example["open_questions"][0]["due"] = "2027-02-30"

    assert only_error(example) == ("open_questions[0].due", "is not a real calendar date; got '2027-02-30'")


def test_it_refuses_a_malformed_email(example):
    example["ownership"]["technical_owner"]["email"] = "dan at kestrel"

    assert only_error(example) == (
        "ownership.technical_owner.email",
        "is not an e-mail address such as name@example.com; got 'dan at kestrel'",
    )


def test_it_states_the_limit_of_over_long_short_text(example):
    example["production_target"]["workflow_name"] = "w" * (SHORT_TEXT_MAX + 1)

    assert only_error(example) == (
        "production_target.workflow_name",
        "is too long: 201 characters; the limit is 200. Shorten it or move detail to a longer field.",
    )


def test_it_states_the_limit_of_over_long_long_text(example):
    example["data_path"]["pipeline"] = "p" * (LONG_TEXT_MAX + 5)

    assert only_error(example) == (
        "data_path.pipeline",
        "is too long: 5005 characters; the limit is 5000. Shorten it or move detail to a longer field.",
    )


def test_it_refuses_a_nul_character_that_cannot_be_stored(example):
    example["workflow"]["fallback"] = "as today\x00"

    assert only_error(example) == (
        "workflow.fallback",
        "contains a NUL character (\\u0000), which cannot be stored; remove it",
    )


def test_it_refuses_an_unpaired_surrogate(example):
    example["workflow"]["fallback"] = json.loads('"broken \\ud83e"')

    path, message = only_error(example)

    assert path == "workflow.fallback"
    assert message.startswith("contains an unpaired UTF-16 surrogate")


# --- rows --------------------------------------------------------------------------------------------------------


def test_it_refuses_too_many_rows(example):
    example["failure_modes"]["items"] = [{"scenario": f"s{n}"} for n in range(MAX_ROWS + 1)]

    assert only_error(example) == ("failure_modes.items", "has 201 rows; the limit is 200")


def test_it_refuses_an_accepted_risk_without_a_reason(example):
    example["accepted_risks"] = [{"code": "workflow.no_integration", "reason": " ", "accepted_by": "Priya"}]

    assert only_error(example) == ("accepted_risks[0].reason", "is required: an accepted risk needs a written reason")


def test_it_refuses_the_same_risk_accepted_twice(example):
    risk = {"code": "cost.stale_prices", "reason": "Prices checked by hand", "accepted_by": "Priya"}
    example["accepted_risks"] = [risk, dict(risk)]

    assert only_error(example) == (
        "accepted_risks[1].code",
        "accepts 'cost.stale_prices' a second time (already at accepted_risks[0]); keep one row",
    )
