"""The review page shows the frozen version under review, section by section, and a readable word-level diff."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from documents.versioning import marked_words
from scoping.models.sections import WorkflowIntegration
from scoping.review import decisions
from scoping.review.hooks import after_scope_edit
from scoping.scope.readiness import SECTION_LABELS, SECTIONS
from tests.review_support import submit

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script> <img src=x onerror="alert(2)"> {{ 7*7 }}'
OLD_FALLBACK = "Invoices appear uncoded, as today, and the clerks code them by hand from the supplier master file."
NEW_FALLBACK = "Invoices appear uncoded, as today, and the team lead codes them by hand from the supplier master file."


def section_html(html: str, key: str) -> str:
    match = re.search(rf'<section[^>]*id="review-section-{key}".*?</section>', html, re.S)
    assert match, f"no review section for {key}"
    return match.group(0)


def edit_fallback(project, text: str) -> None:
    section = WorkflowIntegration.objects.get(project=project)
    section.fallback = text
    section.save()
    after_scope_edit(project=project, actor=project.lead_consultant)


def second_version_in_review(project, lead, reviewer, *, old: str, new: str):
    edit_fallback(project, old)
    first = submit(project, lead)
    decisions.review_record(
        project=project, version=first, actor=reviewer, decision="request_changes", summary="Name who codes them."
    )
    edit_fallback(project, new)
    return submit(project, lead)


def test_the_review_page_shows_each_section_of_the_version_beside_its_comment_box(
    client, sound_project, lead, reviewer
):
    version = submit(sound_project, lead)
    client.force_login(reviewer)
    html = client.get(reverse("projects:review", args=[sound_project.pk])).content.decode()

    for key in SECTIONS:
        part = section_html(html, key)
        assert escape(SECTION_LABELS[key]) in part
        assert f'name="comment_{key}"' in part
    assert version.scope["first_slice"]["description"] in section_html(html, "first_slice")
    assert version.scope["workflow"]["fallback"] in section_html(html, "workflow")
    assert version.scope["failure_modes"]["items"][0]["scenario"] in section_html(html, "failure_modes")


def test_the_content_shown_is_the_frozen_version_not_the_live_scope(client, sound_project, lead, reviewer):
    edit_fallback(sound_project, "Frozen text the reviewer must see.")
    submit(sound_project, lead)
    WorkflowIntegration.objects.filter(project=sound_project).update(fallback="Live text typed later.")
    client.force_login(reviewer)
    part = section_html(client.get(reverse("projects:review", args=[sound_project.pk])).content.decode(), "workflow")
    assert "Frozen text the reviewer must see." in part
    assert "Live text typed later." not in part


def test_a_consultant_sees_the_content_without_comment_boxes(client, sound_project, lead):
    submit(sound_project, lead)
    client.force_login(lead)
    html = client.get(reverse("projects:review", args=[sound_project.pk])).content.decode()
    assert "review-section-workflow" in html
    assert 'name="comment_workflow"' not in html


def test_hostile_text_in_the_version_stays_inert_on_the_review_page(client, sound_project, lead, reviewer):
    edit_fallback(sound_project, HOSTILE)
    submit(sound_project, lead)
    client.force_login(reviewer)
    html = client.get(reverse("projects:review", args=[sound_project.pk])).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section_html(html, "workflow")


# --- the diff --------------------------------------------------------------------------------------------------------


def test_only_the_changed_words_of_a_long_text_are_marked():
    before, after = marked_words(OLD_FALLBACK, NEW_FALLBACK)
    assert "and the <del>clerks code</del> them" in before
    assert "and the <ins>team lead codes</ins> them" in after
    assert before.startswith("Invoices appear uncoded, as today, and ")
    assert after.endswith("by hand from the supplier master file.")


def test_a_short_value_is_marked_whole():
    assert marked_words("Weekly", "Daily") == ("<del>Weekly</del>", "<ins>Daily</ins>")
    assert marked_words("", "Daily") == ("", "<ins>Daily</ins>")


def test_marked_words_escape_hostile_text():
    before, after = marked_words(HOSTILE + " one two three four five", HOSTILE + " one two six four five")
    for html in (before, after):
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<del>three</del>" in before and "<ins>six</ins>" in after


def test_the_review_diff_gives_both_columns_room_and_marks_changed_words(client, sound_project, lead, reviewer):
    second_version_in_review(sound_project, lead, reviewer, old=OLD_FALLBACK, new=NEW_FALLBACK)
    client.force_login(reviewer)
    html = client.get(reverse("projects:review", args=[sound_project.pk])).content.decode()
    table = re.search(r'<table[^>]*class="[^"]*diff-table.*?</table>', html, re.S).group(0)
    assert '<col class="diff-col-before">' in table and '<col class="diff-col-after">' in table
    assert "<ins>team lead codes</ins>" in table
    assert "<del>clerks code</del>" in table
    assert "<ins>" + NEW_FALLBACK not in table  # not the whole text marked


def test_the_version_diff_page_marks_changed_words_too(client, sound_project, lead, reviewer):
    second_version_in_review(sound_project, lead, reviewer, old=OLD_FALLBACK, new=NEW_FALLBACK)
    client.force_login(lead)
    url = reverse("projects:version_diff", args=[sound_project.pk]) + "?from=1&to=2"
    html = client.get(url).content.decode()
    assert "<ins>team lead codes</ins>" in html
