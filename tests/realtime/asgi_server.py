"""A real ASGI server for tests: uvicorn running ``config.asgi.application`` in a thread of the test process.

It serves the pages, the static files (as pytest-django's live server does) and the WebSockets, against the test
database and the channel layer of the settings (channels-redis on the test Redis when REDIS_URL is set). It listens on
the first free port of ``ASGI_TEST_PORTS`` (env, "first-last"; default 8610-8619).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

HOST = "127.0.0.1"


def _port_range() -> range:
    first, _, last = os.environ.get("ASGI_TEST_PORTS", "8610-8619").partition("-")
    return range(int(first), int(last or first) + 1)


def free_port() -> int:
    for port in _port_range():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {_port_range()} for the ASGI test server (set ASGI_TEST_PORTS)")


@dataclass
class AsgiServer:
    server: uvicorn.Server
    thread: threading.Thread
    port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_asgi_server() -> AsgiServer:
    from config.asgi import application

    port = free_port()
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application),
        host=HOST,
        port=port,
        lifespan="off",
        log_level="warning",
        ws_ping_interval=None,  # the tests decide when a socket goes quiet
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"asgi-test-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the ASGI test server did not start on port {port}")
        time.sleep(0.02)
    return AsgiServer(server=server, thread=thread, port=port)
