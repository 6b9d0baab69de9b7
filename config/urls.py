from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path

from scoping.urls import client_urlpatterns

from .health import healthz, readyz

urlpatterns = [
    path("", lambda request: redirect("projects:list"), name="home"),
    path("accounts/", include("accounts.urls")),
    path("clients/", include(client_urlpatterns)),
    path("projects/", include("scoping.urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("verify/", include("reports.urls_verify")),
    path("admin/", admin.site.urls),
]
