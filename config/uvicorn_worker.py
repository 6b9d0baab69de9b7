"""Gunicorn's worker for the ASGI app (config/gunicorn.py): uvicorn_worker.UvicornWorker, with two settings changed.

- no lifespan: Django's ASGI handler has no start-up or shut-down events, so uvicorn need not ask (and log) for them;
- no access log: requests are logged by config.logs.RequestIdMiddleware (JSON, with the request id), as under WSGI;
- a browser's WebSocket frames are small JSON messages: anything above 64 KiB is refused by the server itself.
"""

from __future__ import annotations

from uvicorn_worker import UvicornWorker


class Worker(UvicornWorker):
    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "lifespan": "off", "access_log": False, "ws_max_size": 65536}
