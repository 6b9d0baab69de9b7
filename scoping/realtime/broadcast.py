"""Telling everyone on a project's pages that something changed, over the project's channel group.

A message is sent only after the transaction that made the change commits, so nobody is told of a save that was
rolled back. The socket is a nudge, never the record: if the channel layer (Redis) is down the save stands and the
pages catch up by polling, so a failure to send is logged and swallowed.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# What a consumer's handler is called for a message sent to the group (``project.event`` → ``project_event``).
PROJECT_EVENT = "project.event"


def project_group(project_id: int) -> str:
    """The channel group of one project's open pages."""
    return f"project.{project_id}"


def send_now(project_id: int, message: dict[str, Any], *, event: str = PROJECT_EVENT) -> None:
    """Send to the project's group at once (outside a transaction, or from a consumer's synchronous helper)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(project_group(project_id), {"type": event, "message": message})
    except Exception:  # noqa: BLE001 - Redis down or restarting: the pages catch up by polling
        logger.warning("live update for project %s not sent", project_id, exc_info=True)


def project_broadcast(project_id: int, message: dict[str, Any], *, event: str = PROJECT_EVENT) -> None:
    """Send ``message`` (JSON-serialisable) to every open page of the project once the current transaction commits."""
    transaction.on_commit(lambda: send_now(project_id, message, event=event))
