"""Fixtures and helpers shared by the review, sign-off and verify tests.

Import the fixtures you use into a test module (``from tests.review_support import sound_project_fixture``); pytest
registers them under their ``name`` (``sound_project``), and the parameter does not shadow the imported name.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from reports.signing import make_self_signed_pkcs12
from scoping import workflow
from scoping.models import DiscoveryProject, ScopeVersion, Stage
from scoping.scope_io import import_scope

from .factories import ParticipantFactory, UserFactory

EXAMPLE = Path(__file__).parent / "fixtures" / "invoice-coding.json"
CERTIFICATE_PASSWORD = "review-tests-password"


def example_scope() -> dict:
    return json.loads(EXAMPLE.read_text())


def import_project(user, *, scope: dict | None = None, client_name: str | None = None) -> DiscoveryProject:
    return import_scope(data=copy.deepcopy(scope or example_scope()), client_name=client_name, user=user)


def set_stage(project: DiscoveryProject, stage: str) -> DiscoveryProject:
    """Put a project straight into a stage, for tests of what each stage allows."""
    DiscoveryProject.objects.filter(pk=project.pk).update(stage=stage)
    project.refresh_from_db()
    return project


@pytest.fixture(scope="session", name="dev_pkcs12_file")
def dev_pkcs12_file_fixture(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("signing") / "dev-signing.p12"
    path.write_bytes(
        make_self_signed_pkcs12(
            common_name="Firstslice test signing",
            organisation="Firstslice (tests)",
            password=CERTIFICATE_PASSWORD.encode(),
        )
    )
    return path


@pytest.fixture(name="signing_certificate")
def signing_certificate_fixture(settings, dev_pkcs12_file) -> Path:
    """Point the installation at a freshly made development certificate."""
    settings.SIGNING_PKCS12_PATH = str(dev_pkcs12_file)
    settings.SIGNING_PKCS12_PASSWORD = CERTIFICATE_PASSWORD
    return dev_pkcs12_file


@pytest.fixture(name="sound_project")
def sound_project_fixture(lead) -> DiscoveryProject:
    """The worked example (zero blockers), led by ``lead``, with one client signatory."""
    project = import_project(lead)
    ParticipantFactory(
        project=project,
        user=UserFactory(username="priya", role="client", client=project.client, first_name="Priya", last_name="Raman"),
        role_title="Finance Director",
        is_signatory=True,
    )
    return project


@pytest.fixture(name="second_reviewer")
def second_reviewer_fixture(db):
    return UserFactory(username="rhea", role="reviewer", first_name="Rhea", last_name="Reviewer")


def client_signatory(project: DiscoveryProject):
    return project.participants.get(user__username="priya").user


def submit(project: DiscoveryProject, actor) -> ScopeVersion:
    return workflow.scope_submit(project=project, actor=actor)


def approve(project: DiscoveryProject, reviewer) -> ScopeVersion:
    version = workflow.latest_version(project)
    workflow.review_record(project=project, version=version, actor=reviewer, decision="approve")
    return version


def to_awaiting_signoff(project: DiscoveryProject, lead, reviewer) -> ScopeVersion:
    submit(project, lead)
    version = approve(project, reviewer)
    workflow.signoff_request(project=project, actor=lead)
    project.refresh_from_db()
    assert project.stage == Stage.AWAITING_SIGNOFF
    return version


def sign(project: DiscoveryProject, user, version: ScopeVersion, **extra):
    return workflow.signoff_record(
        project=project,
        version=version,
        actor=user,
        typed_name=extra.pop("typed_name", user.get_full_name()),
        consent=extra.pop("consent", True),
        **extra,
    )
