"""Heartbeats in Redis: "this worker is alive and consuming", "beat is ticking".

Worker: a daemon thread, started when the worker is ready, sets ``firstslice:heartbeat:worker:<node name>`` to the
current time with an expiry, every WORKER_HEARTBEAT_INTERVAL seconds; a warm shutdown deletes the key at once, a
killed worker's key expires. /readyz wants at least one worker key younger than WORKER_HEARTBEAT_MAX_AGE.

Beat: ``HeartbeatScheduler`` writes ``firstslice:heartbeat:beat`` on every scheduler tick (at least every
WORKER_HEARTBEAT_INTERVAL seconds); ``scripts/entrypoint healthcheck beat`` checks its age.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

WORKER_PREFIX = "firstslice:heartbeat:worker:"
BEAT_KEY = "firstslice:heartbeat:beat"

_stop = threading.Event()
_state: dict[str, str] = {}


def redis_client(timeout: float | None = None) -> redis.Redis:
    """A Redis client on the broker with short timeouts, so a dead Redis answers in about a second."""
    timeout = settings.HEALTH_CHECK_TIMEOUT if timeout is None else timeout
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False
    )


def _beat(client: redis.Redis, key: str) -> None:
    client.set(key, f"{time.time():.3f}", ex=settings.WORKER_HEARTBEAT_MAX_AGE * 2)


def start_worker_heartbeat(node_name: str) -> None:
    if not settings.REDIS_URL:
        return
    key = WORKER_PREFIX + node_name
    _state["key"] = key
    _stop.clear()

    def run() -> None:
        client = redis_client(timeout=5)
        while not _stop.is_set():
            try:
                _beat(client, key)
            except redis.RedisError as exc:
                logger.warning("Worker heartbeat not written: %s", exc)
            _stop.wait(settings.WORKER_HEARTBEAT_INTERVAL)

    threading.Thread(target=run, name="firstslice-heartbeat", daemon=True).start()


def stop_worker_heartbeat() -> None:
    _stop.set()
    key = _state.pop("key", None)
    if key:
        try:
            redis_client(timeout=2).delete(key)
        except redis.RedisError:  # the key expires on its own
            pass


def ages(pattern: str, client: redis.Redis | None = None) -> dict[str, float]:
    """Seconds since each matching heartbeat was written."""
    client = client or redis_client()
    now = time.time()
    result = {}
    for key in client.scan_iter(match=pattern, count=100):
        value = client.get(key)
        if value is not None:
            result[key.decode()] = now - float(value)
    return result


class HeartbeatScheduler(PersistentScheduler):
    """celery beat's default scheduler, plus a heartbeat on every tick so beat's health check tests beat itself."""

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        if settings.REDIS_URL:
            try:
                _beat(redis_client(timeout=2), BEAT_KEY)
            except redis.RedisError as exc:
                logger.warning("Beat heartbeat not written: %s", exc)
        return min(interval, settings.WORKER_HEARTBEAT_INTERVAL)
