"""One signed POST to a webhook target, pinned to the address that was checked.

No Django here. ``target_resolve`` looks the host up once and checks every address it got (``targets``); ``post``
connects to one of those checked addresses itself, never by name, and sends the host name in the Host header and,
for https, as the TLS server name (SNI) that the certificate must match. Redirects are not followed (http.client
never follows them; a 3xx counts as a failed delivery). The connection may take ``connect_timeout`` seconds and the
whole answer ``read_timeout`` more, however slowly the receiver drips it; only a short excerpt of the body is read.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from webhooks.targets import Target, TargetRefused, addresses_check, target_parse

EXCERPT_BYTES = 1024
USER_AGENT = "Firstslice-Webhooks/1"


class DeliveryError(Exception):
    """The request did not get an answer (no connection, TLS failure, timeout); the message says what happened."""


@dataclass(frozen=True)
class Reply:
    status: int
    excerpt: str
    address: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def target_resolve(target: Target, *, allow_private: bool) -> list[str]:
    """The checked addresses of the target's host, from one DNS lookup; TargetRefused if any is refused."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"{target.host} could not be looked up ({error}); check the host name.") from error
    return addresses_check(target.host, (info[4][0] for info in infos), allow_private=allow_private)


def url_check(url: str, *, allow_private: bool) -> tuple[Target, list[str]]:
    """Parse and resolve a webhook URL as a delivery would; TargetRefused says what is wrong with it."""
    target = target_parse(url)
    return target, target_resolve(target, allow_private=allow_private)


class _Deadline:
    """Cuts the connection once the receiver has had ``seconds`` to answer, so a trickle of bytes cannot hold us."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._timer: threading.Timer | None = None

    def start(self, sock: socket.socket) -> None:
        self._timer = threading.Timer(self.seconds, self._cut, args=(sock,))
        self._timer.daemon = True
        self._timer.start()

    def _cut(self, sock: socket.socket) -> None:
        self.expired = True
        try:
            sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked recv, unlike close()
        except OSError:
            pass

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _pinned_socket(addresses: list[str], port: int, connect_timeout: float) -> tuple[socket.socket, str]:
    """A TCP connection to the first checked address that accepts one."""
    errors = []
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=connect_timeout), address
        except OSError as error:
            errors.append(f"{address}: {error}")
    raise DeliveryError(f"Could not connect ({'; '.join(errors)}).")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address; ``host`` is used only for the Host header."""

    def __init__(self, target: Target, addresses: list[str], connect_timeout: float, deadline: _Deadline) -> None:
        super().__init__(target.host, target.port, timeout=deadline.seconds)
        self._addresses = addresses
        self._connect_timeout = connect_timeout
        self._deadline = deadline
        self.address = ""

    def _open(self) -> socket.socket:
        sock, self.address = _pinned_socket(self._addresses, self.port, self._connect_timeout)
        sock.settimeout(self.timeout)
        self._deadline.start(sock)
        return sock

    def connect(self) -> None:
        self.sock = self._open()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """The same over TLS: SNI and certificate checks use the host name, not the address connected to."""

    default_port = http.client.HTTPS_PORT  # the Host header leaves out :443

    def __init__(self, *args, ssl_context: ssl.SSLContext, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._ssl_context = ssl_context

    def connect(self) -> None:
        self.sock = self._ssl_context.wrap_socket(self._open(), server_hostname=self.host)


def post(
    *,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    allow_private: bool,
    connect_timeout: float,
    read_timeout: float,
    ssl_context: ssl.SSLContext | None = None,
) -> Reply:
    """POST ``body`` to ``url`` once. TargetRefused (nothing sent) or DeliveryError (no answer), else the Reply."""
    target, addresses = url_check(url, allow_private=allow_private)
    deadline = _Deadline(read_timeout)
    if target.scheme == "https":
        connection: _PinnedHTTPConnection = _PinnedHTTPSConnection(
            target, addresses, connect_timeout, deadline, ssl_context=ssl_context or ssl.create_default_context()
        )
    else:
        connection = _PinnedHTTPConnection(target, addresses, connect_timeout, deadline)
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={"User-Agent": USER_AGENT, "Content-Type": "application/json", **headers},
        )
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES)
        if deadline.expired:  # cut mid-answer: http.client takes the end of the stream for the end of the headers
            raise DeliveryError(f"No complete answer within {read_timeout:g} s.")
        return Reply(status=response.status, excerpt=excerpt.decode("utf-8", "replace"), address=connection.address)
    except DeliveryError:
        raise
    except (OSError, http.client.HTTPException) as error:
        if deadline.expired or isinstance(error, TimeoutError):
            raise DeliveryError(f"No complete answer within {read_timeout:g} s.") from error
        raise DeliveryError(f"{type(error).__name__}: {error}") from error
    finally:
        deadline.cancel()
        connection.close()
