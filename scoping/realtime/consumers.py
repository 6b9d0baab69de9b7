"""The live channel of one project: ``ws /ws/projects/<id>/`` (DESIGN.md part 2, the live-update contract of #12).

The same rule as the pages: the handshake is refused (HTTP 403) for anyone anonymous and for anyone
``scoping.access.resolve_project`` does not let see the project. An accepted socket joins the project's group and
forwards every ``project.event`` message to the browser unchanged, except ``access.recheck``, which makes it ask the
rule again and close with 4403 when the person may no longer see the project (4401 once they have logged out).

The browser may send only ``{"type": "presence", "step": ..., "follow": bool, "path": ...}``; anything else (binary,
bad JSON, too long, unknown type, too many) is answered with ``{"type": "error", ...}`` and otherwise ignored.

A heartbeat keeps each socket right after Redis lost its data (a flush or restart): it re-joins the group, rewrites
its presence entry and re-checks access, so a missed ``access.recheck`` is caught too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import deque
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404

from scoping.access import resolve_project
from scoping.models import DiscoveryProject, DiscoverySession
from scoping.realtime import presence
from scoping.realtime.broadcast import PROJECT_EVENT, project_group

logger = logging.getLogger(__name__)

CLOSE_ACCESS_GONE = 4403
CLOSE_SIGNED_OUT = 4401
MAX_MESSAGE_CHARS = 2048
# At most this many messages from one browser in RATE_WINDOW seconds; the rest are refused (presence moves are rare).
RATE_LIMIT, RATE_WINDOW = 20, 10.0
# A section key or a page name ("overview", "team", "scope-review"); a path of the same project's pages.
STEP = re.compile(r"[a-z0-9][a-z0-9_.-]{0,59}")
PATH = re.compile(r"/projects/(\d+)/[A-Za-z0-9/_.-]{0,250}")


def clean_step(value: Any) -> str | None:
    if value == "":
        return ""
    return value if isinstance(value, str) and STEP.fullmatch(value) else None


def clean_path(value: Any, project_id: int) -> str | None:
    """A path on this project's pages (where a follower may be sent), or None."""
    if value in ("", None):
        return ""
    if not isinstance(value, str) or ".." in value:
        return None
    match = PATH.fullmatch(value)
    return value if match and int(match.group(1)) == project_id else None


def _role_label(user, project: DiscoveryProject) -> str:
    if project.lead_consultant_id == user.pk:
        return "Lead consultant"
    if user.is_client_stakeholder:
        title = project.participants.filter(user=user).values_list("role_title", flat=True).first()
        return f"Client, {title}" if title else "Client"
    return user.get_role_display()


def _session_exists(session_key: str | None) -> bool:
    if not session_key:
        return False
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore().exists(session_key)


@database_sync_to_async
def person_on_project(user_id: int, project_id: int, session_key: str | None) -> dict[str, Any] | str:
    """Who this is on the project, or why the socket must close: "gone" (4403) or "signed-out" (4401)."""
    if not _session_exists(session_key):
        return "signed-out"
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "signed-out"
    try:
        access = resolve_project(user, project_id)
    except Http404:
        return "gone"
    return {
        "id": user.pk,
        "name": user.display_name,
        "initials": presence.initials(user),
        "role": _role_label(user, access.project),
    }


@database_sync_to_async
def facilitator_id(project_id: int) -> int | None:
    """The live session's facilitator, else the project's lead consultant."""
    project = DiscoveryProject.objects.filter(pk=project_id).only("pk", "lead_consultant_id").first()
    if project is None:
        return None
    session = DiscoverySession.objects.live_for(project)
    if session is not None and session.facilitator_id:
        return session.facilitator_id
    return project.lead_consultant_id


class ProjectConsumer(AsyncJsonWebsocketConsumer):
    """One browser tab on one project's pages."""

    project_id: int
    person: dict[str, Any]
    joined = False
    gone = False  # the browser's side has closed
    presence_unsent = False  # the last presence.state could not be sent (Redis away): the heartbeat sends it again
    shown_people: list[dict[str, Any]] | None = None  # the last presence.state this browser was sent

    async def connect(self) -> None:
        self.project_id = int(self.scope["url_route"]["kwargs"]["project_id"])
        self.group = project_group(self.project_id)
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()  # before accept: the handshake is answered 403
            return
        session = self.scope.get("session")
        found = await person_on_project(user.pk, self.project_id, getattr(session, "session_key", None))
        if isinstance(found, str):
            await self.close()
            return
        self.person = found
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.step = clean_step(query.get("step", [""])[0]) or ""
        self.path = clean_path(query.get("path", [""])[0], self.project_id) or ""
        self.follow = False
        self.moved = time.time()
        self.received: deque[float] = deque()
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.joined = True
        await self._presence_put()
        await self._presence_broadcast()
        # The facilitator opening a page is the facilitator moving there: followers come along.
        if self.path and self.person["id"] == await facilitator_id(self.project_id):
            await self._group_send({"type": "facilitator.step", "step": self.step, "url": self.path})
        self.heartbeat = asyncio.create_task(self._heartbeat())

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except Exception:
            # Once the socket has gone, Channels cancels this consumer's wait on the channel layer, and redis-py may
            # report that cancellation as a Redis error: nothing is wrong, so it is not logged as a crash.
            if not self.gone:
                raise
            logger.debug("socket %s: error while stopping", getattr(self, "channel_name", "?"), exc_info=True)
        finally:
            # Ended without a disconnect message: the browser went while a message was being written to it (the
            # server raises from that send) or a handler failed. Leave anyway, or the heartbeat would keep the
            # person in the presence bar for good.
            if self.joined:
                self.gone = True
                await self._leave(broadcast_later=True)

    async def disconnect(self, code) -> None:
        self.gone = True
        await self._leave(broadcast_later=True)

    # --- from the group ------------------------------------------------------------------------------------------

    async def project_event(self, event: dict[str, Any]) -> None:
        message = event.get("message")
        if not isinstance(message, dict) or not self.joined:
            return
        if message.get("type") == "access.recheck":
            await self._recheck()
            return
        if message.get("type") == "presence.state":
            self.shown_people = message.get("people")
        await self.send_json(message)

    # --- from the browser ----------------------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if not self.joined:
            return
        now = time.monotonic()
        while self.received and self.received[0] < now - RATE_WINDOW:
            self.received.popleft()
        if len(self.received) >= RATE_LIMIT:
            await self._error("Too many messages: wait a few seconds.")
            return
        self.received.append(now)
        if text_data is None:
            await self._error("Send JSON text, not binary data.")
            return
        if len(text_data) > MAX_MESSAGE_CHARS:
            await self._error(f"Message too long (at most {MAX_MESSAGE_CHARS} characters).")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error("Message is not JSON.")
            return
        if not isinstance(content, dict) or content.get("type") != "presence":
            await self._error('Unknown message: only {"type": "presence", ...} is accepted.')
            return
        await self._presence_message(content)

    async def _error(self, text: str) -> None:
        await self.send_json({"type": "error", "error": text})

    async def _presence_message(self, content: dict[str, Any]) -> None:
        step = clean_step(content.get("step", self.step))
        path = clean_path(content.get("path", self.path), self.project_id)
        follow = content.get("follow", self.follow)
        if step is None or path is None or not isinstance(follow, bool):
            await self._error("Presence needs a step (a section key or page name), a path of this project and follow.")
            return
        moved = (step, path) != (self.step, self.path)
        self.step, self.path, self.follow = step, path, follow
        if moved:
            self.moved = time.time()
        await self._presence_put()
        if not moved:
            return
        await self._presence_broadcast()
        if self.person["id"] == await facilitator_id(self.project_id):
            await self._group_send({"type": "facilitator.step", "step": self.step, "url": self.path})

    # --- presence and access -------------------------------------------------------------------------------------

    def _entry(self) -> dict[str, Any]:
        return {**self.person, "step": self.step, "url": self.path, "follow": self.follow, "moved": self.moved}

    async def _presence_put(self) -> None:
        try:
            await presence.store().put(self.project_id, self.channel_name, self._entry())
        except Exception:  # noqa: BLE001 - Redis away: presence is a courtesy, the socket carries on
            logger.warning("presence of %s not stored", self.channel_name, exc_info=True)

    async def _presence_broadcast(self) -> None:
        """Tell the group who is here; if Redis failed, the next heartbeat tries again."""
        try:
            entries, _dropped = await presence.store().entries(self.project_id)
        except Exception:  # noqa: BLE001
            logger.warning("presence of project %s not read", self.project_id, exc_info=True)
            self.presence_unsent = True
            return
        people = presence.people(entries, await facilitator_id(self.project_id))
        self.presence_unsent = not await self._group_send({"type": "presence.state", "people": people})

    async def _presence_reconcile(self, entries: dict[str, dict[str, Any]]) -> None:
        """Correct this browser's presence bar if it shows other than Redis holds: pub/sub messages are fire-and-forget
        (one published while Redis restarts, or before a process has re-subscribed, is gone), so each socket checks
        once a heartbeat instead of trusting every message arrived."""
        people = presence.people(entries, await facilitator_id(self.project_id))
        if people != self.shown_people:
            self.shown_people = people
            await self.send_json({"type": "presence.state", "people": people})

    async def _group_send(self, message: dict[str, Any]) -> bool:
        try:
            await self.channel_layer.group_send(self.group, {"type": PROJECT_EVENT, "message": message})
        except Exception:  # noqa: BLE001 - the pages catch up by polling
            logger.warning("live message for project %s not sent", self.project_id, exc_info=True)
            return False
        return True

    async def _recheck(self) -> bool:
        """Ask the access rule again; close the socket (and say why in its code) when the answer changed."""
        session = self.scope.get("session")
        found = await person_on_project(self.person["id"], self.project_id, getattr(session, "session_key", None))
        if isinstance(found, str):
            await self._leave()
            await self.close(code=CLOSE_SIGNED_OUT if found == "signed-out" else CLOSE_ACCESS_GONE)
            return False
        self.person = found
        return True

    async def _heartbeat(self) -> None:
        while self.joined:
            await asyncio.sleep(settings.LIVE_HEARTBEAT_SECONDS)
            if not self.joined:
                return
            try:
                await self.channel_layer.group_add(self.group, self.channel_name)  # idempotent; back after a flush
            except Exception:  # noqa: BLE001
                logger.warning("socket %s could not re-join its group", self.channel_name, exc_info=True)
            try:
                if not await self._recheck():
                    return
                entries, dropped = await presence.store().entries(self.project_id)
                await self._presence_put()
                if dropped or self.channel_name not in entries or self.presence_unsent:
                    await self._presence_broadcast()
                else:
                    await self._presence_reconcile(entries)
            except Exception:  # noqa: BLE001 - never let the heartbeat die quietly on one bad beat
                logger.warning("heartbeat of %s failed", self.channel_name, exc_info=True)

    async def _leave(self, *, broadcast_later: bool = False) -> None:
        if not self.joined:
            return
        self.joined = False
        task = getattr(self, "heartbeat", None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        try:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        except Exception:  # noqa: BLE001
            logger.warning("socket %s not removed from its group", self.channel_name, exc_info=True)
        try:
            await presence.store().remove(self.project_id, self.channel_name)
        except Exception:  # noqa: BLE001
            logger.warning("presence of %s not removed", self.channel_name, exc_info=True)
        if broadcast_later:
            # Not from this consumer's last moment: Channels is about to cancel its wait on the channel layer and
            # unsubscribe it; the others are told from a task of their own.
            _background(self._presence_broadcast_soon())
        else:
            await self._presence_broadcast()

    async def _presence_broadcast_soon(self) -> None:
        # Twice: the state is whole (idempotent), and a second copy a second later reaches a socket that missed the
        # first (a Redis hiccup), without waiting for its heartbeat.
        await asyncio.sleep(0.05)
        await self._presence_broadcast()
        await asyncio.sleep(1.0)
        await self._presence_broadcast()


_pending: set[asyncio.Task] = set()


def _background(coroutine) -> None:
    """Run a coroutine after the consumer has returned (a reference is kept until it is done)."""
    task = asyncio.get_running_loop().create_task(coroutine)
    _pending.add(task)
    task.add_done_callback(_pending.discard)
