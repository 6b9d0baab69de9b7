"""The client's IP address: the one function the audit trail, lock-outs and signatures all use.

Behind a reverse proxy (Caddy in the compose stack) every request arrives from the proxy, so ``REMOTE_ADDR`` is
the proxy's address. The client's address is then in ``X-Forwarded-For``, which anyone can also write. The rule:

- the direct peer (``REMOTE_ADDR``) is the client, unless it is one of ``settings.TRUSTED_PROXIES``;
- only when the peer is a trusted proxy is ``X-Forwarded-For`` read, from the right: each trusted proxy appends the
  address it saw, so the first hop from the right that is not itself a trusted proxy is the client. Whatever a client
  wrote further left is its own claim and is never used.

Header parsing (ports, brackets, IPv4-mapped IPv6, RFC 7239 tokens) is django-ipware's (python-ipware's parser);
the trust decision is made here because ipware does not check that ``REMOTE_ADDR`` itself is a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from python_ipware.modern.parsers import parse_ip, split_proxy_chain

if TYPE_CHECKING:
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(entries: Iterable[str]) -> list[Network]:
    """``["127.0.0.1", "172.30.86.0/24"]`` → networks; a typo fails at start-up instead of trusting the wrong peer."""
    networks: list[Network] = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"DJANGO_TRUSTED_PROXIES: {entry!r} is not an IP address or a CIDR range such as 172.30.86.0/24."
            ) from exc
    return networks


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> list[Network]:
    return parse_trusted_proxies(entries)


def _trusted(ip, networks: list[Network]) -> bool:
    return any(ip.version == network.version and ip in network for network in networks)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as seen by the first proxy we trust, or the direct peer when it is not a proxy."""
    if request is None:
        return None
    peer = parse_ip(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not _trusted(peer, networks):
        return str(peer)
    chain = split_proxy_chain(request.META.get("HTTP_X_FORWARDED_FOR", "")) or []
    for hop in reversed(chain):
        if not _trusted(hop, networks):
            return str(hop)
    # Every hop is a trusted proxy (or there is no header): the left-most one is the best we know.
    return str(chain[0]) if chain else str(peer)
