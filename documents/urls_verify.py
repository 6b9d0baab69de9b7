"""The public verify page (/verify/), no login."""

from django.urls import path

from documents.views_verify import verify

urlpatterns = [
    path("", verify, name="verify"),
]
