"""Real WebSocket clients for the live-channel tests (the ``websockets`` library's threaded client)."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def session_cookie(user) -> str:
    """A logged-in session of ``user`` (committed: the server's threads read it), as a Cookie header."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def open_socket(server, project_id: int, user=None, *, step: str = "", path: str = "", origin: str | None = None):
    """Open ``ws/projects/<id>/`` as ``user`` (None: anonymous), from the server's own origin unless told."""
    headers = {"Cookie": session_cookie(user)} if user is not None else {}
    query = urlencode({"step": step, "path": path})
    return connect(
        f"{server.ws_url}/ws/projects/{project_id}/?{query}",
        origin=origin or server.url,
        additional_headers=headers,
        open_timeout=10,
    )


def next_message(socket, kind: str, *, timeout: float = 10.0, where=None) -> dict:
    """The next message of type ``kind`` (and matching ``where``), skipping others; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {kind} message within {timeout} s")
        try:
            message = json.loads(socket.recv(timeout=left))
        except TimeoutError:
            continue
        if message.get("type") == kind and (where is None or where(message)):
            return message


def messages_within(socket, seconds: float) -> list[dict]:
    """Everything received in the next ``seconds`` (the socket may close meanwhile)."""
    received, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            received.append(json.loads(socket.recv(timeout=left)))
        except TimeoutError:
            continue
        except ConnectionClosed:
            break
    return received


def closed_code(socket, *, timeout: float = 5.0) -> int | None:
    """Wait for the server to close the socket; its close code."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.recv(timeout=max(0.05, deadline - time.monotonic()))
        except TimeoutError:
            continue
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
    raise AssertionError(f"the socket was not closed within {timeout} s")
