"""Writes and the lookup for personal access tokens (the API's only way in)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken, TokenScope
from scoping.audit import activity_record

TOKEN_PREFIX = "fs_"  # noqa: S105 (a public marker, not a secret: it makes leaked tokens easy to scan for)
SHOWN_PREFIX_LENGTH = 10
MAX_LIFETIME_DAYS = 365
DEFAULT_LIFETIME_DAYS = 90
# Recording each use would write on every request; once a minute is enough to say "last used".
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(raw: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough (no slow hash needed, and lookups stay indexed)."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def token_create(*, user, name: str, scope: str, lifetime_days: int, request=None) -> tuple[ApiToken, str]:
    """A new token and its only plain copy, which the caller shows once and never stores."""
    if scope not in TokenScope.values:
        raise ValueError(f"Unknown token scope {scope!r}.")
    if not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise ValueError(f"A token lives 1 to {MAX_LIFETIME_DAYS} days.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=raw[:SHOWN_PREFIX_LENGTH],
        token_hash=token_hash(raw),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=lifetime_days),
    )
    activity_record(
        actor=user,
        verb="api_token_created",
        request=request,
        obj=token,
        object_repr=str(token),
        changes={"scope": token.get_scope_display(), "expires": token.expires_at.date().isoformat()},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor, request=None) -> ApiToken:
    """Revoke a token at once; revoking it again changes nothing."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        activity_record(actor=actor, verb="api_token_revoked", request=request, obj=locked, object_repr=str(locked))
    return locked


def token_authenticate(raw: str) -> ApiToken | None:
    """The active token a request presents, with its user, or None (unknown, revoked, expired, inactive user)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=token_hash(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
