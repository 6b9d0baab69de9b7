"""A real HTTP receiver on 127.0.0.1 (ports 8600-8699) that records what it gets and answers as scripted."""

from __future__ import annotations

import http.server
import ssl
import threading
import time
from dataclasses import dataclass, field

PORTS = range(8600, 8700)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.time)


class Receiver:
    """``statuses`` are answered in turn (the last one repeats). ``hang`` seconds of silence before answering;
    ``drip`` sends the status line and then one header byte every ``drip`` seconds, never finishing."""

    def __init__(
        self,
        *,
        statuses: tuple[int, ...] = (200,),
        hang: float = 0,
        drip: float = 0,
        location: str = "",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.requests: list[Received] = []
        self.server_names: list[str | None] = []
        self._statuses = list(statuses)
        self._released = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append(Received(self.path, dict(self.headers.items()), self.rfile.read(length)))
                if hang:
                    receiver._released.wait(hang)
                if drip:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    while not receiver._released.wait(drip):
                        try:
                            self.wfile.write(b"a")
                            self.wfile.flush()
                        except OSError:
                            return
                    return
                status = receiver._statuses.pop(0) if len(receiver._statuses) > 1 else receiver._statuses[0]
                answer = f"answer {status} ".encode() * 200  # longer than the excerpt kept
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        for port in PORTS:
            try:
                self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError:
                continue
        else:
            raise RuntimeError(f"No free port in {PORTS.start}-{PORTS.stop - 1}")
        if tls is not None:
            tls.sni_callback = lambda sock, name, context: self.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def url(self, path: str = "/hooks/firstslice", host: str = "127.0.0.1") -> str:
        scheme = "https" if isinstance(self.server.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://{host}:{self.port}{path}"
