"""Autosave of a step: what it writes (only what the person changed), how lists merge row by row, and every answer."""

from __future__ import annotations

import json
import statistics
import time
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from scoping.models import Stage
from scoping.models.sections import FailureModeRegister, ProductionTarget, WorkflowIntegration
from scoping.models.sessions import FieldSource
from scoping.steps.live_state import row_fingerprints
from scoping.steps.services import rows_merge
from tests.factories import ParticipantFactory, UserFactory
from tests.review_support import set_stage
from tests.steps.form_reader import form_data

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & “quotes” 🚀 Zoë'


def metric(name: str, target: str = "") -> dict[str, str]:
    return {"metric": name, "baseline": "", "target": target, "measured_by": ""}


def fps(*rows):
    return row_fingerprints(list(rows))


# --- the row merge, on its own ------------------------------------------------------------------------------------


def test_two_people_adding_rows_at_once_keep_both():
    a, b, c = metric("a"), metric("b"), metric("c")
    merge = rows_merge(opened=fps(a), mine=[a, b], theirs=[a, c])
    assert merge.rows == [a, b, c]
    assert not merge.both_changed


def test_rows_added_to_an_empty_list_by_both_keep_theirs_first_then_mine():
    mine, theirs = metric("mine"), metric("theirs")
    assert rows_merge(opened=[], mine=[mine], theirs=[theirs]).rows == [theirs, mine]


def test_a_row_i_edited_that_they_removed_is_kept_edited():
    a, b = metric("a"), metric("b")
    edited = metric("b", target="95%")
    assert rows_merge(opened=fps(a, b), mine=[a, edited], theirs=[a]).rows == [a, edited]


def test_a_row_they_edited_that_i_removed_is_kept_edited():
    a, b = metric("a"), metric("b")
    edited = metric("b", target="95%")
    assert rows_merge(opened=fps(a, b), mine=[a], theirs=[a, edited]).rows == [a, edited]


def test_a_row_both_edited_keeps_both_versions_and_says_so():
    a, b = metric("a"), metric("b")
    mine, theirs = metric("b", target="mine"), metric("b", target="theirs")
    merge = rows_merge(opened=fps(a, b), mine=[a, mine], theirs=[a, theirs])
    assert merge.rows[0] == a and {row["target"] for row in merge.rows[1:]} == {"mine", "theirs"}
    assert len(merge.rows) == 3
    assert merge.both_changed


def test_a_row_i_removed_goes_and_their_new_row_stays():
    a, b, c = metric("a"), metric("b"), metric("c")
    assert rows_merge(opened=fps(a, b), mine=[a], theirs=[a, b, c]).rows == [a, c]


def test_a_save_sent_twice_adds_its_rows_once():
    a, b = metric("a"), metric("b")
    assert rows_merge(opened=fps(a), mine=[a, b], theirs=[a, b]).rows == [a, b]


def test_identical_rows_are_counted_not_collapsed():
    a = metric("same")
    assert rows_merge(opened=fps(a, a), mine=[a, a, a], theirs=[a, a]).rows == [a, a, a]


def test_a_new_row_goes_after_the_row_it_followed():
    a, b, c, new = metric("a"), metric("b"), metric("c"), metric("new")
    assert rows_merge(opened=fps(a, b, c), mine=[a, new, b, c], theirs=[a, b, c, metric("d")]).rows == [
        a,
        new,
        b,
        c,
        metric("d"),
    ]


# --- through the autosave endpoint ----------------------------------------------------------------------------------


def step_page(client, project, key):
    return client.get(reverse("projects:step", args=[project.pk, key])).content.decode()


def autosave(client, project, key, data, **headers):
    url = reverse("projects:step_autosave", args=[project.pk, key])
    return client.post(url, data, headers=headers)


def opened_form(client, project, key):
    """What a tab opened now holds: the form's FormData, exactly as the page carries it."""
    return form_data(step_page(client, project, key))


@pytest.fixture
def editor(project):
    user = UserFactory(username="priya", role="client", client=project.client, first_name="Priya", last_name="Shah")
    ParticipantFactory(project=project, user=user, can_edit=True)
    return user


@pytest.mark.django_db
def test_autosave_saves_a_changed_field_and_answers_fresh_fingerprints(client, project, lead):
    client.force_login(lead)
    data = opened_form(client, project, "workflow")
    data["fallback"] = "AP queue, as today"

    response = autosave(client, project, "workflow", data)

    answer = response.json()
    assert response.status_code == 200
    assert answer["status"] == "saved"
    assert answer["changed"] == ["fallback"]
    saved = WorkflowIntegration.objects.get(project=project)
    assert (saved.fallback, saved.revision, saved.updated_by) == ("AP queue, as today", answer["revision"], lead)
    assert answer["fields"]["fallback"]["value"] == "AP queue, as today"
    # A page opened now carries exactly the fingerprints the answer gave.
    fresh = opened_form(client, project, "workflow")
    assert answer["opened"]["fallback"] == fresh["opened__fallback"]
    assert answer["saved_at_text"] == f"{timezone.localtime():%H:%M}"


@pytest.mark.django_db
def test_autosave_of_nothing_new_is_unchanged_and_writes_nothing(client, project, lead):
    client.force_login(lead)
    data = opened_form(client, project, "workflow")
    response = autosave(client, project, "workflow", data)
    assert response.json()["status"] == "unchanged"
    assert WorkflowIntegration.objects.get(project=project).revision == 0


@pytest.mark.django_db
def test_a_stale_tab_after_an_hour_merges_and_never_writes_a_field_it_did_not_change(client, project, lead, editor):
    client.force_login(lead)
    stale = opened_form(client, project, "workflow")  # opened an hour ago, never refreshed

    client.force_login(editor)
    theirs = opened_form(client, project, "workflow")
    theirs["acting_role"] = "AP team lead"
    theirs["action"] = "Accepts it"
    assert autosave(client, project, "workflow", theirs).json()["status"] == "saved"

    client.force_login(lead)
    stale["fallback"] = "Manual coding"
    answer = autosave(client, project, "workflow", stale).json()

    saved = WorkflowIntegration.objects.get(project=project)
    assert (saved.acting_role, saved.action, saved.fallback) == ("AP team lead", "Accepts it", "Manual coding")
    assert answer["status"] == "saved"
    assert answer["changed"] == ["fallback"]
    assert answer["merged_with"] == "Priya Shah"
    # The tab is told which fields to take from the saved step (theirs), with their values.
    assert set(answer["differs"]) == {"acting_role", "action"}
    assert answer["fields"]["acting_role"]["value"] == "AP team lead"


@pytest.mark.django_db
def test_both_changing_the_same_field_is_a_409_conflict_with_both_values(client, project, lead, editor):
    client.force_login(lead)
    mine = opened_form(client, project, "workflow")
    client.force_login(editor)
    theirs = opened_form(client, project, "workflow")
    theirs["fallback"] = "Park unsure invoices for a day."
    autosave(client, project, "workflow", theirs)

    client.force_login(lead)
    mine["fallback"] = "Route them to the team lead."
    mine["feedback_loop"] = "Nightly pull of edits."
    response = autosave(client, project, "workflow", mine)

    answer = response.json()
    assert response.status_code == 409
    assert answer["status"] == "conflict"
    assert answer["by"] == "Priya Shah"
    assert answer["conflicts"] == [
        {
            "name": "fallback",
            "label": answer["conflicts"][0]["label"],
            "theirs": "Park unsure invoices for a day.",
            "theirs_value": "Park unsure invoices for a day.",
            "yours": "Route them to the team lead.",
        }
    ]
    assert WorkflowIntegration.objects.get(project=project).feedback_loop == ""  # nothing saved

    # Held ("hold") while the person chooses: the rest saves; then "keep mine" (their fingerprint) writes mine.
    mine["hold"] = "fallback"
    held = autosave(client, project, "workflow", mine).json()
    assert held["status"] == "saved" and held["changed"] == ["feedback_loop"]
    assert WorkflowIntegration.objects.get(project=project).fallback == "Park unsure invoices for a day."
    mine["hold"] = ""
    mine["opened__fallback"] = answer["opened"]["fallback"]
    kept = autosave(client, project, "workflow", mine).json()
    assert kept["changed"] == ["fallback"]
    assert WorkflowIntegration.objects.get(project=project).fallback == "Route them to the team lead."


@pytest.mark.django_db
def test_rows_added_by_two_people_at_once_are_both_kept(client, project, lead, editor):
    client.force_login(lead)
    mine = opened_form(client, project, "production_target")
    client.force_login(editor)
    theirs = opened_form(client, project, "production_target")
    theirs.update({"success_metrics-0-metric": "Invoices coded without edit", "success_metrics-0-target": "80%"})
    assert autosave(client, project, "production_target", theirs).json()["status"] == "saved"

    client.force_login(lead)
    mine.update({"success_metrics-0-metric": "Hours saved a month", "success_metrics-0-target": "120"})
    answer = autosave(client, project, "production_target", mine).json()

    assert answer["status"] == "saved"
    saved = list(ProductionTarget.objects.get(project=project).success_metrics.values_list("metric", flat=True))
    assert saved == ["Invoices coded without edit", "Hours saved a month"]
    assert answer["differs"] == ["success_metrics"]  # the tab rebuilds the list from the answer
    assert [row["metric"] for row in answer["rows"]["success_metrics"]["rows"]] == saved
    assert answer["opened_rows"]["success_metrics"] == answer["rows"]["success_metrics"]["row_fingerprints"]


@pytest.mark.django_db
def test_the_button_save_merges_lists_row_by_row_too(client, project, lead, editor):
    client.force_login(lead)
    mine = opened_form(client, project, "production_target")
    client.force_login(editor)
    theirs = opened_form(client, project, "production_target")
    theirs["success_metrics-0-metric"] = "Theirs"
    autosave(client, project, "production_target", theirs)

    client.force_login(lead)
    mine["success_metrics-0-metric"] = "Mine"
    mine["step_action"] = "save"
    response = client.post(reverse("projects:step", args=[project.pk, "production_target"]), mine)

    assert response.status_code == 302
    target = ProductionTarget.objects.get(project=project)
    assert list(target.success_metrics.values_list("metric", flat=True)) == ["Theirs", "Mine"]


@pytest.mark.django_db
def test_invalid_fields_are_reported_and_kept_while_the_valid_ones_save(client, project, lead):
    client.force_login(lead)
    data = opened_form(client, project, "production_target")
    data["problem_statement"] = "Coding takes too long"
    data["user_count"] = "-5"
    data["volume_per_month"] = "9" * 40

    answer = autosave(client, project, "production_target", data).json()

    assert answer["status"] == "saved"
    assert answer["changed"] == ["problem_statement"]
    assert set(answer["errors"]) == {"user_count", "volume_per_month"}
    assert all(isinstance(message, str) and message for message in answer["errors"]["user_count"])
    saved = ProductionTarget.objects.get(project=project)
    assert (saved.problem_statement, saved.user_count, saved.volume_per_month) == ("Coding takes too long", None, None)
    assert "user_count" not in answer["differs"]  # the browser keeps what was typed


@pytest.mark.django_db
def test_an_invalid_row_keeps_the_whole_list_as_saved(client, project, lead):
    client.force_login(lead)
    data = opened_form(client, project, "failure_modes")
    data.update({"items-0-scenario": "Wrong supplier", "items-0-likelihood": "not-a-choice"})
    data["evaluation_plan"] = "Weekly sample of 50"
    answer = autosave(client, project, "failure_modes", data).json()
    assert answer["changed"] == ["evaluation_plan"]
    assert "items-0-likelihood" in answer["errors"]
    assert answer["rows"]["items"]["rows"] == []
    assert FailureModeRegister.objects.get(project=project).items.count() == 0


@pytest.mark.django_db
def test_hostile_and_unicode_text_round_trips_as_data(client, project, lead):
    client.force_login(lead)
    data = opened_form(client, project, "workflow")
    data["fallback"] = HOSTILE
    answer = autosave(client, project, "workflow", data).json()
    assert answer["fields"]["fallback"]["value"] == HOSTILE
    assert WorkflowIntegration.objects.get(project=project).fallback == HOSTILE
    state = client.get(reverse("projects:step_state", args=[project.pk, "workflow"])).json()
    assert state["fields"]["fallback"]["value"] == HOSTILE
    page = step_page(client, project, "workflow")
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_a_frozen_scope_is_not_withdrawn_by_autosave_until_confirmed(client, project, lead):
    client.force_login(lead)
    set_stage(project, Stage.APPROVED)
    data = opened_form(client, project, "workflow")
    data["fallback"] = "Manual coding"

    response = autosave(client, project, "workflow", data)
    assert response.status_code == 428
    assert response.json()["status"] == "needs_confirmation"
    assert response.json()["message"]
    assert WorkflowIntegration.objects.get(project=project).fallback == ""

    data["confirm_reopen"] = "yes"
    assert autosave(client, project, "workflow", data).json()["status"] == "saved"
    assert WorkflowIntegration.objects.get(project=project).fallback == "Manual coding"


@pytest.mark.django_db
def test_a_client_editor_of_a_scope_in_review_is_refused_with_json(client, project, lead, editor):
    client.force_login(editor)
    data = opened_form(client, project, "workflow")
    set_stage(project, Stage.IN_REVIEW)
    data["fallback"] = "Manual coding"
    response = autosave(client, project, "workflow", data)
    assert response.status_code == 403
    assert response.json()["status"] == "refused" and response.json()["message"]


@pytest.mark.django_db
def test_a_reviewer_is_refused_and_a_stranger_sees_nothing(client, project, reviewer, outsider):
    client.force_login(reviewer)
    response = autosave(client, project, "workflow", {"fallback": "x"})
    assert response.status_code == 403 and response.json()["status"] == "refused"
    client.force_login(outsider)
    assert autosave(client, project, "workflow", {"fallback": "x"}).status_code == 404
    assert client.get(reverse("projects:step_state", args=[project.pk, "workflow"])).status_code == 404
    assert WorkflowIntegration.objects.get(project=project).fallback == ""


@pytest.mark.django_db
def test_a_save_is_broadcast_as_section_saved_with_widget_strings_and_origin(client, project, lead):
    client.force_login(lead)
    data = opened_form(client, project, "production_target")
    data.update({"volume_per_month": "9,000", "success_metrics-0-metric": "Hours saved", "user_count": "12"})
    with mock.patch("scoping.steps.services.project_broadcast") as broadcast:
        autosave(client, project, "production_target", data, **{"X-Firstslice-Client": "tab-1"})
    (project_id, message), _kwargs = broadcast.call_args
    assert project_id == project.pk
    assert message["type"] == "section.saved" and message["section"] == "production_target"
    assert message["origin"] == "tab-1"
    assert set(message["changed"]) == {"volume_per_month", "user_count", "success_metrics"}
    assert message["fields"]["volume_per_month"]["value"] == "9000"
    assert set(message["fields"]) == {"volume_per_month", "user_count"}
    assert message["rows"]["success_metrics"]["rows"][0]["metric"] == "Hours saved"
    assert message["by"] == {"id": lead.pk, "name": lead.display_name, "role": "consultant"}
    json.dumps(message)  # it travels as JSON


@pytest.mark.django_db
def test_the_state_endpoint_gives_every_field_every_list_and_the_sources(client, project, lead):
    client.force_login(lead)
    data = opened_form(client, project, "production_target")
    data.update({"problem_statement": "Slow coding", "success_metrics-0-metric": "Hours saved"})
    autosave(client, project, "production_target", data)
    # The save recorded the lead as who answered; say someone else answered it since.
    FieldSource.objects.update_or_create(
        project=project,
        section="production_target",
        field="problem_statement",
        defaults={"by": None, "by_name": "Priya Shah", "role": "client", "at": timezone.now(), "session": None},
    )

    state = client.get(reverse("projects:step_state", args=[project.pk, "production_target"])).json()

    page = form_data(step_page(client, project, "production_target"))
    assert state["fields"]["problem_statement"] == {
        "value": "Slow coding",
        "fingerprint": page["opened__problem_statement"],
    }
    assert state["rows"]["success_metrics"]["fingerprint"] == page["opened__success_metrics"]
    assert ",".join(state["rows"]["success_metrics"]["row_fingerprints"]) == page["opened_rows__success_metrics"]
    assert state["rows"]["success_metrics"]["rows"][0]["metric"] == "Hours saved"
    assert state["sources"] == {"problem_statement": "Priya Shah, client", "success_metrics": "Lena Lead, consultant"}


@pytest.mark.django_db
def test_autosave_request_median(client, project, lead, capsys):
    """Not a target, a figure for the report: the median of 50 autosaves, each changing one field."""
    client.force_login(lead)
    data = opened_form(client, project, "workflow")
    timings = []
    for number in range(50):
        data["fallback"] = f"Try {number}"
        started = time.perf_counter()
        answer = autosave(client, project, "workflow", data).json()
        timings.append(time.perf_counter() - started)
        data.update({f"opened__{name}": fp for name, fp in answer["opened"].items()})
    with capsys.disabled():
        print(f"\nautosave median {statistics.median(timings) * 1000:.1f} ms over 50")
    assert WorkflowIntegration.objects.get(project=project).fallback == "Try 49"
