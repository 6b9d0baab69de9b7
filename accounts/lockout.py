"""Tiered login lock-outs for django-axes: each repeated lock-out lasts longer."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

# (failed attempts in the last 24 hours, lock-out length)
TIERS = ((15, timedelta(hours=24)), (10, timedelta(hours=1)), (0, timedelta(minutes=15)))


def _recent_failures(username: str) -> int:
    from scoping.models import ActivityEvent

    since = timezone.now() - timedelta(hours=24)
    return ActivityEvent.objects.filter(verb="login_failed", object_repr=username, created_at__gte=since).count()


def cooloff_time(request: HttpRequest | None) -> timedelta:
    username = ""
    if request is not None:
        username = (request.POST.get("username") or "").strip() if request.method == "POST" else ""
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
