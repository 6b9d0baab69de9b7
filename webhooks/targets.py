"""Which webhook targets Firstslice may call: http(s) URLs whose every address is public.

Pure: no Django and no network. ``target_parse`` reads a URL; ``address_refusal`` says why one IP address is refused
(or None); ``addresses_check`` applies it to everything a host name resolved to. The caller resolves the name once,
checks the answer here, and connects to a checked address, so a DNS answer that changes between the check and the
connection (DNS rebinding) cannot point the request somewhere else.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

SCHEMES = {"http": 80, "https": 443}
# Python 3.11's ipaddress calls 100.64/10 neither private nor global; name it, and the IPv6 ranges, explicitly.
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class TargetRefused(Exception):
    """The URL or an address it resolves to may not be called; the message says why, for a person."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == SCHEMES[self.scheme] else f"{host}:{self.port}"


def target_parse(url: str) -> Target:
    """The parts of a webhook URL; TargetRefused unless it is a plain http or https URL with a host."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused(f"“{url}” is not a valid URL ({error}).") from error
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise TargetRefused("Use an http:// or https:// URL; other schemes are not delivered to.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("Leave user names and passwords out of the URL; the signature authenticates each request.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused("The URL needs a host name, e.g. https://hooks.example.com/firstslice.")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port or SCHEMES[scheme], path=path)


def _range_name(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """The kind of non-public range ``ip`` is in, or None when it is a public address."""
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        if ip in UNIQUE_LOCAL:
            return "a unique local IPv6 address (fc00::/7)"
        if ip.is_site_local:
            return "a site-local IPv6 address"
        if ip in NAT64:
            return "a NAT64 address, which reaches an IPv4 network behind the gateway"
        if ip.sixtofour is not None and _range_name(ip.sixtofour):
            return "a 6to4 address wrapping a non-public IPv4 address"
    if ip in SHARED_ADDRESS_SPACE:
        return "a carrier-grade NAT address (100.64.0.0/10)"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "not a public address"
    return None


def address_refusal(address: str, *, allow_private: bool = False) -> str | None:
    """Why a webhook may not connect to ``address``, or None when it may.

    ``allow_private`` (the WEBHOOKS_ALLOW_PRIVATE_TARGETS setting) lets loopback, private and the other non-public
    ranges through, for a receiver on the same host or network; the unspecified address and multicast never make
    sense as a TCP peer and stay refused.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is not part of it
    except ValueError:
        return "not an IP address"
    kind = _range_name(ip)
    if kind is None:
        return None
    if allow_private and not (ip.is_unspecified or ip.is_multicast):
        return None
    return kind


def addresses_check(host: str, addresses: Iterable[str], *, allow_private: bool = False) -> list[str]:
    """The addresses to connect to, in order; TargetRefused if there are none or any one of them is refused.

    Every address must pass, not just the first: a client may try any of them, and a name that resolves to one
    public and one private address is an attempt to reach the private one.
    """
    unique = list(dict.fromkeys(addresses))
    if not unique:
        raise TargetRefused(f"{host} does not resolve to any address.")
    for address in unique:
        kind = address_refusal(address, allow_private=allow_private)
        if kind is not None:
            shown = host if host == address else f"{host} resolves to {address}, which"
            raise TargetRefused(
                f"{shown} is {kind}. Webhooks go only to public addresses; an administrator can allow private "
                "targets with WEBHOOKS_ALLOW_PRIVATE_TARGETS."
            )
    return unique
