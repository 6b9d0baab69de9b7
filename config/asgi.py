"""The ASGI application: Django's pages over HTTP, and each project's live channel over WebSockets.

Served by gunicorn's uvicorn workers in production (scripts/entrypoint web) and by daphne's runserver in development
(`make demo`, with the in-memory channel layer). A socket passes the same checks as a page: its Origin must be one of
ALLOWED_HOSTS, and the session cookie must belong to someone who may see the project (scoping.realtime.consumers).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Set up Django (apps and models) before anything below imports a model.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from scoping.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
