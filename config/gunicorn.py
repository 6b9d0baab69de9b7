"""Gunicorn settings for ``scripts/entrypoint web``: its own log lines use Django's LOGGING (JSON in production).

The workers are uvicorn's (config/uvicorn_worker.py) serving ``config.asgi:application``: the pages and the live
WebSockets (``/ws/projects/<id>/``) on the same port, so Caddy passes both through unchanged.
Requests are logged by config.logs.RequestIdMiddleware (with the request id), so gunicorn's access log stays off.
"""

from __future__ import annotations

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "config.uvicorn_worker.Worker"
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
# The scheme and client address follow X-Forwarded-Proto/-For only from the trusted proxies (the list Django uses).
forwarded_allow_ips = os.environ.get("DJANGO_TRUSTED_PROXIES") or "127.0.0.1,::1"
accesslog = None
errorlog = "-"
# The app is loaded (django.setup()) before forking, so each worker starts ready and logging is configured once.
preload_app = True


def _logconfig() -> dict:
    json_logs = os.environ.get(
        "LOG_FORMAT", "json" if os.environ.get("DJANGO_DEBUG", "").lower() == "false" else "text"
    )
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        }
        if json_logs.strip().lower() == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }


logconfig_dict = _logconfig()
