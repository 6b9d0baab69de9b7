"""The capability object: what each identity may do with a project, and pages that show controls exactly then."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.versioning import version_freeze
from scoping.access import CAPABILITIES, CAPABILITY_NAMES, project_access
from scoping.models import Stage
from tests.review_support import set_stage

pytestmark = pytest.mark.django_db

IDENTITIES = ("lead", "member", "reviewer", "admin", "participant")

# identity: see, edit, manage, change_team, accept_risks, view_review, review, sign
DRAFT = {
    "lead": (1, 1, 1, 1, 1, 1, 0, 1),
    "member": (1, 1, 1, 1, 1, 1, 0, 0),
    "reviewer": (1, 0, 0, 0, 0, 1, 1, 0),
    "admin": (1, 1, 1, 1, 1, 1, 1, 0),
    "participant": (1, 1, 0, 0, 0, 0, 0, 1),
}
# An archived project is read-only: nobody edits it or changes its team, the team still manages it.
ARCHIVED = {
    "lead": (1, 0, 1, 0, 0, 1, 0, 1),
    "member": (1, 0, 1, 0, 0, 1, 0, 0),
    "reviewer": (1, 0, 0, 0, 0, 1, 1, 0),
    "admin": (1, 0, 1, 0, 0, 1, 1, 0),
    "participant": (1, 0, 0, 0, 0, 0, 0, 1),
}


def capabilities(access) -> tuple[int, ...]:
    return tuple(int(getattr(access, name)) for name in CAPABILITY_NAMES)


def test_the_object_has_one_field_per_rule_in_a_fixed_order():
    assert CAPABILITY_NAMES == ("see", "edit", "manage", "change_team", "accept_risks", "view_review", "review", "sign")
    assert set(CAPABILITY_NAMES) == set(CAPABILITIES)


@pytest.mark.parametrize("identity", IDENTITIES)
def test_each_identity_gets_the_capabilities_of_its_relation_to_the_project(roles, project, identity):
    assert capabilities(project_access(roles[identity], project)) == DRAFT[identity]


@pytest.mark.parametrize("identity", IDENTITIES)
def test_an_archived_project_is_read_only_for_everyone(roles, project, identity):
    set_stage(project, Stage.ARCHIVED)
    assert capabilities(project_access(roles[identity], project)) == ARCHIVED[identity]


def test_a_stakeholder_without_can_edit_only_reads_and_a_non_signatory_cannot_sign(project, participant):
    project.participants.filter(user=participant).update(can_edit=False, is_signatory=False)
    access = project_access(participant, project)
    assert (access.see, access.edit, access.sign) == (True, False, False)
    assert access.refusal("edit").startswith("You can read this scope but not change it")


def test_the_refusal_of_an_archived_project_says_it_is_archived(project, lead):
    set_stage(project, Stage.ARCHIVED)
    assert project_access(lead, project).refusal("change_team") == "This project is archived, so it is read-only."


@pytest.mark.parametrize(("identity", "queries"), [("lead", 0), ("member", 1), ("admin", 0), ("participant", 1)])
def test_the_whole_object_costs_at_most_one_query(roles, project, identity, queries):
    user = roles[identity]
    with CaptureQueriesContext(connection) as captured:
        project_access(user, project)
    assert len(captured) == queries


# --- the pages show a control exactly when the capability allows it ------------------------------------------------


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("identity", IDENTITIES)
def test_the_project_page_shows_edit_archive_and_review_links_exactly_to_who_may(client, roles, project, identity):
    access = project_access(roles[identity], project)
    html = _page(client, roles[identity], reverse("projects:detail", args=[project.pk]))
    assert (f'href="{reverse("projects:edit", args=[project.pk])}"' in html) == access.manage
    assert (f'href="{reverse("projects:archive", args=[project.pk])}"' in html) == access.manage
    assert (f'href="{reverse("projects:review", args=[project.pk])}"' in html) == access.view_review


@pytest.mark.parametrize("identity", IDENTITIES)
def test_the_step_form_shows_exactly_to_who_may_edit(client, roles, project, identity):
    access = project_access(roles[identity], project)
    html = _page(client, roles[identity], reverse("projects:step", args=[project.pk, "production_target"]))
    assert ('id="step-form"' in html) == access.edit
    assert ('name="park-question"' in html) == access.edit  # the park form's fields


@pytest.mark.parametrize("identity", IDENTITIES)
def test_the_team_page_shows_the_invite_form_exactly_to_who_may_change_the_team(client, roles, project, identity):
    access = project_access(roles[identity], project)
    html = _page(client, roles[identity], reverse("projects:team", args=[project.pk]))
    assert ('name="action" value="invite"' in html) == access.change_team


@pytest.mark.parametrize("identity", IDENTITIES)
def test_the_review_button_shows_exactly_to_who_may_review(client, roles, project, lead, identity):
    version = version_freeze(project=project, actor=lead)
    set_stage(project, Stage.IN_REVIEW)
    access = project_access(roles[identity], project)
    html = _page(client, roles[identity], reverse("projects:detail", args=[project.pk]))
    assert (f">Review {version.label}</a>" in html) == access.review


@pytest.mark.parametrize("identity", IDENTITIES)
def test_the_sign_form_shows_exactly_to_who_may_sign(client, roles, project, lead, identity):
    version = version_freeze(project=project, actor=lead)
    set_stage(project, Stage.AWAITING_SIGNOFF)
    access = project_access(roles[identity], project)
    html = _page(client, roles[identity], reverse("projects:signoff", args=[project.pk]))
    assert (f'type="submit" class="btn btn-primary">Sign {version.label}</button>' in html) == access.sign
