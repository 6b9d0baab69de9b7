"""Bearer-token authentication and the per-token rate limit of the API."""

from __future__ import annotations

from django.conf import settings
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from api.tokens import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer fs_…``; the request then carries the token, and acts as its user."""

    def authenticate(self, request, token: str):
        api_token = token_authenticate(token.strip())
        if api_token is None:
            return None
        request.api_token = api_token
        request.user = api_token.user
        return api_token


class PerTokenThrottle(AuthRateThrottle):
    """A rate limit per token (not per user, so one noisy integration cannot starve the others)."""

    def __init__(self) -> None:
        super().__init__(settings.API_RATE_LIMIT)

    def get_cache_key(self, request) -> str | None:
        token = getattr(request, "api_token", None)
        return f"throttle_token_{token.pk}" if token is not None else None
