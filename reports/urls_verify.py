"""The public verify page (/verify/), no login."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
