"""Shared fixtures: one user per role around one project, as the access matrix needs them."""

from __future__ import annotations

import os

import pytest
from django.db.backends.postgresql.operations import DatabaseOperations as PostgreSQLOperations

from .factories import MemberFactory, ParticipantFactory, ProjectFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses that without this flag.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_postgresql_sql_flush = PostgreSQLOperations.sql_flush


def _sql_flush_past_the_truncate_triggers(self, style, tables, **kwargs):
    """Let the test runner empty the database between transactional tests.

    The append-only tables refuse TRUNCATE (scoping migration 0007), and Django flushes with TRUNCATE. Only a
    superuser may switch triggers off for its own transaction (the test database's owner is one; the app's role
    must not be), so the flush does that, and nothing else does.
    """
    statements = _postgresql_sql_flush(self, style, tables, **kwargs)
    return ["SET LOCAL session_replication_role = replica;", *statements] if statements else statements


PostgreSQLOperations.sql_flush = _sql_flush_past_the_truncate_triggers


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _development_certificate_allowed(settings):
    # pytest-django runs with DEBUG off, so after `make demo` has written var/dev-signing.p12 every management command
    # run in a test would be refused by firstslice.E002. tests/test_production_checks.py turns this back off.
    settings.FIRSTSLICE_ALLOW_DEV_CERTIFICATE = True


@pytest.fixture
def lead(db):
    return UserFactory(username="lead", role="consultant", first_name="Lena", last_name="Lead")


@pytest.fixture
def project(lead):
    return ProjectFactory(lead_consultant=lead, name="Invoice coding")


@pytest.fixture
def member(project):
    return MemberFactory(project=project, user=UserFactory(username="member", role="consultant")).user


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider", role="consultant")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", role="reviewer")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def participant(project):
    return ParticipantFactory(project=project).user


@pytest.fixture
def other_client_user(db):
    other = ProjectFactory(name="Someone else's project")
    return ParticipantFactory(project=other).user


@pytest.fixture
def roles(lead, member, outsider, reviewer, admin_user, participant, other_client_user):
    return {
        "anonymous": None,
        "lead": lead,
        "member": member,
        "outsider": outsider,
        "reviewer": reviewer,
        "admin": admin_user,
        "participant": participant,
        "other_client": other_client_user,
    }


@pytest.fixture(autouse=True)
def _email_jobs_inline(request, monkeypatch):
    """E-mail jobs run in the test process when published (after commit): most tests have no worker.

    The job makes one attempt (``accounts.services.email_deliver``) and records it, exactly as the worker's first
    attempt would; retries are tested on the task itself. Tests marked ``worker`` publish to a real worker instead.
    """
    if request.node.get_closest_marker("worker"):
        return
    from accounts import services as account_services

    def deliver_inline(email_id: int) -> None:
        try:
            account_services.email_deliver(email_id=email_id, final=True)
        except account_services.DeliveryFailed:
            pass  # recorded on the row, as the worker would

    monkeypatch.setattr(account_services, "_publish", deliver_inline)
