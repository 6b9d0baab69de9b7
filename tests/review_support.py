"""Fixtures and helpers shared by the review, sign-off and verify tests.

The fixtures themselves (``sound_project``, ``signing_certificate``, ``second_reviewer``) are in tests/conftest.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from scoping.models import DiscoveryProject, ScopeVersion, SigningCode, Stage
from scoping.projects.scope_io import import_scope
from scoping.review import decisions, identity, selectors, signatures, submission
from scoping.scope.schema import as_v2, validate_scope

EXAMPLE = Path(__file__).parent / "fixtures" / "invoice-coding.json"
ENGAGEMENT = Path(__file__).parent.parent / "scoping" / "demo_data" / "engagement.json"
CERTIFICATE_PASSWORD = "review-tests-password"


def example_scope() -> dict:
    return json.loads(EXAMPLE.read_text())


def with_engagement(scope: dict) -> dict:
    """The scope as /2, with the demo engagement when it has none: sign-off needs a complete proposal."""
    upgraded = as_v2(validate_scope(copy.deepcopy(scope)))
    if not upgraded["engagement"]["pricing"]:
        upgraded["engagement"] = json.loads(ENGAGEMENT.read_text())
    return upgraded


def import_project(user, *, scope: dict | None = None, client_name: str | None = None) -> DiscoveryProject:
    """The example (or the given) scope as a draft project, with the demo engagement so it can be signed."""
    return import_scope(data=with_engagement(scope or example_scope()), client_name=client_name, user=user)


def set_stage(project: DiscoveryProject, stage: str) -> DiscoveryProject:
    """Put a project straight into a stage, for tests of what each stage allows."""
    DiscoveryProject.objects.filter(pk=project.pk).update(stage=stage)
    project.refresh_from_db()
    return project


def client_signatory(project: DiscoveryProject):
    return project.participants.get(user__username="priya").user


def submit(project: DiscoveryProject, actor) -> ScopeVersion:
    return submission.scope_submit(project=project, actor=actor)


def approve(project: DiscoveryProject, reviewer) -> ScopeVersion:
    version = selectors.latest_version(project)
    decisions.review_record(project=project, version=version, actor=reviewer, decision="approve")
    return version


def to_awaiting_signoff(project: DiscoveryProject, lead, reviewer) -> ScopeVersion:
    submit(project, lead)
    version = approve(project, reviewer)
    signatures.signoff_request(project=project, actor=lead)
    project.refresh_from_db()
    assert project.stage == Stage.AWAITING_SIGNOFF
    return version


def send_code(project: DiscoveryProject, user) -> str:
    """E-mail ``user`` a signing code and return it, as the signatory would read it from the e-mail."""
    _row, code = identity.signing_code_send(project=project, actor=user)
    return code


def sign(project: DiscoveryProject, user, version: ScopeVersion, **extra):
    """Sign as ``user``; a client signatory first confirms an e-mailed code, as the sign-off page makes them."""
    confirmed = SigningCode.objects.filter(user=user, verified_at__isnull=False, used_at__isnull=True).exists()
    if extra.pop("with_code", True) and getattr(user, "role", "") == "client" and not confirmed:
        identity.signing_code_confirm(project=project, actor=user, code=send_code(project, user))
    return signatures.signoff_record(
        project=project,
        version=version,
        actor=user,
        typed_name=extra.pop("typed_name", user.get_full_name()),
        consent=extra.pop("consent", True),
        **extra,
    )
