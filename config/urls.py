from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path

from api.urls import api_urlpatterns, page_urlpatterns
from config.health import healthz, readyz
from scoping.projects.urls import client_urlpatterns

urlpatterns = [
    path("", lambda request: redirect("projects:list"), name="home"),
    path("accounts/", include("accounts.urls")),
    path("accounts/tokens/", include(page_urlpatterns)),
    path("api/v1/", api_urlpatterns),
    path("clients/", include(client_urlpatterns)),
    path("projects/", include("scoping.projects.urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("verify/", include("documents.urls_verify")),
    path("admin/", admin.site.urls),
]
