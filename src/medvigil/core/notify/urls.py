"""Which webhook URLs medvigil may post to (server-side request forgery guard).

Only ``http``/``https`` URLs without user info are accepted. Every address the host name resolves
to must be a public unicast address, unless it lies in a network the operator allowed
(``MEDVIGIL_WEBHOOK_ALLOWED_NETWORKS``): loopback, private (RFC 1918, ULA), link-local (cloud
metadata at 169.254.169.254), multicast, reserved and unspecified addresses are refused. The web
layer checks when a subscription is saved and again before each delivery (a DNS answer can change),
and posts to the address it checked (:func:`pin_webhook_url`): the HTTP client never asks DNS
again, so a second answer (DNS rebinding: public when checked, internal when connecting) cannot
send the request elsewhere. TLS still checks the certificate against the host name (SNI).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

from medvigil.core.errors import InputError

__all__ = ["IpNetwork", "WebhookTarget", "check_webhook_url", "parse_networks", "pin_webhook_url"]

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """Where to post a checked webhook URL."""

    url: str
    """The URL with its host replaced by the checked address (the client resolves nothing)."""
    host: str
    """The ``Host`` header: the URL's own host (and port, when the URL gives one)."""
    sni_hostname: str | None
    """The TLS server name, checked against the certificate: the host name of an ``https`` URL
    (None for ``http`` and for an IP literal)."""
    address: str
    """The checked address posted to."""


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


def _split(url: str) -> tuple[SplitResult, str, int]:
    """The URL's parts, host and port, or InputError naming what is wrong with it."""
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
        return parts, host, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InputError("the URL's port is not a number 1-65535", field="url") from None


def _checked(
    url: str, allowed: Sequence[IpNetwork], resolve: Resolver
) -> tuple[SplitResult, str, int, IpAddress]:
    """The URL's parts, host, port and first address, when every address may be posted to."""
    parts, host, port = _split(url.strip())
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
    return parts, host, port, addresses[0]


def check_webhook_url(url: str, *, allowed: Sequence[IpNetwork], resolve: Resolver) -> str:
    """Return ``url`` when medvigil may post to it, else raise InputError naming why.

    ``resolve(host, port)`` returns the host's addresses (the caller passes a DNS lookup; tests
    pass a table).
    """
    _checked(url, allowed, resolve)
    return url.strip()


def pin_webhook_url(url: str, *, allowed: Sequence[IpNetwork], resolve: Resolver) -> WebhookTarget:
    """Check ``url`` as :func:`check_webhook_url` does and return where to post it: the first
    checked address in place of the host, with the ``Host`` header and TLS server name of the
    host, so that connecting asks DNS nothing (no rebinding between the check and the request)."""
    parts, host, port, address = _checked(url, allowed, resolve)
    literal = f"[{address}]" if address.version == 6 else str(address)
    pinned = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path, parts.query, ""))
    try:
        ipaddress.ip_address(host.split("%")[0])
        named = False
    except ValueError:
        named = True
    sni = host if parts.scheme == "https" and named else None
    return WebhookTarget(url=pinned, host=parts.netloc, sni_hostname=sni, address=str(address))
