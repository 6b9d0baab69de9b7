"""URLs of the steps area, included into the "projects" namespace by scoping/urls.py."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
