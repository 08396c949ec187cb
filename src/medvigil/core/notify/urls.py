"""Which webhook URLs medvigil may post to (server-side request forgery guard).

Only ``http``/``https`` URLs without user info are accepted. Every address the host name resolves
to must be a public unicast address, unless it lies in a network the operator allowed
(``MEDVIGIL_WEBHOOK_ALLOWED_NETWORKS``): loopback, private (RFC 1918, ULA), link-local (cloud
metadata at 169.254.169.254), multicast, reserved and unspecified addresses are refused. The web
layer checks when a subscription is saved and again before each delivery (a DNS answer can change).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

from medvigil.core.errors import InputError

__all__ = ["IpNetwork", "check_webhook_url", "parse_networks"]

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Iterable[str]]


def parse_networks(values: Sequence[str]) -> tuple[IpNetwork, ...]:
    """CIDR strings (``127.0.0.1/32``, ``10.0.0.0/8``) to networks; a bad one raises InputError."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise InputError(f"{value!r} is not an IP network (CIDR)", field="networks") from None
    return tuple(out)


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _host_port(url: str) -> tuple[str, int]:
    """The URL's host and port, or InputError naming what is wrong with it."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InputError("not a URL", field="url") from None
    if parts.scheme not in ("http", "https"):
        raise InputError("only http and https URLs can receive webhooks", field="url")
    if not host:
        raise InputError("the URL has no host", field="url")
    if parts.username or parts.password:
        raise InputError("put credentials in the secret, not in the URL", field="url")
    try:
        return host, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InputError("the URL's port is not a number 1-65535", field="url") from None


def check_webhook_url(url: str, *, allowed: Sequence[IpNetwork], resolve: Resolver) -> str:
    """Return ``url`` when medvigil may post to it, else raise InputError naming why.

    ``resolve(host, port)`` returns the host's addresses (the caller passes a DNS lookup; tests
    pass a table).
    """
    host, port = _host_port(url.strip())
    try:
        addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolve(host, port)]
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot resolve {host}: {exc}", field="url") from None
    if not addresses:
        raise InputError(f"{host} has no address", field="url")
    for address in addresses:
        if not _public(address) and not any(address in network for network in allowed):
            raise InputError(
                f"{host} resolves to {address}, a loopback, private, link-local or reserved "
                "address; allow its network in MEDVIGIL_WEBHOOK_ALLOWED_NETWORKS if this is intended",
                field="url",
            )
    return url.strip()
