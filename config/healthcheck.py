"""Container health checks, run by ``scripts/entrypoint healthcheck web|beat`` (compose runs them in the container).

- ``web``: GET /healthz on this container's gunicorn, with a Host header the site allows (the first of
  DJANGO_ALLOWED_HOSTS), so the probe passes ALLOWED_HOSTS whatever the real host name is.
- ``beat``: this beat's scheduler heartbeat in Redis is younger than WORKER_HEARTBEAT_MAX_AGE.
(The worker's check is ``celery inspect ping`` addressed to this worker's node name, in the entrypoint.)
Exit status 0 means healthy.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def probe_host() -> str:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0].lstrip(".") if hosts else "localhost"
    return "localhost" if host in {"*", ""} else host


def check_web(path: str = "/healthz") -> int:
    bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
    port = bind.rsplit(":", 1)[-1]
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": probe_host()})
    try:
        with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310 - fixed http URL on loopback
            print(response.status, response.read(500).decode(errors="replace"))
            return 0 if response.status == 200 else 1
    except Exception as exc:  # noqa: BLE001 - any failure is "unhealthy"
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


def check_beat() -> int:
    # Only the beat probe needs Django (set up here, then its settings and the heartbeat): the web probe stays light.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    from config import heartbeat

    try:
        age = heartbeat.ages(heartbeat.BEAT_KEY).get(heartbeat.BEAT_KEY)
    except Exception as exc:  # noqa: BLE001
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    if age is None or age > settings.WORKER_HEARTBEAT_MAX_AGE:
        print(f"unhealthy: beat heartbeat {'missing' if age is None else f'{age:.0f} s old'}", file=sys.stderr)
        return 1
    print(f"beat heartbeat {age:.1f} s old")
    return 0


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    if which == "web":
        sys.exit(check_web())
    if which == "beat":
        sys.exit(check_beat())
    print("usage: python -m config.healthcheck web|beat", file=sys.stderr)
    sys.exit(2)
