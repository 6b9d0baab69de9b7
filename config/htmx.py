"""htmx requests that hit the login wall get a client-side redirect instead of the login page as a fragment.

A session can expire while a page polls (the document status row asks every second). ``login_required`` then
answers with a redirect to the login page, the browser's XMLHttpRequest follows it silently, and htmx would swap the
whole login page into the table row. For an htmx request this middleware turns that redirect into an empty 200 with
``HX-Redirect`` (django-htmx's ``HttpResponseClientRedirect``): htmx then loads the login page as a full page, with
``next`` set to the page the person was looking at (``HX-Current-URL``), not to the fragment's URL.

Must come after ``django_htmx.middleware.HtmxMiddleware``, which sets ``request.htmx``.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code not in (301, 302, 303, 307, 308):
            return response
        login_path = urlsplit(resolve_url(settings.LOGIN_URL)).path
        if urlsplit(response["Location"]).path != login_path:
            return response
        next_path = request.htmx.current_url_abs_path or request.get_full_path()
        return HttpResponseClientRedirect(redirect_to_login(next_path)["Location"])
