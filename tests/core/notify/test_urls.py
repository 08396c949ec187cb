"""Webhook URLs: http(s) only, and no loopback/private/link-local target unless allowed."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from medvigil.core.errors import InputError
from medvigil.core.notify.urls import check_webhook_url, parse_networks, pin_webhook_url

TABLE = {
    "hooks.example.com": ["93.184.215.14"],
    "localhost": ["127.0.0.1", "::1"],
    "intranet.local": ["10.1.2.3"],
    "metadata": ["169.254.169.254"],
    "mixed.example.com": ["93.184.215.14", "192.168.1.5"],
    "v6mapped": ["::ffff:127.0.0.1"],
}


def resolve(host: str, port: int) -> Iterable[str]:
    if host not in TABLE:
        raise OSError("name not known")
    return TABLE.get(host, [host])


def _resolve_or_literal(host: str, port: int) -> Iterable[str]:
    return TABLE.get(host) or [host]


def test_a_public_https_url_is_accepted() -> None:
    assert (
        check_webhook_url(" https://hooks.example.com/x ", allowed=(), resolve=resolve)
        == "https://hooks.example.com/x"
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("gopher://hooks.example.com/", "only http and https"),
        ("ftp://hooks.example.com/", "only http and https"),
        ("https:///nohost", "no host"),
        ("http://[::1/", "not a URL"),
        ("https://user:pw@hooks.example.com/", "credentials"),
        ("https://hooks.example.com:99999/", "port"),
        ("http://localhost:8000/hook", "loopback"),
        ("http://intranet.local/", "private"),
        ("http://metadata/latest/meta-data", "169.254.169.254"),
        ("https://mixed.example.com/", "192.168.1.5"),
        ("http://v6mapped/", "v6mapped resolves to ::ffff:7f00:1"),
        ("http://unknown.invalid/", "cannot resolve"),
    ],
)
def test_refused_urls_name_the_reason(url: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        check_webhook_url(url, allowed=(), resolve=resolve)


@pytest.mark.parametrize(
    "literal", ["http://127.0.0.1:9/", "http://[::1]/", "http://0.0.0.0/", "http://224.0.0.1/"]
)
def test_ip_literals_that_are_not_public_are_refused(literal: str) -> None:
    with pytest.raises(InputError):
        check_webhook_url(literal, allowed=(), resolve=_resolve_or_literal)


def test_an_allowed_network_opens_exactly_that_network() -> None:
    allowed = parse_networks(["127.0.0.0/8", "::1/128"])
    assert check_webhook_url("http://localhost:8000/h", allowed=allowed, resolve=resolve)
    with pytest.raises(InputError, match="10.1.2.3"):
        check_webhook_url("http://intranet.local/", allowed=allowed, resolve=resolve)


def test_a_bad_network_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not an IP network"):
        parse_networks(["10.0.0.0/33"])


@pytest.mark.parametrize(
    ("url", "pinned", "host", "sni"),
    [
        ("https://hooks.example.com/x?a=1", "https://93.184.215.14:443/x?a=1", "hooks.example.com",
         "hooks.example.com"),
        ("http://Hooks.Example.com:8080/x#frag", "http://93.184.215.14:8080/x", "Hooks.Example.com:8080",
         None),
        ("https://[2606:2800:220:1::1]:8443/h", "https://[2606:2800:220:1::1]:8443/h",
         "[2606:2800:220:1::1]:8443", None),
        ("https://93.184.215.14/h", "https://93.184.215.14:443/h", "93.184.215.14", None),
        ("http://localhost:9/h", "http://127.0.0.1:9/h", "localhost:9", None),  # the first address
    ],
)  # fmt: skip
def test_a_pinned_url_posts_to_the_checked_address_with_the_host_name_kept(
    url: str, pinned: str, host: str, sni: str | None
) -> None:
    allowed = parse_networks(["127.0.0.0/8", "::1/128"])
    target = pin_webhook_url(url, allowed=allowed, resolve=_resolve_or_literal)
    assert (target.url, target.host, target.sni_hostname) == (pinned, host, sni)


def test_a_pinned_url_is_refused_as_a_checked_one_is() -> None:
    for url in ("https://mixed.example.com/x", "http://metadata/latest", "ftp://hooks.example.com/"):
        with pytest.raises(InputError):
            pin_webhook_url(url, allowed=(), resolve=resolve)
