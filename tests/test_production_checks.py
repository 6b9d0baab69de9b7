"""Production refuses to start with DEBUG on, the development certificate or a demo password (config/checks.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

from documents.certificates import DEVELOPMENT_CERTIFICATE_ORGANISATION, make_self_signed_pkcs12
from tests.factories import UserFactory
from tests.test_settings import PRODUCTION

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "firstslice-demo"


def _ids(*, deploy: bool = False) -> set[str]:
    """Ids of the check messages; the deployment checks read the database, so only tests with it ask for them."""
    return {message.id for message in run_checks(include_deployment_checks=deploy)}


def _write_certificate(path: Path, *, organisation: str, password: str) -> Path:
    path.write_bytes(
        make_self_signed_pkcs12(common_name="Signer", organisation=organisation, password=password.encode())
    )
    return path


@pytest.fixture
def production(settings, tmp_path):
    """DEBUG off with a proper (non-development) signing certificate: no refusal."""
    settings.DEBUG = False
    settings.FIRSTSLICE_ALLOW_DEV_CERTIFICATE = False
    settings.FIRSTSLICE_ALLOW_DEMO_PASSWORDS = False
    settings.SIGNING_PKCS12_PASSWORD = "production-pass"
    settings.SIGNING_PKCS12_PATH = str(
        _write_certificate(tmp_path / "real.p12", organisation="Acme Consulting", password="production-pass")
    )
    return settings


@pytest.fixture
def development_certificate(tmp_path) -> Path:
    """A PKCS#12 file of the development certificate (its organisation is what marks it), with the real password."""
    return _write_certificate(
        tmp_path / "dev.p12", organisation=DEVELOPMENT_CERTIFICATE_ORGANISATION, password="production-pass"
    )


@pytest.mark.django_db
def test_a_production_certificate_and_no_demo_password_start_cleanly(production):
    UserFactory(username="admin", password="a-real-password-1", is_superuser=True)
    assert not {id_ for id_ in _ids(deploy=True) if id_.startswith("firstslice.")}


def test_the_development_certificate_refuses_to_start(production, development_certificate):
    production.SIGNING_PKCS12_PATH = str(development_certificate)
    assert "firstslice.E002" in _ids()


def test_the_development_certificate_is_allowed_by_an_explicit_setting(production, development_certificate):
    production.SIGNING_PKCS12_PATH = str(development_certificate)
    production.FIRSTSLICE_ALLOW_DEV_CERTIFICATE = True
    assert "firstslice.E002" not in _ids()


def test_the_development_certificate_is_fine_in_debug(production, development_certificate):
    production.SIGNING_PKCS12_PATH = str(development_certificate)
    production.DEBUG = True
    assert "firstslice.E002" not in _ids()


def test_an_unreadable_certificate_is_a_warning(production, tmp_path):
    production.SIGNING_PKCS12_PATH = str(tmp_path / "missing.p12")
    assert "firstslice.W001" in _ids()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "priya"])
def test_a_demo_password_refuses_to_start(production, username):
    UserFactory(username=username, password=DEMO_PASSWORD)
    messages = [m for m in run_checks(include_deployment_checks=True) if m.id == "firstslice.E003"]
    assert len(messages) == 1
    assert username in messages[0].msg


@pytest.mark.django_db
def test_a_superuser_with_the_demo_password_refuses_to_start(production):
    UserFactory(username="root", password=DEMO_PASSWORD, is_superuser=True, is_staff=True)
    assert "firstslice.E003" in _ids(deploy=True)


@pytest.mark.django_db
def test_an_inactive_demo_account_or_a_changed_password_does_not_refuse(production):
    UserFactory(username="admin", password=DEMO_PASSWORD, is_active=False)
    UserFactory(username="consultant", password="changed-after-the-demo")
    assert "firstslice.E003" not in _ids(deploy=True)


@pytest.mark.django_db
def test_demo_passwords_are_allowed_by_an_explicit_setting(production):
    UserFactory(username="admin", password=DEMO_PASSWORD)
    production.FIRSTSLICE_ALLOW_DEMO_PASSWORDS = True
    assert "firstslice.E003" not in _ids(deploy=True)


@pytest.mark.django_db
def test_the_demo_password_check_is_a_deployment_check(production):
    UserFactory(username="admin", password=DEMO_PASSWORD)
    assert "firstslice.E003" not in {message.id for message in run_checks()}


def test_debug_in_an_environment_marked_production_refuses_to_start(settings):
    settings.DEBUG = True
    settings.FIRSTSLICE_ENVIRONMENT = "production"
    assert "firstslice.E001" in _ids()
    settings.FIRSTSLICE_ENVIRONMENT = ""
    assert "firstslice.E001" not in _ids()


# --- The command the entrypoint runs, end to end in a subprocess ----------------------------------------------------


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        full_env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


START_CHECK = ("check", "--deploy", "--fail-level", "ERROR")


def test_start_up_check_refuses_the_development_certificate_and_the_override_lets_it_start(development_certificate):
    env = {
        **PRODUCTION,
        "SQLITE_PATH": ":memory:",
        "SIGNING_PKCS12_PATH": str(development_certificate),
        "SIGNING_PKCS12_PASSWORD": "production-pass",
    }
    refused = _manage(*START_CHECK, **env)
    assert refused.returncode != 0
    assert "firstslice.E002" in refused.stderr
    assert "development certificate" in refused.stderr
    allowed = _manage(*START_CHECK, **env, FIRSTSLICE_ALLOW_DEV_CERTIFICATE="true")
    assert allowed.returncode == 0, allowed.stderr


def test_start_up_check_refuses_the_demo_password_and_the_override_lets_it_start(tmp_path):
    certificate = _write_certificate(tmp_path / "real.p12", organisation="Acme Consulting", password="production-pass")
    database = {"SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    assert _manage("migrate", "-v0", **database).returncode == 0
    create = "from accounts.models import User; User.objects.create_user('admin', password='firstslice-demo')"
    assert _manage("shell", "-c", create, **database).returncode == 0
    env = {
        **PRODUCTION,
        **database,
        "SIGNING_PKCS12_PATH": str(certificate),
        "SIGNING_PKCS12_PASSWORD": "production-pass",
    }
    refused = _manage(*START_CHECK, **env)
    assert refused.returncode != 0
    assert "firstslice.E003" in refused.stderr
    assert "admin" in refused.stderr
    allowed = _manage(*START_CHECK, **env, FIRSTSLICE_ALLOW_DEMO_PASSWORDS="true")
    assert allowed.returncode == 0, allowed.stderr


def test_start_up_check_refuses_debug_in_production():
    refused = _manage(*START_CHECK, SQLITE_PATH=":memory:", DJANGO_DEBUG="true", FIRSTSLICE_ENVIRONMENT="production")
    assert refused.returncode != 0
    assert "firstslice.E001" in refused.stderr


def test_the_entrypoint_runs_the_start_up_checks_before_the_web_server(development_certificate):
    # gunicorn runs no system checks; scripts/entrypoint must, or production would start with the development key.
    env = {**os.environ, **PRODUCTION, "SQLITE_PATH": ":memory:", "SIGNING_PKCS12_PATH": str(development_certificate)}
    env.update({"SIGNING_PKCS12_PASSWORD": "production-pass", "PYTHON": sys.executable, "WEB_BIND": "127.0.0.1:1"})
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    refused = subprocess.run(
        ["bash", "scripts/entrypoint", "web"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 1
    assert "firstslice.E002" in refused.stderr
    assert "Booting worker" not in refused.stderr + refused.stdout  # gunicorn never started
