"""Production settings: check --deploy is clean, and bad or missing values fail loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-for-the-settings-test-0123456789",
    "DJANGO_ALLOWED_HOSTS": "scopes.example.com",
    "SIGNING_PKCS12_PASSWORD": "not-the-dev-password",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    full_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest, never in deployment
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    from documents.certificates import make_self_signed_pkcs12

    certificate = tmp_path / "signing.p12"
    password = PRODUCTION["SIGNING_PKCS12_PASSWORD"].encode()
    certificate.write_bytes(make_self_signed_pkcs12(common_name="Acme", organisation="Acme", password=password))
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, SIGNING_PKCS12_PATH=str(certificate))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_a_boolean_typo_fails_loudly_instead_of_flipping_debug():
    result = manage("check", DJANGO_DEBUG="flase")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='flase' is not a boolean" in result.stderr


def test_documents_go_to_s3_compatible_storage_when_a_bucket_is_configured():
    code = (
        "import django; django.setup(); "
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "AWS_STORAGE_BUCKET_NAME": "scopes",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["S3Storage", "scopes", "http://127.0.0.1:9000"]
