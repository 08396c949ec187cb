"""CSAF provider fetcher against a provider served on 127.0.0.1 from CISA's real ICSMA files.

The served provider is CISA's OT TLP:WHITE distribution reduced to six medical advisories: the
documents with CISA's own ``.sha512`` and ``.asc`` files, CISA's ``changes.csv``/``index.txt``
lines for them (CISA writes repository-root paths; they are made relative to the directory URL
as CSAF 2.0 section 7.1.8 requires) and CISA's ROLIE feed entries pointed at the local server.
CISA's public key is not in ../shared, so the OpenPGP cases sign with a throw-away key.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from medvigil.core.feeds.sync.csaf_provider import CsafProviderFetcher, provider_configs
from medvigil.core.feeds.sync.interface import FetchResult, SyncContext
from medvigil.core.feeds.sync.registry import FETCHERS
from tests.conftest import shared_path
from tests.core.feeds.sync.conftest import FeedServer
from tests.core.feeds.sync.helpers import Clock
from tests.gnupg import gnupg_home, gpg_run, key_generate

PREFIX = "csaf_files/OT/white/"
DIR = "/csaf/white/"
METADATA = "/.well-known/csaf/provider-metadata.json"
ROLIE = "/csaf/white/feed-tlp-white.json"
KEY = "/keys/test.asc"
DOCS = (
    "icsma-24-254-01",
    "icsma-24-249-01",
    "icsma-24-200-01",
    "icsma-24-163-01",
    "icsma-24-151-02",
    "icsma-24-151-01",
)


@dataclass
class Provider:
    server: FeedServer
    files: dict[str, bytes]
    """Served path -> bytes (documents, hashes, signatures)."""
    stamps: dict[str, str]
    """Document path -> changes.csv timestamp."""

    @property
    def metadata_url(self) -> str:
        return self.server.url + METADATA

    def doc_path(self, name: str) -> str:
        return next(p for p in self.stamps if p.endswith(f"/{name}.json"))

    def serve(self, path: str, body: bytes) -> None:
        self.files[path] = body
        self.server.static(path, body)

    def drop(self, path: str) -> None:
        self.files.pop(path, None)
        self.server.routes.pop(path, None)

    def metadata(
        self,
        *,
        directory: str | None = DIR,
        rolie: bool = False,
        keys: list[dict[str, str]] | None = None,
        tlp: str = "WHITE",
    ) -> None:
        example = json.loads(
            shared_path(
                "csaf", "oasis-csaf-2.0", "examples", "provider-metadata", "example-01-provider-metadata.json"
            ).read_bytes()
        )
        dists: list[dict[str, Any]] = []
        if directory:
            dists.append({"directory_url": self.server.url + directory})
        if rolie:
            dists.append(
                {
                    "rolie": {
                        "feeds": [
                            {
                                "summary": "TLP:WHITE advisories",
                                "tlp_label": tlp,
                                "url": self.server.url + ROLIE,
                            }
                        ]
                    }
                }
            )
        example.update(
            canonical_url=self.metadata_url,
            distributions=dists,
            public_openpgp_keys=keys or [],
            publisher={
                "category": "coordinator",
                "name": "CISA (local copy)",
                "namespace": "https://www.cisa.gov/",
            },
        )
        self.server.static(METADATA, json.dumps(example).encode())


@pytest.fixture
def provider(feed_server: FeedServer) -> Provider:
    source = shared_path("csaf", "cisa", "icsma")
    feeds = shared_path("csaf", "cisa", "feeds")
    wanted = {f"{n}.json" for n in DOCS}
    stamps: dict[str, str] = {}
    changes: list[str] = []
    for line in (feeds / "ot-changes.csv").read_text().splitlines():
        path, stamp = line.split(",")
        if path.rsplit("/", 1)[-1] in wanted:
            rel = path.removeprefix(PREFIX)
            stamps[DIR + rel] = stamp
            changes.append(f'"{rel}","{stamp}"\n')
    index = [
        line.removeprefix(PREFIX) + "\n"
        for line in (feeds / "ot-index.txt").read_text().splitlines()
        if line.rsplit("/", 1)[-1] in wanted
    ]
    assert len(stamps) == len(DOCS) == len(index)
    state = Provider(feed_server, {}, stamps)
    for path in stamps:
        name = path.rsplit("/", 1)[-1]
        for suffix in ("", ".sha512", ".asc"):
            state.serve(path + suffix, (source / (name + suffix)).read_bytes())
    feed_server.static(DIR + "changes.csv", "".join(changes).encode())
    feed_server.static(DIR + "index.txt", "".join(index).encode())
    rolie = json.loads(gzip.decompress((feeds / "cisa-csaf-ot-feed-tlp-white.json.gz").read_bytes()))
    upstream = "https://raw.githubusercontent.com/cisagov/CSAF/develop/" + PREFIX
    entries = [e for e in rolie["feed"]["entry"] if e["content"]["src"].rsplit("/", 1)[-1] in wanted]
    rolie["feed"]["entry"] = json.loads(json.dumps(entries).replace(upstream, feed_server.url + DIR))
    feed_server.static(ROLIE, json.dumps(rolie).encode())
    state.metadata()
    return state


@pytest.fixture
def fetch(tmp_path: Path) -> Iterator[Callable[..., tuple[FetchResult, SyncContext]]]:
    client = httpx.Client(timeout=10)
    runs = iter(range(1000))

    def run(options: dict[str, Any], cursor: dict[str, str] | None = None) -> tuple[FetchResult, SyncContext]:
        clock = Clock()
        dest = tmp_path / f"run{next(runs)}"
        dest.mkdir()
        ctx = SyncContext(
            client=client, dest=dest, cursor=cursor or {}, options=options, sleep=clock.sleep, now=clock.now
        )
        return FetchResult_of(ctx), ctx

    yield run
    client.close()


def FetchResult_of(ctx: SyncContext) -> FetchResult:  # noqa: N802 - reads as a constructor
    return FETCHERS["csaf"].fetch(ctx)


def names(result: FetchResult) -> list[str]:
    return sorted(f.path.name.removesuffix(".json") for f in result.files)


def test_registered() -> None:
    assert isinstance(FETCHERS["csaf"], CsafProviderFetcher)


def test_full_fetch_through_index_txt(provider: Provider, fetch: Callable[..., Any]) -> None:
    result, ctx = fetch({"providers": [provider.metadata_url]})
    assert names(result) == sorted(DOCS)
    assert result.rejected == ()
    assert result.full
    for file in result.files:
        assert file.source == "csaf"
        served = file.url.removeprefix(provider.server.url)
        assert file.path.read_bytes() == provider.files[served]
        assert file.path.relative_to(ctx.dest).as_posix().endswith(served.lstrip("/"))
    assert provider.server.hits(DIR + "index.txt")
    assert result.cursor == {provider.metadata_url: "2024-09-10T06:00:00.000000Z"}
    assert sum("signatures are not checked" in e for e in ctx.events) == 1


def test_incremental_through_changes_csv(provider: Provider, fetch: Callable[..., Any]) -> None:
    cursor = {provider.metadata_url: "2024-06-11T06:00:00.000000Z"}  # icsma-24-163-01's timestamp
    result, _ = fetch({"providers": [{"url": provider.metadata_url}]}, cursor)
    assert names(result) == ["icsma-24-200-01", "icsma-24-249-01", "icsma-24-254-01"]
    assert not result.full
    assert not provider.server.hits(DIR + "index.txt")
    assert not provider.server.hits(provider.doc_path("icsma-24-163-01"))
    assert result.cursor[provider.metadata_url] == "2024-09-10T06:00:00.000000Z"
    again, _ = fetch({"providers": [provider.metadata_url]}, dict(result.cursor))
    assert again.files == () and again.cursor == result.cursor


def test_rolie_feed(provider: Provider, fetch: Callable[..., Any]) -> None:
    provider.metadata(directory=None, rolie=True)
    result, _ = fetch({"providers": [provider.metadata_url]})
    assert names(result) == sorted(DOCS)
    assert provider.server.hits(ROLIE)
    assert not provider.server.hits(DIR + "changes.csv")
    later, _ = fetch({"providers": [provider.metadata_url]}, {provider.metadata_url: "2024-09-05T06:00:00Z"})
    assert names(later) == ["icsma-24-254-01"]


def test_rolie_feed_of_an_unwanted_tlp_is_skipped(provider: Provider, fetch: Callable[..., Any]) -> None:
    provider.metadata(directory=None, rolie=True, tlp="AMBER")
    result, ctx = fetch({"providers": [provider.metadata_url]})
    assert result.files == ()
    assert any("TLP:AMBER" in e and "skipped" in e for e in ctx.events)


@pytest.mark.parametrize("tamper", ["body", "hash"])
def test_bad_hash_is_rejected_and_the_rest_accepted(
    provider: Provider, fetch: Callable[..., Any], tamper: str
) -> None:
    path = provider.doc_path("icsma-24-200-01")
    if tamper == "body":
        provider.serve(
            path,
            provider.files[path].replace(
                b'"category": "csaf_security_advisory"', b'"category": "csaf_base"', 1
            ),
        )
    else:
        provider.serve(
            path + ".sha512", hashlib.sha512(b"something else").hexdigest().encode() + b"  x.json\n"
        )
    result, ctx = fetch({"providers": [provider.metadata_url]})
    assert names(result) == sorted(set(DOCS) - {"icsma-24-200-01"})
    assert [r.url for r in result.rejected] == [provider.server.url + path]
    assert result.rejected[0].reason.startswith("SHA-512 mismatch: expected ")
    assert any("rejected" in e and "icsma-24-200-01" in e for e in ctx.events)
    assert result.cursor[provider.metadata_url] == "2024-09-10T06:00:00.000000Z"  # not blocked


def test_sha256_is_used_when_there_is_no_sha512(provider: Provider, fetch: Callable[..., Any]) -> None:
    path = provider.doc_path("icsma-24-254-01")
    provider.drop(path + ".sha512")
    provider.serve(path + ".sha256", b"0" * 64 + b"  icsma-24-254-01.json\n")
    result, _ = fetch({"providers": [provider.metadata_url]})
    assert [r.reason[:16] for r in result.rejected] == ["SHA-256 mismatch"]
    provider.serve(path + ".sha256", hashlib.sha256(provider.files[path]).hexdigest().encode())
    result, _ = fetch({"providers": [provider.metadata_url]})
    assert names(result) == sorted(DOCS)


def test_missing_hash_file(provider: Provider, fetch: Callable[..., Any]) -> None:
    path = provider.doc_path("icsma-24-151-01")
    provider.drop(path + ".sha512")
    strict, _ = fetch({"providers": [provider.metadata_url]})
    assert [r.reason for r in strict.rejected] == ["no .sha512 or .sha256 hash file (require_hash is set)"]
    lenient, ctx = fetch({"providers": [{"url": provider.metadata_url, "require_hash": False}]})
    assert names(lenient) == sorted(DOCS)
    assert any("no hash file" in e for e in ctx.events)


def test_unavailable_document_holds_the_cursor(provider: Provider, fetch: Callable[..., Any]) -> None:
    path = provider.doc_path("icsma-24-249-01")
    provider.server.route(path, lambda _r: (500, {}, b"down"))
    result, ctx = fetch({"providers": [provider.metadata_url]})
    assert "icsma-24-249-01" not in names(result) and "icsma-24-254-01" in names(result)
    assert result.cursor[provider.metadata_url] == "2024-07-18T06:00:00.000000Z"  # the newest before it
    assert any("retried next run" in e for e in ctx.events)


def test_invalid_provider_metadata_skips_the_provider(provider: Provider, fetch: Callable[..., Any]) -> None:
    provider.server.static(METADATA, json.dumps({"canonical_url": provider.metadata_url}).encode())
    result, _ = fetch({"providers": [provider.metadata_url]}, {provider.metadata_url: "2024-01-01T00:00:00Z"})
    assert result.files == ()
    assert "not valid CSAF provider metadata" in result.rejected[0].reason
    assert result.cursor == {provider.metadata_url: "2024-01-01T00:00:00Z"}


def test_provider_entries_from_options(tmp_path: Path) -> None:
    key = tmp_path / "k.asc"
    key.write_text("-----BEGIN PGP PUBLIC KEY BLOCK-----\n...")
    configs = provider_configs(
        {
            "providers": [
                "example.com",
                {"domain": "https://psirt.example.org", "public_keys": [str(key)], "tlp": "TLP:GREEN"},
            ],
            "require_hash": False,
        }
    )
    assert [c.url for c in configs] == [
        "https://example.com/.well-known/csaf/provider-metadata.json",
        "https://psirt.example.org/.well-known/csaf/provider-metadata.json",
    ]
    assert configs[1].public_keys == (key.read_bytes(),)
    assert configs[1].tlp == frozenset({"GREEN"}) and configs[0].tlp == frozenset({"WHITE", "CLEAR"})
    assert not configs[0].require_hash


# --- OpenPGP -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    public_key: bytes
    fingerprint: str
    sign: Callable[[bytes], bytes]


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Signer]:
    with gnupg_home(tmp_path_factory.mktemp("gnupg") / "home") as home:
        fingerprint = key_generate(home, "Test PSIRT <psirt@example.com>")
        yield Signer(
            gpg_run(home, "--armor", "--export"),
            fingerprint,
            lambda data: gpg_run(home, "--armor", "--detach-sign", data=data),
        )


def sign_docs(provider: Provider, signer: Signer, names_: tuple[str, ...]) -> None:
    for name in names_:
        path = provider.doc_path(name)
        provider.serve(path + ".asc", signer.sign(provider.files[path]))


def test_signatures_with_the_key_listed_in_provider_metadata(
    provider: Provider, fetch: Callable[..., Any], signer: Signer
) -> None:
    provider.server.static(KEY, signer.public_key)
    provider.metadata(keys=[{"fingerprint": signer.fingerprint, "url": provider.server.url + KEY}])
    sign_docs(provider, signer, ("icsma-24-254-01", "icsma-24-249-01"))
    # Tamper with one signed document and give it a matching hash: only the signature catches it.
    path = provider.doc_path("icsma-24-249-01")
    forged = provider.files[path].replace(b"Baxter", b"Baxtor")
    assert forged != provider.files[path]
    provider.serve(path, forged)
    provider.serve(path + ".sha512", hashlib.sha512(forged).hexdigest().encode())
    result, ctx = fetch(
        {"providers": [provider.metadata_url]}, {provider.metadata_url: "2024-07-18T06:00:00Z"}
    )
    assert names(result) == ["icsma-24-254-01"]
    assert [(r.url.rsplit("/", 1)[-1], r.reason) for r in result.rejected] == [
        (
            "icsma-24-249-01.json",
            "OpenPGP signature: bad signature (the document or the signature was altered)",
        )
    ]
    assert not any("signatures are not checked" in e for e in ctx.events)
    assert provider.server.hits(KEY)


def test_real_cisa_signature_needs_cisas_key(
    provider: Provider, fetch: Callable[..., Any], signer: Signer, tmp_path: Path
) -> None:
    """CISA's real .asc files are checked: with only our key configured they are refused."""
    key = tmp_path / "ours.asc"
    key.write_bytes(signer.public_key)
    sign_docs(provider, signer, ("icsma-24-254-01",))
    options = {
        "providers": [
            {"url": provider.metadata_url, "public_keys": [str(key)], "fingerprints": [signer.fingerprint]}
        ]
    }
    result, _ = fetch(options, {provider.metadata_url: "2024-07-18T06:00:00Z"})
    assert names(result) == ["icsma-24-254-01"]
    assert [(r.url.rsplit("/", 1)[-1], r.reason) for r in result.rejected] == [
        ("icsma-24-249-01.json", "OpenPGP signature: signed by a key that is not configured")
    ]


def test_missing_signature_is_rejected_when_keys_are_configured(
    provider: Provider, fetch: Callable[..., Any], signer: Signer
) -> None:
    sign_docs(provider, signer, ("icsma-24-254-01",))
    provider.drop(provider.doc_path("icsma-24-254-01") + ".asc")
    options = {"providers": [{"url": provider.metadata_url, "public_keys": [signer.public_key.decode()]}]}
    result, _ = fetch(options, {provider.metadata_url: "2024-09-05T06:00:00Z"})
    assert result.files == ()
    assert "no OpenPGP signature" in result.rejected[0].reason


def test_cisa_style_paths_relative_to_the_repository_root(
    provider: Provider, fetch: Callable[..., Any]
) -> None:
    """CISA's changes.csv/index.txt, verbatim: paths repeat the directory URL's folders."""
    feeds = shared_path("csaf", "cisa", "feeds")
    wanted = {f"{n}.json" for n in DOCS}
    root = "/" + PREFIX
    for name, suffix in (("ot-changes.csv", "changes.csv"), ("ot-index.txt", "index.txt")):
        lines = [
            ln
            for ln in (feeds / name).read_text().splitlines()
            if ln.split(",")[0].rsplit("/", 1)[-1] in wanted
        ]
        provider.server.static(root + suffix, "".join(f"{ln}\n" for ln in lines).encode())
    for path, body in list(provider.files.items()):
        provider.server.static(path.replace(DIR, root, 1), body)
    provider.metadata(directory=root.rstrip("/"))  # no trailing slash either
    result, _ = fetch({"providers": [provider.metadata_url]})
    assert names(result) == sorted(DOCS) and result.rejected == ()
    assert all(f.url.startswith(provider.server.url + root + "2024/") for f in result.files)
    later, _ = fetch({"providers": [provider.metadata_url]}, dict(result.cursor))
    assert later.files == () and later.rejected == ()


def test_cursor_never_passes_a_document_that_failed_at_the_same_timestamp(
    provider: Provider, fetch: Callable[..., Any]
) -> None:
    """icsma-24-151-01 and -02 share 2024-05-30T06:00:00Z; one of them fails to download."""
    path = provider.doc_path("icsma-24-151-02")
    body = provider.files[path]
    provider.server.route(path, lambda _r: (503, {}, b"busy"))
    cursor = {provider.metadata_url: "2024-01-01T00:00:00.000000Z"}
    first, _ = fetch({"providers": [provider.metadata_url]}, cursor)
    assert "icsma-24-151-02" not in names(first) and "icsma-24-151-01" in names(first)
    assert first.cursor == cursor
    provider.serve(path, body)
    second, _ = fetch({"providers": [provider.metadata_url]}, dict(first.cursor))
    assert "icsma-24-151-02" in names(second)
    assert second.cursor[provider.metadata_url] == "2024-09-10T06:00:00.000000Z"
