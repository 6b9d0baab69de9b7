"""Log context: a request id per HTTP request, the task id in the worker, added to every log record.

``RequestIdMiddleware`` takes the incoming ``X-Request-ID`` (set by the proxy, or by a caller tracing a request)
when it looks like an id, otherwise makes one; it stores it in a context variable for the logging filter and sends it
back in the response's ``X-Request-ID``. ``ContextFilter`` adds ``request_id`` and, inside a Celery task,
``task_id`` and ``task_name`` to each record; the JSON formatter (python-json-logger) writes them as fields.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar

from celery import current_task

from config.client_ip import client_ip

request_id_var: ContextVar[str | None] = ContextVar("firstslice_request_id", default=None)

_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
request_logger = logging.getLogger("firstslice.request")


def _current_task():
    task = current_task
    if task is None or getattr(task, "request", None) is None or not task.request.id:
        return None
    return task


class StderrHandler(logging.StreamHandler):
    """A StreamHandler on whatever ``sys.stderr`` is when a record is written, not when logging was configured: a
    test runner swaps and closes its capture streams, and a server thread logging later met a closed file."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # StreamHandler.__init__ assigns one; this handler always follows sys.stderr
        pass


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id and not hasattr(record, "request_id"):
            record.request_id = request_id
        task = _current_task()
        if task is not None and not hasattr(record, "task_id"):
            record.task_id = task.request.id
            record.task_name = task.name
        return True


class TextFormatter(logging.Formatter):
    """Plain lines for the demo: time, level, logger, [request or task id], message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(context)s%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = [f"req={record.request_id}"] if getattr(record, "request_id", None) else []
        if getattr(record, "task_id", None):
            ids.append(f"task={record.task_id}")
        record.context = f"[{' '.join(ids)}] " if ids else ""
        return super().format(record)


class RequestIdMiddleware:
    """Set (or accept) the request id, and log one line per request with method, path, status and duration."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "client_ip": client_ip(request),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
