"""Invitation acceptance; login, logout and password reset use Django's auth views with our templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from scoping import services

from .forms import AcceptInviteForm

User = get_user_model()


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invite(request, token: str):
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "registration/invite_invalid.html", status=404)
    probe_user = User(email=invitation.email, first_name=invitation.first_name, last_name=invitation.last_name)
    form = AcceptInviteForm(request.POST or None, user=probe_user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password1"], request=request)
        except ValidationError:
            return render(request, "registration/invite_invalid.html", status=404)
        login(request, user, backend="accounts.backends.EmailOrUsernameBackend")
        messages.success(request, f"Welcome, {user.display_name}. You now have access to {invitation.project.name}.")
        return redirect(invitation.project)
    return render(request, "registration/accept_invite.html", {"form": form, "invitation": invitation})
