"""Access-matrix rows of the API tokens page (the API routes themselves, reached by token, are in tests/api/)."""

from __future__ import annotations

from django.urls import reverse

from api.models import ApiToken
from api.tokens import token_create
from tests.access_rows import expect


def _leads_token(ctx) -> str:
    """The revoke URL of a token that belongs to the lead: anyone else gets 404, the lead 405 for a GET."""
    lead = ctx["roles"]["lead"]
    token = (
        ApiToken.objects.filter(user=lead).first()
        or token_create(user=lead, name="matrix", scope="read", lifetime_days=1)[0]
    )
    return reverse("api_token_revoke", args=[token.pk])


ROWS = [
    ("api tokens page", lambda ctx: reverse("api_tokens"), expect()),
    (
        "api token revoke",
        _leads_token,
        expect(lead=405, member=404, outsider=404, reviewer=404, admin=404, participant=404, other_client=404),
    ),
]
