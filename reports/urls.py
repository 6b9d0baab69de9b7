"""Document URLs, included into the "projects" namespace (under /projects/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
