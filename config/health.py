"""Health endpoints for probes.

- ``GET /healthz`` (liveness): this web process answers and can build pages (the static-files manifest resolves).
  No database, no broker: restarting the web container would not fix either.
- ``GET /readyz`` (readiness): the database, the broker, document storage and at least one worker heartbeat all
  answer. Every check has a short timeout (HEALTH_CHECK_TIMEOUT), so a dead dependency gives 503 within about 2 s.

Both are exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT) because the compose probes speak plain HTTP inside
the stack; they still need an allowed Host header (``scripts/entrypoint healthcheck web`` sends one).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from config import heartbeat

# One static file every page links; resolving it proves the manifest is there (production) or the app is set up.
PROBE_STATIC = "css/app.css"


def _failure(exc: BaseException) -> dict:
    return {"ok": False, "error": exc.__class__.__name__}


def _static() -> dict:
    try:
        return {"ok": True, "url": staticfiles_storage.url(PROBE_STATIC)}
    except Exception as exc:  # noqa: BLE001 - "Missing staticfiles manifest entry" and the like
        return _failure(exc)


def _database() -> dict:
    timeout = settings.HEALTH_CHECK_TIMEOUT
    try:
        pool = getattr(connection, "pool", None) if connection.vendor == "postgresql" else None
        if pool is not None:
            # Wait at most `timeout` for a pooled connection, instead of the pool's 10 s default.
            pool.open(wait=False)  # Django opens the pool lazily, on the first query
            with pool.connection(timeout=timeout) as conn:
                conn.execute("SELECT 1").fetchone()
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not answering"
        return _failure(exc)
    return {"ok": True, "vendor": connection.vendor}


def _broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager (embedded default: jobs run in the web process)"}
    try:
        heartbeat.redis_client().ping()
    except Exception as exc:  # noqa: BLE001
        return _failure(exc)
    return {"ok": True, "mode": "redis"}


def _storage_probe() -> None:
    if isinstance(default_storage, FileSystemStorage):
        root = default_storage.location
        os.makedirs(root, exist_ok=True)  # FileSystemStorage creates it on the first save; so may we
        if not (os.path.isdir(root) and os.access(root, os.W_OK)):
            raise PermissionError(f"{root} is missing or not writable")
    else:
        default_storage.exists("readyz-probe")


def _storage() -> dict:
    # S3 clients have long default timeouts: run the probe in a thread and stop waiting after the timeout.
    executor = ThreadPoolExecutor(max_workers=1)
    try:
        executor.submit(_storage_probe).result(timeout=settings.HEALTH_CHECK_TIMEOUT)
    except FutureTimeout:
        return {"ok": False, "error": "Timeout"}
    except Exception as exc:  # noqa: BLE001
        return _failure(exc)
    finally:
        executor.shutdown(wait=False)
    return {"ok": True, "backend": default_storage.__class__.__name__}


def _worker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager (no worker needed)"}
    try:
        ages = heartbeat.ages(heartbeat.WORKER_PREFIX + "*")
    except Exception as exc:  # noqa: BLE001
        return _failure(exc)
    fresh = sorted(age for age in ages.values() if age <= settings.WORKER_HEARTBEAT_MAX_AGE)
    if not fresh:
        return {"ok": False, "error": "no worker heartbeat", "workers": 0}
    return {"ok": True, "workers": len(fresh), "last_heartbeat_seconds": round(fresh[0], 1)}


@never_cache
def healthz(request):
    static = _static()
    return JsonResponse(
        {"status": "ok" if static["ok"] else "unavailable", "static": static}, status=200 if static["ok"] else 503
    )


@never_cache
def readyz(request):
    started = time.monotonic()
    checks = {"database": _database(), "broker": _broker(), "storage": _storage()}
    checks["worker"] = _worker() if checks["broker"]["ok"] else {"ok": False, "error": "broker not answering"}
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ok else "unavailable", **checks, "seconds": round(time.monotonic() - started, 3)}
    return JsonResponse(body, status=200 if ok else 503)
