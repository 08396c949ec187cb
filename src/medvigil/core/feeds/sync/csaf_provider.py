"""CSAF 2.0 provider fetcher (CSAF 2.0 section 7, consumer side).

Options (``SyncContext.options``)::

    providers: [                       # one entry per provider; a plain string is {"url": ...}
        {"url": "https://psirt.example.com/.well-known/csaf/provider-metadata.json",
         # or "domain": "example.com"  -> https://example.com/.well-known/csaf/provider-metadata.json
         "public_keys": ["/etc/medvigil/example.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----..."],
         "fingerprints": ["8F5F2679..."],   # optional: accept only signatures by these keys
         "use_provider_keys": true,         # also trust the keys the metadata lists (default)
         "tlp": ["WHITE", "CLEAR"],         # TLP labels to fetch (default)
         "require_hash": true}              # missing .sha512/.sha256 -> reject (default)
    ]
    require_hash: true                 # default for every provider
    gpgv: "/usr/bin/gpgv"              # the gpgv binary (see :mod:`.openpgp`)

For each provider the fetcher reads ``provider-metadata.json`` (checked against the CSAF provider
schema), then each of its ``distributions``: a ``directory_url`` (``changes.csv`` for an
incremental run; ``index.txt`` for the first, full one) and/or ``rolie.feeds`` whose
``tlp_label`` is wanted. Every document newer than the provider's cursor is downloaded with its
``.sha512`` (else ``.sha256``): a mismatch, and a missing hash file while ``require_hash`` holds,
reject the document. When public keys are known, the ``.asc`` detached signature is checked
with ``gpgv``; a bad or missing signature rejects the document. Without keys, signatures are
not checked and the run's events say so once per provider. A document whose
``document.distribution.tlp.label`` is not wanted is skipped (a document without a TLP label is
treated as TLP:CLEAR).

Accepted documents are written under ``ctx.dest/<host>/<path of the URL>``. The cursor maps
each provider's metadata URL to the newest ``changes.csv``/ROLIE ``updated`` timestamp up to
which every document was handled (accepted or rejected); a document that could not be
downloaded stops the cursor just before it so the next run retries it.

Not implemented: provider discovery through ``security.txt`` or DNS (give the metadata URL or
the domain whose ``/.well-known/csaf/`` holds it), aggregators' ``csaf_providers`` lists, and
TLP:AMBER/RED feeds that need client certificates or credentials.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import orjson
from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT7

from medvigil.core.errors import FeedError, FeedUnavailableError
from medvigil.core.feeds.sync import http, openpgp
from medvigil.core.feeds.sync.interface import FetchedFile, FetchResult, Rejection, SyncContext
from medvigil.core.feeds.validation import SCHEMA_DIR, violations

__all__ = ["CsafProviderFetcher", "ProviderConfig", "provider_configs", "provider_validator"]

SOURCE = "csaf"
DEFAULT_TLP = ("WHITE", "CLEAR")
WELL_KNOWN = "/.well-known/csaf/provider-metadata.json"
MAX_DOCUMENT = 64 << 20
"""Largest CSAF document accepted (the largest CISA advisories are a few hundred KB)."""
MAX_SMALL = 1 << 20
"""Largest hash, signature or key file accepted."""
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_HASHES = ((".sha512", "sha512", "SHA-512"), (".sha256", "sha256", "SHA-256"))
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """One configured provider."""

    url: str
    """URL of its ``provider-metadata.json``; also its cursor key."""
    public_keys: tuple[bytes, ...] = ()
    fingerprints: tuple[str, ...] = ()
    use_provider_keys: bool = True
    tlp: frozenset[str] = frozenset(DEFAULT_TLP)
    require_hash: bool = True


@dataclass(frozen=True, slots=True)
class _Doc:
    url: str
    updated: dt.datetime | None
    """changes.csv / ROLIE timestamp (None from index.txt)."""
    hash_url: str | None = None
    """ROLIE ``hash`` link; None: try ``.sha512`` then ``.sha256``."""
    signature_url: str | None = None


@dataclass
class _Keys:
    keys: list[bytes] = field(default_factory=list)
    fingerprints: list[str] = field(default_factory=list)


def _load_key(value: str) -> bytes:
    if "-----BEGIN PGP" in value:
        return value.encode()
    path = Path(value).expanduser()
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FeedError(f"CSAF provider public key {value!r} cannot be read: {exc}") from exc


def _metadata_url(entry: Mapping[str, Any]) -> str:
    url = str(entry.get("url") or "").strip()
    if url:
        return url
    domain = str(entry.get("domain") or "").strip().strip("/")
    if not domain:
        raise FeedError("a CSAF provider entry needs 'url' (provider-metadata.json) or 'domain'")
    base = domain if "://" in domain else f"https://{domain}"
    return base + WELL_KNOWN


def provider_configs(options: Mapping[str, Any]) -> list[ProviderConfig]:
    """The providers of the fetcher's options (see the module docstring)."""
    default_hash = bool(options.get("require_hash", True))
    configs = []
    for raw in options.get("providers") or ():
        entry: Mapping[str, Any] = {"url": raw} if isinstance(raw, str) else raw
        url = _metadata_url(entry)
        if "://" not in url:
            url = _metadata_url({"domain": url})
        tlp = entry.get("tlp") or DEFAULT_TLP
        configs.append(
            ProviderConfig(
                url=url,
                public_keys=tuple(_load_key(str(k)) for k in entry.get("public_keys") or ()),
                fingerprints=tuple(str(f).replace(" ", "").upper() for f in entry.get("fingerprints") or ()),
                use_provider_keys=bool(entry.get("use_provider_keys", True)),
                tlp=frozenset(_tlp_name(str(t)) for t in ([tlp] if isinstance(tlp, str) else tlp)),
                require_hash=bool(entry.get("require_hash", default_hash)),
            )
        )
    return configs


def _tlp_name(label: str) -> str:
    return label.upper().removeprefix("TLP:").strip()


@cache
def provider_validator() -> Validator:
    """The CSAF provider-metadata schema (its ``publisher`` reference resolves to the local CSAF schema)."""
    registry: Registry[Any] = Registry()
    names = (
        ("csaf_json_schema.json", None),
        ("cvss-v2.0.json", DRAFT4),
        ("cvss-v3.0.json", DRAFT4),
        ("cvss-v3.1.json", DRAFT7),
    )
    for name, spec in names:
        contents = orjson.loads((SCHEMA_DIR / name).read_bytes())
        resource = (
            Resource.from_contents(contents)
            if spec is None
            else Resource.from_contents(contents, default_specification=spec)
        )
        for uri in {contents.get("$id") or contents.get("id"), f"https://www.first.org/cvss/{name}"}:
            if uri:
                registry = registry.with_resource(uri, resource)
    schema = orjson.loads((SCHEMA_DIR / "provider_json_schema.json").read_bytes())
    return Draft202012Validator(schema, registry=registry)


def _parse_time(value: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _format_time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _fetch_optional(ctx: SyncContext, url: str, limit: int) -> bytes | None:
    """The body of ``url``; None on 404/410 (other failures raise FeedUnavailableError)."""
    response = http.get(ctx, url)
    if response.status_code in (404, 410):
        return None
    if not response.is_success:
        raise FeedUnavailableError(f"{url}: HTTP {response.status_code}")
    if len(response.content) > limit:
        raise FeedUnavailableError(f"{url}: {len(response.content)} bytes is over the limit of {limit}")
    return response.content


def _fetch(ctx: SyncContext, url: str, limit: int) -> bytes:
    body = _fetch_optional(ctx, url, limit)
    if body is None:
        raise FeedUnavailableError(f"{url}: HTTP 404")
    return body


def _join(base: str, path: str) -> str:
    """``path`` of ``index.txt``/``changes.csv`` resolved against the directory URL.

    CSAF 2.0 says the paths are relative to the directory. CISA writes them relative to its
    repository root instead (``csaf_files/OT/white/2024/x.json`` in ``.../csaf_files/OT/white/``):
    when the path starts with the folders the directory URL ends with, they are not repeated.
    """
    base = base if base.endswith("/") else base + "/"
    path = path.strip()
    if "://" not in path and not path.startswith("/"):
        tail = [s for s in urlsplit(base).path.split("/") if s]
        head = path.split("/")
        for size in range(min(len(tail), len(head) - 1), 0, -1):
            if tail[-size:] == head[:size]:
                path = "/".join(head[size:])
                break
    return urljoin(base, path)


def parse_changes(text: str, base: str) -> Iterator[_Doc]:
    """Entries of a ``changes.csv`` (``"path","timestamp"``; CISA omits the quotes)."""
    for row in csv.reader(io.StringIO(text)):
        if len(row) < 2 or not row[0].strip():
            continue
        when = _parse_time(row[1])
        if when is not None:
            yield _Doc(_join(base, row[0]), when)


def parse_index(text: str, base: str) -> Iterator[_Doc]:
    """Entries of an ``index.txt`` (one path per line)."""
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            yield _Doc(_join(base, line), None)


def parse_rolie(data: bytes, feed_url: str) -> Iterator[_Doc]:
    """Entries of a ROLIE feed: ``content.src``, ``updated`` and the ``hash``/``signature`` links."""
    doc = orjson.loads(data)
    entries = (doc.get("feed") or {}).get("entry") or () if isinstance(doc, dict) else ()
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        links = {
            str(ln.get("rel")): str(ln.get("href")) for ln in entry.get("link") or () if isinstance(ln, dict)
        }
        hashes = [
            str(ln.get("href"))
            for ln in entry.get("link") or ()
            if isinstance(ln, dict) and ln.get("rel") == "hash" and ln.get("href")
        ]
        src = (entry.get("content") or {}).get("src") or links.get("self")
        if not src:
            continue
        hash_url = next((h for h in hashes if h.endswith(".sha512")), hashes[0] if hashes else None)
        yield _Doc(
            urljoin(feed_url, str(src)),
            _parse_time(str(entry.get("updated") or "")),
            urljoin(feed_url, hash_url) if hash_url else None,
            urljoin(feed_url, links["signature"]) if "signature" in links else None,
        )


def _expected_digest(text: bytes, url: str) -> str:
    first = text.decode("utf-8", "replace").strip().split()
    if not first or not _HEX.match(first[0]):
        raise ValueError(f"{url} is not a hash file")
    return first[0].lower()


def _document_tlp(body: bytes) -> str:
    doc = orjson.loads(body)
    if not isinstance(doc, dict) or not isinstance(doc.get("document"), dict):
        raise ValueError("not a CSAF document (no 'document' object)")
    tlp = ((doc["document"].get("distribution") or {}).get("tlp") or {}).get("label")
    return _tlp_name(str(tlp)) if tlp else "CLEAR"


def _local_path(dest: Path, url: str) -> Path:
    parts = urlsplit(url)
    host = re.sub(r"[^A-Za-z0-9._-]", "_", parts.netloc) or "provider"
    segments = [unquote(s) for s in PurePosixPath(parts.path).parts if s not in ("/", "", ".")]
    safe = [re.sub(r"[^A-Za-z0-9._@+-]", "_", s) for s in segments if s != ".."]
    target = dest.joinpath(host, *(safe or ["document.json"]))
    if not target.resolve().is_relative_to(dest.resolve()):
        raise ValueError(f"{url} maps outside the download folder")
    return target


class _ProviderRun:
    """One provider within one fetch."""

    def __init__(self, ctx: SyncContext, config: ProviderConfig, gpgv: str | None) -> None:
        self.ctx = ctx
        self.config = config
        self.gpgv = gpgv
        self.files: list[FetchedFile] = []
        self.rejected: list[Rejection] = []
        self.keys = _Keys(list(config.public_keys), list(config.fingerprints))
        since = ctx.cursor.get(config.url)
        self.since = _parse_time(since) if since else None
        self.seen: set[str] = set()

    def note(self, text: str) -> None:
        self.ctx.events.append(f"csaf {self.config.url}: {text}")

    def run(self) -> str | None:
        """Fetch the provider; return its new cursor value (None: keep the old one)."""
        metadata = self._metadata()
        self._provider_keys(metadata)
        if not self.keys.keys:
            self.note("no OpenPGP public key configured: signatures are not checked")
        docs = list(self._documents(metadata))
        return self._handle(docs)

    def _metadata(self) -> dict[str, Any]:
        body = _fetch(self.ctx, self.config.url, MAX_SMALL * 4)
        try:
            metadata = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise FeedError(f"{self.config.url}: provider-metadata.json is not JSON: {exc}") from exc
        problems = violations(provider_validator(), metadata, limit=3)
        if problems:
            where = "; ".join(f"{p.pointer or '/'}: {p.message}" for p in problems)
            raise FeedError(f"{self.config.url}: not valid CSAF provider metadata: {where}")
        return dict(metadata)

    def _provider_keys(self, metadata: Mapping[str, Any]) -> None:
        if not self.config.use_provider_keys:
            return
        for entry in metadata.get("public_openpgp_keys") or ():
            url = urljoin(self.config.url, str(entry["url"]))
            try:
                key = _fetch(self.ctx, url, MAX_SMALL)
            except FeedUnavailableError as exc:
                self.note(f"public key {url} not available: {exc}")
                continue
            self.keys.keys.append(key)
            if entry.get("fingerprint"):
                self.keys.fingerprints.append(str(entry["fingerprint"]).upper())
            self.note(
                f"using the public key {entry.get('fingerprint') or url} listed in the provider metadata"
            )

    def _documents(self, metadata: Mapping[str, Any]) -> Iterator[_Doc]:
        for dist in metadata.get("distributions") or ():
            if dist.get("directory_url"):
                yield from self._directory(str(dist["directory_url"]))
            for feed in (dist.get("rolie") or {}).get("feeds") or ():
                label = _tlp_name(str(feed.get("tlp_label", "")))
                if label not in self.config.tlp:
                    self.note(f"ROLIE feed {feed.get('url')} (TLP:{label}) skipped by the TLP filter")
                    continue
                url = urljoin(self.config.url, str(feed["url"]))
                body = _fetch(self.ctx, url, MAX_DOCUMENT)
                try:
                    yield from (d for d in parse_rolie(body, url) if self._newer(d))
                except (orjson.JSONDecodeError, AttributeError, TypeError) as exc:
                    raise FeedError(f"{url}: not a ROLIE feed: {exc}") from exc

    def _newer(self, doc: _Doc) -> bool:
        return self.since is None or doc.updated is None or doc.updated > self.since

    def _directory(self, base: str) -> Iterator[_Doc]:
        changes = _fetch_optional(self.ctx, _join(base, "changes.csv"), MAX_DOCUMENT)
        dated = list(parse_changes(changes.decode("utf-8", "replace"), base)) if changes is not None else []
        if self.since is not None and changes is not None:
            yield from (d for d in dated if self._newer(d))
            return
        index = _fetch_optional(self.ctx, _join(base, "index.txt"), MAX_DOCUMENT)
        if changes is None and self.since is not None:
            self.note(f"{base} has no changes.csv: the whole index.txt is fetched on every run")
        if index is None:
            if changes is None:
                raise FeedError(f"{base}: neither changes.csv nor index.txt is available")
            self.note("no index.txt; the full fetch follows changes.csv")
            yield from dated
            return
        stamps = {d.url: d.updated for d in dated}
        for doc in parse_index(index.decode("utf-8", "replace"), base):
            yield _Doc(doc.url, stamps.get(doc.url))

    def _handle(self, docs: Sequence[_Doc]) -> str | None:
        unique: dict[str, _Doc] = {}
        for doc in docs:
            old = unique.get(doc.url)
            if old is None or (doc.updated or _EPOCH) > (old.updated or _EPOCH):
                unique[doc.url] = doc
        ordered = sorted(unique.values(), key=lambda d: (d.updated or _EPOCH, d.url))
        handled: list[dt.datetime] = []
        failed: list[dt.datetime] = []
        for doc in ordered:
            try:
                self._one(doc)
            except FeedUnavailableError as exc:
                self.note(f"{doc.url} not downloaded, retried next run: {exc}")
                failed.append(doc.updated or _EPOCH)
                continue
            if doc.updated is not None:
                handled.append(doc.updated)
        # The cursor may pass a timestamp only when every document up to it was handled.
        limit = min(failed, default=None)
        done = [t for t in handled if limit is None or t < limit]
        newest = max(done, default=None)
        if newest is None or (self.since is not None and newest <= self.since):
            return None
        return _format_time(newest)

    def _one(self, doc: _Doc) -> None:
        if urlsplit(doc.url).scheme not in ("http", "https"):
            self.rejected.append(Rejection(doc.url, "not an http(s) URL"))
            return
        body = _fetch(self.ctx, doc.url, MAX_DOCUMENT)
        reason = self._hash_problem(doc, body) or self._signature_problem(doc, body)
        if reason is None:
            try:
                label = _document_tlp(body)
            except (orjson.JSONDecodeError, ValueError, AttributeError) as exc:
                reason = f"not a CSAF document: {exc}"
            else:
                if label not in self.config.tlp:
                    self.note(f"{doc.url} skipped: TLP:{label} is not fetched")
                    return
        if reason is not None:
            self.rejected.append(Rejection(doc.url, reason))
            self.note(f"rejected {doc.url}: {reason}")
            return
        try:
            path = _local_path(self.ctx.dest, doc.url)
        except ValueError as exc:
            self.rejected.append(Rejection(doc.url, str(exc)))
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        self.files.append(FetchedFile(path=path, source=SOURCE, url=doc.url))

    def _hash_problem(self, doc: _Doc, body: bytes) -> str | None:
        candidates: Iterable[tuple[str, str, str]]
        if doc.hash_url:
            kind = next(
                ((a, n) for ext, a, n in _HASHES if doc.hash_url.endswith(ext)), ("sha512", "SHA-512")
            )
            candidates = [(doc.hash_url, *kind)]
        else:
            candidates = [(doc.url + ext, algo, name) for ext, algo, name in _HASHES]
        for url, algo, name in candidates:
            text = _fetch_optional(self.ctx, url, MAX_SMALL)
            if text is None:
                continue
            try:
                expected = _expected_digest(text, url)
            except ValueError as exc:
                return str(exc)
            actual = hashlib.new(algo, body).hexdigest()
            if actual != expected:
                return f"{name} mismatch: expected {expected[:16]}…, got {actual[:16]}…"
            return None
        if self.config.require_hash:
            return "no .sha512 or .sha256 hash file (require_hash is set)"
        self.note(f"{doc.url}: no hash file; accepted unchecked because require_hash is off")
        return None

    def _signature_problem(self, doc: _Doc, body: bytes) -> str | None:
        if not self.keys.keys:
            return None
        url = doc.signature_url or doc.url + ".asc"
        signature = _fetch_optional(self.ctx, url, MAX_SMALL)
        if signature is None:
            return "no OpenPGP signature (.asc) although public keys are configured"
        result = openpgp.verify(
            body, signature, self.keys.keys, fingerprints=self.keys.fingerprints, gpgv=self.gpgv
        )
        return None if result.valid else f"OpenPGP signature: {result.reason}"


class CsafProviderFetcher:
    """CSAF 2.0 providers: ``provider-metadata.json``, directory and ROLIE distributions."""

    name = SOURCE
    label = "CSAF 2.0 providers"

    def fetch(self, ctx: SyncContext) -> FetchResult:
        """Fetch every configured provider (see the module docstring)."""
        configs = provider_configs(ctx.options)
        if not configs:
            raise FeedError("no CSAF provider configured (option 'providers')")
        gpgv = ctx.options.get("gpgv")
        files: list[FetchedFile] = []
        rejected: list[Rejection] = []
        cursor = dict(ctx.cursor)
        for config in configs:
            run = _ProviderRun(ctx, config, str(gpgv) if gpgv else None)
            try:
                new = run.run()
            except FeedError as exc:
                ctx.events.append(f"csaf {config.url}: provider skipped: {exc}")
                rejected.append(Rejection(config.url, f"provider skipped: {exc}"))
                new = None
            files.extend(run.files)
            rejected.extend(run.rejected)
            if new is not None:
                cursor[config.url] = new
        full = not any(c.url in ctx.cursor for c in configs)
        return FetchResult(files=tuple(files), rejected=tuple(rejected), cursor=cursor, full=full)
