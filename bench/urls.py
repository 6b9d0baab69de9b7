"""The bench's URLconf: the app's own URLs plus the floor of every web figure, a trivial logged-in page.

The trivial page runs the whole request stack a real page runs (every middleware, the session and user look-ups,
the context processors and the site's base layout with its navigation) and nothing else, so a page's ratio to it
is the cost of that page's own work. It lives here, not in the app: no person needs it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns

TRIVIAL_URL = "/bench/trivial/"
_TEMPLATE = '{% extends "base.html" %}{% block title %}Bench{% endblock %}{% block content %}<p>OK</p>{% endblock %}'


@login_required
def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(_TEMPLATE).render({}, request))


urlpatterns = [path(TRIVIAL_URL.strip("/") + "/", trivial, name="bench_trivial"), *app_urlpatterns]
