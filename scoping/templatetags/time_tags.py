"""How long ago, in words people say: "just now" rather than "0 minutes ago"."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()

JUST_NOW_SECONDS = 60


def _seconds_between(value: datetime, now: datetime | None) -> float:
    return ((now or timezone.now()) - value).total_seconds()


@register.filter
def ago(value: datetime | None, now: datetime | None = None) -> str:
    """ "just now" under a minute, else "5 minutes ago"."""
    if not value:
        return ""
    if _seconds_between(value, now) < JUST_NOW_SECONDS:
        return "just now"
    return f"{timesince(value, now)} ago"


@register.filter
def elapsed(value: datetime | None, now: datetime | None = None) -> str:
    """ "less than a minute" under a minute, else "2 hours" (for "waiting for …")."""
    if not value:
        return ""
    if _seconds_between(value, now) < JUST_NOW_SECONDS:
        return "less than a minute"
    return timesince(value, now)
