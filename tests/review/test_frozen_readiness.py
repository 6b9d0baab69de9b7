"""A frozen version keeps the readiness it was frozen with; today's rules are shown apart, never merged in."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from django.urls import reverse

from documents.models import DocumentKind, ScopeDocument
from documents.print_context import build_document_context
from documents.render_job import document_meta
from documents.versioning import scope_fingerprint
from scoping.live_scope import export_scope
from scoping.models import ScopeVersion, Stage
from scoping.review.selectors import version_readiness, version_rejudged
from scoping.scope.readiness import Readiness, evaluate
from tests.review_support import set_stage, submit

pytestmark = pytest.mark.django_db

# What the rules of an older release said about a version: one warning, nothing else.
OLD_RESULT = {
    "score": 8,
    "out_of": 8,
    "gates": {},
    "findings": [
        {
            "code": "data_path.source_access_blocked",
            "severity": "warning",
            "section": "data_path",
            "field": "sources",
            "message": "Access to 'Vendor master and chart of accounts' is blocked (judged by the old rules).",
        }
    ],
}


def frozen_with_old_rules(project, lead, *, stored: dict = OLD_RESULT) -> ScopeVersion:
    """A version in review whose scope today's rules block (a production source is blocked), stored with the result
    an older release gave it. Versions are immutable rows, so it is inserted as the freeze would have written it."""
    scope = copy.deepcopy(export_scope(project))
    scope["data_path"]["sources"][1]["access_status"] = "blocked"
    canonical, digest = scope_fingerprint(scope)
    version = ScopeVersion.objects.create(
        project=project,
        number=1,
        canonical_json=canonical,
        scope=json.loads(canonical),
        sha256=digest,
        readiness=stored,
        frozen_by=lead,
        frozen_by_name=lead.display_name,
    )
    set_stage(project, Stage.IN_REVIEW)
    return version


def test_readiness_round_trips_through_its_json():
    scope = {"production_target": {"workflow_name": ""}}
    judged = evaluate(scope, today=date(2027, 1, 1))

    again = Readiness.from_json(judged.as_json())

    assert again == judged
    assert again.score == judged.score


@pytest.mark.parametrize("stored", [None, {}, [], "x", {"findings": "none"}, {"score": 8}])
def test_nothing_usable_stored_reads_as_none(stored):
    assert Readiness.from_json(stored) is None


def test_stored_findings_with_an_unknown_section_or_severity_are_dropped_not_guessed():
    stored = {
        "findings": [
            {"code": "x.y", "severity": "fatal", "section": "data_path", "field": "", "message": "?"},
            {"code": "x.y", "severity": "blocker", "section": "budget", "field": "", "message": "?"},
            "not a row",
            {"code": "security.no_audit_trail", "severity": "blocker", "section": "security", "message": "m"},
        ]
    }

    result = Readiness.from_json(stored)

    assert [finding.code for finding in result.findings] == ["security.no_audit_trail"]
    assert result.gate("security") == "blocked"


def test_a_frozen_version_keeps_the_result_it_was_frozen_with(sound_project, lead):
    version = frozen_with_old_rules(sound_project, lead)

    kept = version_readiness(version)
    rejudged = version_rejudged(version)

    assert kept.score == 8
    assert [finding.code for finding in kept.findings] == ["data_path.source_access_blocked"]
    assert "data_path.production_source_blocked" in [finding.code for finding in rejudged.blockers]


def test_the_review_page_shows_the_kept_result_and_today_s_rules_apart(client, sound_project, lead, reviewer):
    frozen_with_old_rules(sound_project, lead)
    client.force_login(reviewer)

    html = client.get(reverse("projects:review", args=[sound_project.pk])).content.decode()

    assert "<strong>8 of 8</strong> gates clear" in html
    assert "judged by the old rules" in html
    panel = html[html.index("data-newer-rules") :]
    panel = panel[: panel.index("</details>")]
    assert "Today's readiness rules find 1 more gap in this version" in panel
    assert "feeds production, and access to it is blocked" in panel


def test_the_pdf_prints_the_result_the_version_was_frozen_with(sound_project, lead):
    version = frozen_with_old_rules(sound_project, lead)
    document = ScopeDocument(version=version, kind=DocumentKind.PROPOSAL)

    meta = document_meta(document)
    context = build_document_context(snapshot=version.scope, meta=meta)

    data_path = next(section for section in context["sections"] if section["key"] == "data_path")
    assert meta.readiness.score == 8
    assert data_path["gate"] != "blocked"
    assert "judged by the old rules" in str(data_path)


def test_a_version_stored_with_no_result_is_judged_as_on_its_freeze_day(sound_project, lead):
    version = frozen_with_old_rules(sound_project, lead, stored={})

    assert "data_path.production_source_blocked" in [finding.code for finding in version_readiness(version).blockers]


def test_no_today_s_rules_panel_when_the_rules_agree(client, sound_project, lead, reviewer):
    submit(sound_project, lead)
    client.force_login(reviewer)

    html = client.get(reverse("projects:review", args=[sound_project.pk])).content.decode()

    assert "data-newer-rules" not in html
    assert "keeps that result when the rules change" in html
