"""Who is on a project's pages now, and where: one entry per open socket, shared by every server process.

With Redis (settings.REDIS_URL) the entries are a hash per project, ``<prefix>:presence:<project id>``, one field per
socket (its channel name) holding a JSON entry with the time it was last refreshed. Redis 7.0 cannot expire one field
of a hash, so a reader drops the entries older than ``LIVE_PRESENCE_TTL`` (a process that crashed stops refreshing
its sockets' entries) and the whole key expires if nobody refreshes it. Without Redis (the embedded demo: one
process) the same entries live in a dict.

A failure to reach Redis is logged and answered with "nobody known": presence is a courtesy, never the record.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


def presence_key(project_id: int) -> str:
    prefix = getattr(settings, "CHANNELS_PREFIX", "") or "firstslice"
    return f"{prefix}:presence:{project_id}"


def ttl_seconds() -> float:
    return float(settings.LIVE_PRESENCE_TTL)


class MemoryPresence:
    """One process (the demo): a dict of project → socket → entry."""

    def __init__(self) -> None:
        self._projects: dict[int, dict[str, dict[str, Any]]] = {}

    async def put(self, project_id: int, conn: str, entry: dict[str, Any]) -> None:
        self._projects.setdefault(project_id, {})[conn] = {**entry, "seen": time.time()}

    async def remove(self, project_id: int, conn: str) -> None:
        self._projects.get(project_id, {}).pop(conn, None)

    async def entries(self, project_id: int) -> tuple[dict[str, dict[str, Any]], bool]:
        """The live entries, and whether stale ones were just dropped."""
        entries = self._projects.get(project_id, {})
        oldest = time.time() - ttl_seconds()
        stale = [conn for conn, entry in entries.items() if entry["seen"] < oldest]
        for conn in stale:
            entries.pop(conn, None)
        return dict(entries), bool(stale)


class RedisPresence:
    """Several processes: a Redis hash per project. One client per event loop (redis.asyncio binds to its loop)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _client(self):
        import redis.asyncio as redis_asyncio  # only where Redis is configured: the demo keeps presence in memory

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = redis_asyncio.Redis.from_url(self.url, socket_timeout=3, socket_connect_timeout=3)
            self._clients[loop] = client
        return client

    async def put(self, project_id: int, conn: str, entry: dict[str, Any]) -> None:
        key = presence_key(project_id)
        async with self._client().pipeline(transaction=False) as pipe:
            pipe.hset(key, conn, json.dumps({**entry, "seen": time.time()}))
            pipe.expire(key, int(ttl_seconds() * 2) + 1)
            await pipe.execute()

    async def remove(self, project_id: int, conn: str) -> None:
        await self._client().hdel(presence_key(project_id), conn)

    async def entries(self, project_id: int) -> tuple[dict[str, dict[str, Any]], bool]:
        key = presence_key(project_id)
        raw = await self._client().hgetall(key)
        oldest = time.time() - ttl_seconds()
        entries, stale = {}, []
        for conn, value in raw.items():
            conn = conn.decode() if isinstance(conn, bytes) else conn
            try:
                entry = json.loads(value)
                fresh = float(entry["seen"]) >= oldest
            except (ValueError, KeyError, TypeError):
                fresh = False
            if fresh:
                entries[conn] = entry
            else:
                stale.append(conn)
        if stale:
            await self._client().hdel(key, *stale)
        return entries, bool(stale)


_store: MemoryPresence | RedisPresence | None = None
_store_url: str | None = None


def store() -> MemoryPresence | RedisPresence:
    """The presence store of this installation (Redis when REDIS_URL is set)."""
    global _store, _store_url
    url = settings.REDIS_URL or ""
    if _store is None or _store_url != url:
        _store = RedisPresence(url) if url else MemoryPresence()
        _store_url = url
    return _store


def people(entries: dict[str, dict[str, Any]], facilitator_id: int | None) -> list[dict[str, Any]]:
    """The ``people`` of a ``presence.state`` message: one per person (their most recently moved tab), by name."""
    latest: dict[int, dict[str, Any]] = {}
    for entry in entries.values():
        known = latest.get(entry["id"])
        if known is None or entry.get("moved", 0) > known.get("moved", 0):
            latest[entry["id"]] = entry
    result = []
    for entry in sorted(latest.values(), key=lambda e: (e["id"] != facilitator_id, e["name"].casefold(), e["id"])):
        person = {
            "id": entry["id"],
            "name": entry["name"],
            "initials": entry["initials"],
            "role": entry["role"],
            "step": entry.get("step", ""),
            "facilitator": entry["id"] == facilitator_id,
        }
        if person["facilitator"]:
            person["url"] = entry.get("url", "")  # where a follower goes when they tick "Follow the facilitator"
        result.append(person)
    return result


def initials(user) -> str:
    """Two letters for the presence bar: first and last name, else the start of the username."""
    words = [word for word in (user.first_name, user.last_name) if word and word.strip()]
    if words:
        return "".join(word.strip()[0] for word in words[:2]).upper()
    return (user.username or "?")[:2].upper()
