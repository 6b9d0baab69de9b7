"""Tiered login lock-outs for django-axes: each repeated lock-out lasts longer."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from scoping.models import ActivityEvent

# (failed attempts in the last 24 hours, lock-out length)
TIERS = ((15, timedelta(hours=24)), (10, timedelta(hours=1)), (0, timedelta(minutes=15)))


def login_identity(typed: str) -> str:
    """The account a typed login means: an e-mail address counts as its account's username.

    Used for lock-outs, so alternating between username and e-mail does not double the attempts allowed.
    """
    typed = (typed or "").strip()
    if "@" in typed:
        username = get_user_model().objects.filter(email__iexact=typed).values_list("username", flat=True).first()
        if username:
            return username
    return typed


def axes_username(request: HttpRequest | None, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: lock-outs are per account, whether the person typed its username or its e-mail."""
    if credentials and credentials.get("username"):
        return login_identity(credentials["username"])
    if request is not None and request.method == "POST":
        return login_identity(request.POST.get("username", ""))
    return ""


def _recent_failures(username: str) -> int:
    since = timezone.now() - timedelta(hours=24)
    return ActivityEvent.objects.filter(verb="login_failed", object_repr=username, created_at__gte=since).count()


def cooloff_time(request: HttpRequest | None) -> timedelta:
    username = ""
    if request is not None:
        username = login_identity(request.POST.get("username", "")) if request.method == "POST" else ""
    failures = _recent_failures(username) if username else 0
    for threshold, length in TIERS:
        if failures >= threshold:
            return length
    return TIERS[-1][1]


def _describe(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    if minutes >= 60 * 24:
        return "24 hours"
    if minutes >= 60:
        return f"{minutes // 60} hour" + ("s" if minutes >= 120 else "")
    return f"{minutes} minutes"


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    length = cooloff_time(request)
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff": _describe(length)},
        status=429,
    )
