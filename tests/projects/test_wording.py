"""The words people read: articles, readiness sentences, help texts, times, stage messages, rule codes, versions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.print_context import DocumentMeta
from documents.rendering import render_scope_html
from scoping.models import DiscoveryProject
from scoping.review import stages, submission
from scoping.scope.readiness import CODE_TITLES, CODES, evaluate
from scoping.steps.forms import indefinite_article
from scoping.templatetags.time_tags import ago, elapsed
from tests.factories import UserFactory
from tests.review_support import example_scope, import_project, submit

pytestmark = pytest.mark.django_db

CODE_PATTERN = re.compile("|".join(re.escape(code) for code in CODES))
DETAILS = re.compile(r"<details[^>]*>.*?</details>", re.S)


def one_blocker_scope() -> dict:
    scope = example_scope()
    scope["workflow"]["output_destination"] = ""
    return scope


def visible_outside_details(html: str) -> str:
    return DETAILS.sub("", html)


# --- a / an ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "noun,article",
    [
        ("acceptance criterion", "an"),
        ("access role", "an"),
        ("open question", "an"),
        ("failure mode", "a"),
        ("data source", "a"),
        ("success metric", "a"),
        ("responsibility", "a"),
        ("user group", "a"),
        ("hour", "an"),
    ],
)
def test_the_article_fits_the_noun(noun, article):
    assert indefinite_article(noun) == article


@pytest.mark.parametrize(
    "step,label",
    [
        ("first_slice", "Add an acceptance criterion"),
        ("security", "Add an access role"),
        ("failure_modes", "Add a failure mode"),
    ],
)
def test_the_add_row_buttons_say_a_or_an(client, lead, project, step, label):
    client.force_login(lead)
    html = client.get(reverse("projects:step", args=[project.pk, step])).content.decode()
    assert label in html
    assert not re.search(r"Add a [aeiou]", html)


# --- readiness sentences ---------------------------------------------------------------------------------------------


def severe_mode(**fields) -> dict:
    scope = example_scope()
    scope["failure_modes"]["items"][0].update(impact="high", **fields)
    return scope


def severe_message(scope: dict) -> str:
    readiness = evaluate(scope, today=datetime(2026, 1, 5, tzinfo=UTC).date())
    [finding] = [f for f in readiness.findings if f.code == "failure_modes.severe_mode_unhandled"]
    return finding.message


def test_a_severe_failure_mode_with_neither_detection_nor_handling_reads_as_a_sentence():
    scope = severe_mode(detection="", handling="")
    name = scope["failure_modes"]["items"][0]["scenario"]
    assert severe_message(scope) == (
        f"'{name}' has high impact but does not say how it is detected or how it is handled. "
        "A severe failure needs both before anyone depends on the system."
    )


def test_a_severe_failure_mode_missing_only_its_handling_says_just_that():
    scope = severe_mode(handling="")
    assert "has high impact but does not say how it is handled. " in severe_message(scope)
    assert " no how " not in severe_message(scope)


def test_every_rule_code_has_a_plain_title():
    assert set(CODE_TITLES) == set(CODES)
    for title in CODE_TITLES.values():
        assert title[0].isupper() and "_" not in title and not title.endswith(".")


# --- help text, times, stage messages --------------------------------------------------------------------------------


def test_the_regimes_help_text_is_for_people(client, lead, project):
    client.force_login(lead)
    html = client.get(reverse("projects:step", args=[project.pk, "security"])).content.decode()
    assert "regimes choices" not in html
    assert "Regulations and standards this system must meet, e.g. GDPR, SOC 2. Tick every one that applies." in html


def test_a_moment_ago_reads_just_now():
    now = timezone.now()
    assert ago(now - timedelta(seconds=20), now) == "just now"
    assert ago(now - timedelta(minutes=5), now) == "5\xa0minutes ago"
    assert elapsed(now - timedelta(seconds=5), now) == "less than a minute"
    assert elapsed(now - timedelta(hours=2), now) == "2\xa0hours"


def test_the_project_list_says_just_now_for_a_fresh_project(client, lead, project):
    client.force_login(lead)
    html = client.get(reverse("projects:list")).content.decode()
    assert "just now" in html
    assert "0 minutes" not in html


def test_a_refused_move_does_not_repeat_the_stage():
    with pytest.raises(stages.WorkflowError) as refused:
        stages.stage_check("approved", "in_review")
    assert refused.value.message == (
        "This scope is approved, so it cannot be submitted for review. The next step is to request sign-off."
    )


# --- rule codes: sentences for everyone, codes for the consultancy in a detail ----------------------------------------


@pytest.fixture
def risky_project(lead) -> DiscoveryProject:
    project = import_project(lead, scope=one_blocker_scope())
    client_user = UserFactory(username="carla", role="client", client=project.client)
    project.participants.create(user=client_user, role_title="Finance lead")
    return project


def test_the_risks_page_shows_a_client_the_sentence_and_no_rule_code(client, risky_project):
    client.force_login(risky_project.participants.get().user)
    html = client.get(reverse("projects:risks", args=[risky_project.pk])).content.decode()
    assert CODE_TITLES["workflow.no_output_destination"] in html
    assert not CODE_PATTERN.search(html)


def test_the_risks_page_keeps_the_rule_code_for_staff_in_a_detail(client, lead, risky_project):
    client.force_login(lead)
    html = client.get(reverse("projects:risks", args=[risky_project.pk])).content.decode()
    assert CODE_TITLES["workflow.no_output_destination"] in html
    assert "workflow.no_output_destination" in html
    assert not CODE_PATTERN.search(visible_outside_details(html).replace('value="workflow.no_output_destination"', ""))


def test_an_accepted_risk_reads_as_a_sentence_on_the_submit_review_and_overview_pages(
    client, lead, reviewer, risky_project
):
    submission.risk_accept(
        project=risky_project,
        actor=lead,
        code="workflow.no_output_destination",
        reason="The ERP target screen is chosen in the first pilot week.",
    )
    client.force_login(lead)
    html = client.get(reverse("projects:submit", args=[risky_project.pk])).content.decode()
    assert CODE_TITLES["workflow.no_output_destination"] in html
    assert not CODE_PATTERN.search(visible_outside_details(html))

    submit(risky_project, lead)
    client.force_login(reviewer)
    html = client.get(reverse("projects:review", args=[risky_project.pk])).content.decode()
    assert CODE_TITLES["workflow.no_output_destination"] in html
    assert not CODE_PATTERN.search(visible_outside_details(html))

    client.force_login(risky_project.participants.get().user)
    html = client.get(risky_project.get_absolute_url()).content.decode()
    assert not CODE_PATTERN.search(html)


# --- versions in plain words -----------------------------------------------------------------------------------------


def test_the_pdf_cover_says_who_saved_the_version_and_gives_a_version_check_code():
    # The internal (draft) document; the client's proposal keeps who saved it and the check code for the annex
    # and the file's metadata (tests/documents/test_proposal_pdf.py).
    frozen_at = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    meta = DocumentMeta(
        kind="draft",
        version_number=3,
        version_sha256="ab" * 32,
        frozen_at=frozen_at,
        frozen_by="Lena Lead",
        status_label="Draft",
        generated_at=frozen_at,
    )
    html = render_scope_html(snapshot=example_scope(), meta=meta)
    assert "Saved as version 3 by Lena Lead on 2 December 2026" in html
    assert "Version check code" in html
    assert "Frozen by" not in html
    assert "first 12 characters" not in html


def test_the_version_pages_say_saved_and_version_check_code(client, lead):
    project = import_project(lead)
    version = submit(project, lead)
    client.force_login(lead)
    listing = client.get(reverse("projects:versions", args=[project.pk])).content.decode()
    assert "Version check code" in listing and ">Frozen<" not in listing and ">Fingerprint<" not in listing
    detail = client.get(reverse("projects:version_detail", args=[project.pk, version.number])).content.decode()
    assert "Saved as version 1 by Lena Lead on " in detail


def test_the_pages_a_client_reads_about_versions_say_saved_not_frozen(client, sound_project, lead):
    # "Frozen" is the team's word; a client reads that a version was saved, with its check code.
    risky_project = sound_project
    version = submit(risky_project, lead)
    client_user = UserFactory(username="carla", role="client", client=risky_project.client)
    risky_project.participants.create(user=client_user, role_title="Finance lead")
    client.force_login(client_user)
    for url in (
        risky_project.get_absolute_url(),
        reverse("projects:documents", args=[risky_project.pk]),
        reverse("projects:versions", args=[risky_project.pk]),
        reverse("projects:version_detail", args=[risky_project.pk, version.number]),
    ):
        html = client.get(url).content.decode()
        assert "frozen" not in html.lower(), url
    overview = " ".join(client.get(risky_project.get_absolute_url()).content.decode().split())
    assert f'check code <span class="font-monospace small">{version.short_hash}</span>' in overview
