"""Record logins and failed logins in the audit trail."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.lockout import login_identity
from scoping.audit import activity_record


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs) -> None:
    activity_record(actor=user, verb="login", request=request, object_repr=user.username)


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    username = login_identity((credentials or {}).get("username", ""))[:150]
    activity_record(actor=None, verb="login_failed", request=request, object_repr=username)
