"""Production refuses to start with development secrets (Django system checks, ``firstslice.E00x``).

E001 and E002 run whenever a command runs system checks (``check``, ``migrate``, ``runserver``); E003 reads the
database, so it is a deployment check: it runs on ``manage.py check --deploy``. Gunicorn and Celery run no checks,
so the container entrypoint calls ``manage.py check --deploy --fail-level ERROR`` before it starts a service, and a
refusal stops the service with the message below. Each refusal names the setting
that overrides it, for the rare deployment that really wants to (a staging copy, say).

- ``firstslice.E001``: DEBUG is on in an environment marked ``FIRSTSLICE_ENVIRONMENT=production``.
- ``firstslice.E002``: DEBUG is off and the signing certificate is the development one ``make_dev_certificate``
  writes (override: ``FIRSTSLICE_ALLOW_DEV_CERTIFICATE=true``).
- ``firstslice.E003``: DEBUG is off and a demo account (or any superuser) still has the demo password
  ``firstslice-demo`` (override: ``FIRSTSLICE_ALLOW_DEMO_PASSWORDS=true``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Warning, register
from django.db import DatabaseError
from django.db.models import Q

from documents.certificates import certificate_from_pkcs12, is_development_certificate

# The accounts `seed_demo` creates; only these and superusers are checked, so the check costs a few hashes at most.
DEMO_USERNAMES = ("consultant", "reviewer", "admin", "priya")
DEMO_PASSWORD = "firstslice-demo"  # noqa: S105  (the published demo password, checked for, never set here)
MAX_ACCOUNTS_CHECKED = 20


@register("firstslice")
def check_debug_in_production(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG and settings.FIRSTSLICE_ENVIRONMENT == "production":
        return [
            Error(
                "DEBUG is on in an environment marked production.",
                hint="Set DJANGO_DEBUG=false (or change FIRSTSLICE_ENVIRONMENT if this is not production).",
                id="firstslice.E001",
            )
        ]
    return []


@register("firstslice")
def check_signing_certificate(app_configs=None, **kwargs) -> list[Error | Warning]:
    if settings.DEBUG or settings.FIRSTSLICE_ALLOW_DEV_CERTIFICATE:
        return []
    path = Path(settings.SIGNING_PKCS12_PATH or "")
    password = (settings.SIGNING_PKCS12_PASSWORD or "").encode() or None
    try:
        certificate = certificate_from_pkcs12(path.read_bytes(), password)
    except (OSError, ValueError) as exc:
        return [
            Warning(
                f"The signing certificate at {path} cannot be read ({exc}); signed-off PDFs will fail to render.",
                hint="Set SIGNING_PKCS12_PATH and SIGNING_PKCS12_PASSWORD to your CA-issued PKCS#12 file.",
                id="firstslice.W001",
            )
        ]
    if is_development_certificate(certificate):
        return [
            Error(
                f"The signing certificate at {path} is the development certificate made by make_dev_certificate; "
                "documents signed with it prove nothing about who issued them.",
                hint=(
                    "Set SIGNING_PKCS12_PATH to your own PKCS#12 certificate, or FIRSTSLICE_ALLOW_DEV_CERTIFICATE=true "
                    "to start anyway (the verify page will still not trust it)."
                ),
                id="firstslice.E002",
            )
        ]
    return []


@register("firstslice", deploy=True)
def check_demo_passwords(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG or settings.FIRSTSLICE_ALLOW_DEMO_PASSWORDS:
        return []
    users = get_user_model()._default_manager.using("default")
    try:
        candidates = list(
            users.filter(Q(username__in=DEMO_USERNAMES) | Q(is_superuser=True), is_active=True)
            .order_by("pk")
            .only("pk", "username", "password")[:MAX_ACCOUNTS_CHECKED]
        )
    except DatabaseError:  # no users table yet (first migrate): nobody can have the demo password
        return []
    # hashers.check_password, not user.check_password: a check must not rewrite a hash as a side effect.
    names = [user.username for user in candidates if check_password(DEMO_PASSWORD, user.password)]
    if not names:
        return []
    return [
        Error(
            f"These active accounts still have the demo password {DEMO_PASSWORD!r}: {', '.join(sorted(names))}.",
            hint=(
                "Change their passwords (manage.py changepassword NAME) or deactivate them; "
                "FIRSTSLICE_ALLOW_DEMO_PASSWORDS=true starts anyway."
            ),
            id="firstslice.E003",
        )
    ]
