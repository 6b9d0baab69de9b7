"""The clause library: versions are append-only, the proposal prints the version current when the scope was
frozen, and the starter library installs once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, transaction

from consultancy.default_clauses import REVIEW_NOTE
from consultancy.models import Clause, ClauseCategory, ClauseVersion
from consultancy.selectors import ClauseText, clause_choices, clause_texts
from consultancy.services import clause_create, clause_version_add, default_clauses_load

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
WEDNESDAY = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def ip_clause(lead) -> Clause:
    with time_machine.travel(MONDAY, tick=False):
        clause = clause_create(key="ip", title="Intellectual property", category="ip", text="Version one.", actor=lead)
    with time_machine.travel(WEDNESDAY, tick=False):
        clause_version_add(clause=clause, text="Version two.", actor=lead)
    return clause


def test_each_changed_text_is_a_new_numbered_version_and_the_same_text_is_not(ip_clause, lead):
    same = clause_version_add(clause=ip_clause, text="  Version two.\r\n", actor=lead)
    third = clause_version_add(clause=ip_clause, text="Version three.", actor=lead)
    assert same.number == 2
    assert list(ip_clause.versions.values_list("number", "text")) == [
        (3, "Version three."),
        (2, "Version two."),
        (1, "Version one."),
    ]
    assert (third.created_by, third.clause) == (lead, ip_clause)


def test_a_version_cannot_be_changed_or_deleted_through_the_model(ip_clause):
    version = ip_clause.versions.get(number=1)
    version.text = "Rewritten history."
    with pytest.raises(ValueError, match="never changed"):
        version.save()
    with pytest.raises(ValueError, match="never deleted"):
        version.delete()


def test_the_database_refuses_to_update_or_delete_a_version(ip_clause):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ClauseVersion.objects.filter(clause=ip_clause).update(text="Rewritten history.")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ClauseVersion.objects.filter(clause=ip_clause).delete()
    assert list(ip_clause.versions.values_list("text", flat=True)) == ["Version two.", "Version one."]


def test_clause_texts_prints_the_version_current_at_the_freeze_time(ip_clause):
    assert list(clause_texts(["ip"], as_of=TUESDAY)) == [ClauseText("ip", "Intellectual property", 1, "Version one.")]
    assert list(clause_texts(["ip"], as_of=WEDNESDAY)) == [ClauseText("ip", "Intellectual property", 2, "Version two.")]
    assert list(clause_texts(["ip"])) == [ClauseText("ip", "Intellectual property", 2, "Version two.")]


def test_clause_texts_keeps_the_order_asked_for_and_notes_unknown_keys(ip_clause, django_assert_num_queries):
    with time_machine.travel(MONDAY, tick=False):
        clause_create(key="exit", title="Termination", category="termination", text="Thirty days' notice.")
    with django_assert_num_queries(2):
        result = clause_texts(["exit", "gone", "ip", "exit"], as_of=TUESDAY)
    assert [(c.key, c.number) for c in result] == [("exit", 1), ("ip", 1)]
    key, title, number, text = result.clauses[0]
    assert (key, title, number, text) == ("exit", "Termination", 1, "Thirty days' notice.")
    assert result.notes == (
        "The clause “exit” was listed more than once; it is printed once.",
        "The clause “gone” is not in the clause library; it was skipped.",
    )


def test_clause_texts_skips_a_clause_added_after_the_freeze_with_a_note(ip_clause):
    result = clause_texts(["ip"], as_of=datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    assert len(result) == 0
    assert result.notes == ("The clause “ip” had no text yet on 01 March 2026 at 12:00; it was skipped.",)


def test_clause_choices_offers_active_clauses_with_text_in_library_order(ip_clause):
    clause_create(key="exit", title="Termination", category="termination", text="Notice.", position=5)
    Clause.objects.create(key="draft", title="No text yet", category="other")
    retired = clause_create(key="old", title="Old warranty", category="warranty_hypercare", text="Old.")
    retired.is_active = False
    retired.save()
    assert clause_choices() == [("exit", "Termination"), ("ip", "Intellectual property")]
    # A retired clause a proposal already chose still prints.
    assert [c.key for c in clause_texts(["old"])] == ["old"]


def test_the_starter_library_has_one_reviewed_clause_per_category_and_installs_once(capsys):
    call_command("load_default_clauses")
    first = capsys.readouterr().out
    call_command("load_default_clauses")
    second = capsys.readouterr().out

    clauses = Clause.objects.order_by("position")
    assert [c.category for c in clauses] == [
        ClauseCategory.IP,
        ClauseCategory.DATA_PROCESSING,
        ClauseCategory.WARRANTY_HYPERCARE,
        ClauseCategory.CHANGE_CONTROL,
        ClauseCategory.TERMINATION,
    ]
    assert ClauseVersion.objects.count() == 5
    for clause in clauses:
        text = clause.versions.get().text
        assert text.endswith(REVIEW_NOTE)
        assert len(text) > 400  # real wording, not a placeholder
    assert first.startswith("Installed 5 starter clauses: intellectual-property, data-processing,")
    assert second == (
        "Already in the library, left unchanged: change-control, data-processing, intellectual-property, "
        "termination, warranty-and-hypercare.\n"
    )


def test_loading_the_starter_library_never_overwrites_an_edited_clause(lead):
    default_clauses_load()
    termination = Clause.objects.get(key="termination")
    clause_version_add(clause=termination, text="Our own termination wording.", actor=lead)

    result = default_clauses_load()
    assert result.installed == ()
    assert termination.versions.order_by("-number").first().text == "Our own termination wording."
    assert ClauseVersion.objects.count() == 6
