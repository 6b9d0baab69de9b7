"""Shared fixtures: one user per role around one project (the access matrix), the worked example ready for review
and sign-off, a signing certificate, and the real Celery worker of the job tests."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations as PostgreSQLOperations

from documents.certificates import make_self_signed_pkcs12
from scoping.models import DiscoveryProject
from tests.documents.job_fixtures import flush_broker_db, write_signing_certificate
from tests.documents.worker_harness import WorkerProcess, unique_queue, worker_env
from tests.factories import MemberFactory, ParticipantFactory, ProjectFactory, UserFactory
from tests.realtime.asgi_server import start_asgi_server
from tests.review_support import CERTIFICATE_PASSWORD, import_project

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


# --- review, sign-off and verify -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dev_pkcs12_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("signing") / "dev-signing.p12"
    path.write_bytes(
        make_self_signed_pkcs12(
            common_name="Firstslice test signing",
            organisation="Firstslice (tests)",
            password=CERTIFICATE_PASSWORD.encode(),
        )
    )
    return path


@pytest.fixture
def signing_certificate(settings, dev_pkcs12_file) -> Path:
    """Point the installation at a freshly made development certificate."""
    settings.SIGNING_PKCS12_PATH = str(dev_pkcs12_file)
    settings.SIGNING_PKCS12_PASSWORD = CERTIFICATE_PASSWORD
    return dev_pkcs12_file


@pytest.fixture
def sound_project(lead) -> DiscoveryProject:
    """The worked example (zero blockers), led by ``lead``, with one client signatory."""
    project = import_project(lead)
    ParticipantFactory(
        project=project,
        user=UserFactory(username="priya", role="client", client=project.client, first_name="Priya", last_name="Raman"),
        role_title="Finance Director",
        is_signatory=True,
    )
    return project


@pytest.fixture
def second_reviewer(db):
    return UserFactory(username="rhea", role="reviewer", first_name="Rhea", last_name="Reviewer")


# --- documents made by a real worker (tests/reports, tests/browser/test_documents.py) -----------------------------


@pytest.fixture(scope="module")
def job_space(django_db_setup, tmp_path_factory):
    """Media directory, signing certificate and test database name shared with the module's workers."""
    root = tmp_path_factory.mktemp("documents")
    media = root / "media"
    media.mkdir()
    flush_broker_db()
    return SimpleNamespace(
        root=root,
        media=media,
        signing=write_signing_certificate(root / "signing.p12"),
        database=connection.settings_dict["NAME"],
        queue=unique_queue(),
    )


@pytest.fixture(scope="module")
def job_worker(job_space):
    """One real worker for the whole module, on the module's queue."""
    queue = job_space.queue
    env = worker_env(database_name=job_space.database, media_root=job_space.media, signing_path=job_space.signing)
    worker = WorkerProcess(queue=queue, env=env, log_path=job_space.root / f"{queue}.log").start()
    yield worker
    worker.stop()


@pytest.fixture
def job_settings(settings, job_space):
    """Point the test process at the same media directory, certificate and queue as the module's worker."""
    settings.DOCUMENT_QUEUE = job_space.queue
    settings.MEDIA_ROOT = str(job_space.media)
    settings.SIGNING_PKCS12_PATH = str(job_space.signing)
    return settings


# --- the real ASGI server: pages, static files and WebSockets (tests/realtime, live browser tests) ----------------


@pytest.fixture(scope="session")
def _asgi_server(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        server = start_asgi_server()
    yield server
    server.stop()


@pytest.fixture
def asgi_live_server(_asgi_server, transactional_db):
    """uvicorn serving ``config.asgi.application`` (one per test session, in a thread) on the test database.

    ``.url`` (http://127.0.0.1:<port>) and ``.ws_url``; the database is transactional, as with ``live_server``: what a
    test writes is committed, so the server's threads see it, and it is emptied after the test.
    """
    _presence_forget()
    return _asgi_server


def _presence_forget() -> None:
    """Drop presence entries left in Redis by an earlier test run: project ids start at 1 in every new test
    database, so a crashed run's entries would otherwise show people who are not there (until they expire)."""
    import redis
    from django.conf import settings

    from scoping.realtime.presence import presence_key

    if not settings.REDIS_URL:
        return
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=presence_key("*")))  # type: ignore[arg-type]
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def new_live_page(browser, asgi_live_server):
    """``new_page`` (axe-core audit, CSP and JS errors fail the test) on the ASGI server, so pages have their socket.

    Needs the ``browser`` fixture of tests/browser/conftest.py: use it from tests/browser/, or import ``browser``
    into the conftest of your test folder (tests/realtime/conftest.py does).
    """
    from tests.browser.conftest import page_factory

    with page_factory(browser, asgi_live_server.url) as make:
        yield make
