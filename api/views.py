"""The API tokens page: create a token (shown once), see when each was last used, revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from api.forms import TokenForm
from api.models import ApiToken
from api.tokens import token_create, token_revoke

# The new token's only plain copy waits in the session for the page that shows it, and is removed as it is shown.
NEW_TOKEN_KEY = "api_new_token"  # noqa: S105 (a session key, not a secret)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, raw = token_create(user=request.user, request=request, **form.cleaned_data)
        request.session[NEW_TOKEN_KEY] = {"id": token.pk, "raw": raw}
        return redirect("api_tokens")
    new = request.session.pop(NEW_TOKEN_KEY, None)
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": ApiToken.objects.filter(user=request.user), "new_token": new},
    )


@login_required
def token_revoke_view(request, token_id: int):
    # The token first: someone else's token is a 404 whatever the method, as a stranger's project is.
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    token_revoke(token=token, actor=request.user, request=request)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api_tokens")
