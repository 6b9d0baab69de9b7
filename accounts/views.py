"""Invitation acceptance and the profile page; login, logout and password reset use Django's auth views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import services as account_services
from accounts.forms import AcceptInviteForm, ProfileForm
from scoping.projects import services

User = get_user_model()


def _invalid(request):
    return render(request, "registration/invite_invalid.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invite(request, token: str):
    """New address: choose a password. Existing account: log in as that account, then accept with one click."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return _invalid(request)
    account = services.invitation_account(invitation)
    signed_in = request.user if request.user.is_authenticated else None
    context = {"invitation": invitation, "account": account}
    if signed_in is not None and (account is None or signed_in.pk != account.pk):
        context["wrong_user"] = signed_in
        return render(request, "registration/accept_invite.html", context, status=403)
    if account is not None and signed_in is None:
        context["needs_login"] = True
        return render(request, "registration/accept_invite.html", context)
    form = None if account is not None else AcceptInviteForm(request.POST or None, user=_probe_user(invitation))
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            user = services.invitation_accept(
                token=token,
                password=form.cleaned_data["password1"] if form is not None else None,
                user=signed_in,
                request=request,
            )
        except services.InvitationRefused as exc:
            context["refusal"] = exc.messages[0]
            return render(request, "registration/accept_invite.html", context, status=403)
        except ValidationError:
            return _invalid(request)
        if signed_in is None:
            login(request, user, backend="accounts.backends.EmailOrUsernameBackend")
        messages.success(request, f"Welcome, {user.display_name}. You now have access to {invitation.project.name}.")
        return redirect(invitation.project)
    context["form"] = form
    return render(request, "registration/accept_invite.html", context)


def _probe_user(invitation):
    """An unsaved user with the invited details, so the password validators can compare against them."""
    return User(email=invitation.email, first_name=invitation.first_name, last_name=invitation.last_name)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def profile(request):
    """Your display name (the name you type to sign), your e-mail address and your password."""
    user = request.user
    initial = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    action = request.POST.get("action") if request.method == "POST" else None
    profile_form = ProfileForm(request.POST if action == "profile" else None, user=user, initial=initial)
    password_form = PasswordChangeForm(user, request.POST if action == "password" else None)
    password_form.fields["old_password"].widget.attrs.pop("autofocus", None)  # the page starts with the name
    if action == "profile" and profile_form.is_valid():
        try:
            account_services.profile_update(user=user, actor=user, request=request, **profile_form.cleaned_data)
        except ValidationError as exc:
            _add_errors(profile_form, exc)
        else:
            messages.success(request, f"Profile saved. You sign as “{user.display_name}”.")
            return redirect("profile")
    if action == "password" and password_form.is_valid():
        password_form.save()
        update_session_auth_hash(request, password_form.user)
        account_services.password_change_record(user=user, request=request)
        messages.success(request, "Password changed.")
        return redirect("profile")
    return render(
        request,
        "registration/profile.html",
        {"profile_form": profile_form, "password_form": password_form},
    )


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
