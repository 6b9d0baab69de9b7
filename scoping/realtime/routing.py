"""The WebSocket URLs (DESIGN.md part 2, the ``ws /ws/projects/<id>/`` row)."""

from django.urls import path

from scoping.realtime.consumers import ProjectConsumer

websocket_urlpatterns = [
    path("ws/projects/<int:project_id>/", ProjectConsumer.as_asgi()),
]
