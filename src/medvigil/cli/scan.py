"""``medvigil scan FILE`` (pipeline gate) and ``medvigil rematch`` (force re-matching).

``scan`` reads any SBOM or lockfile the inventory reads, matches it against the local store
without registering anything and prints a table, the JSON contract, SARIF 2.1.0 or a
CycloneDX 1.6 VEX. Exit codes: 0 passes, 1 a ``--fail-on*`` rule tripped, 2 input error.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import orjson
import typer

from medvigil import __version__
from medvigil.cli import _django, _exit
from medvigil.cli.output import (
    DeprecatedProductOpt,
    FormatOpt,
    OutputFormat,
    ProductFilterArg,
    console,
    err_console,
    print_json,
    print_table,
    product_filter,
)
from medvigil.core.errors import InputError

if TYPE_CHECKING:
    from medvigil.core.model.vex import VexAssertion

_G = TypeVar("_G")

# Imports a command needs are made inside it: ``medvigil scan`` is a pipeline gate started
# once per build, so start-up time counts (VEX reading pulls in the CSAF validator).


class ScanFormat(StrEnum):
    """``scan --format`` choices."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    CYCLONEDX_VEX = "cyclonedx-vex"


class Severity(StrEnum):
    """``--fail-on`` choices."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=str(path)) from None


def _write_json(data: object) -> None:
    """Indented JSON to stdout as bytes (tens of MB for a large SBOM: no str round trip)."""
    out = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (e.g. a test runner's capture)
        sys.stdout.write(out.decode())
        return
    sys.stdout.flush()
    buffer.write(out)
    buffer.flush()


_HEAD, _TAIL = b'{\n  "findings": [\n', b"\n  ]\n}"
"""How :func:`_write_json` frames a non-empty ``{"findings": [...]}`` (``OPT_INDENT_2``)."""


def _write_findings_json(findings: Iterable[Mapping[str, object]], batch: int = 1000) -> None:
    """``{"findings": [...]}`` as :func:`_write_json` writes it (byte-identical), each finding
    built as it is read and written ``batch`` at a time: a 10,000-component CPE SBOM has
    ~200,000 findings, ~270 MB of text at once."""
    _write_encoded(((_encode_finding(f), None) for f in findings), batch)


def _encode_finding(finding: Mapping[str, object]) -> bytes:
    """One finding as it stands inside the list of :func:`_write_json`'s document: the same
    document of that one finding, its frame cut off (nested values keep their indentation)."""
    text = orjson.dumps({"findings": [finding]}, option=orjson.OPT_INDENT_2)
    return text[len(_HEAD) : -len(_TAIL)]


def _write_encoded(items: Iterable[tuple[bytes, _G]], batch: int = 1000) -> list[_G]:
    """``{"findings": [...]}`` of findings encoded by :func:`_encode_finding` (byte-identical to
    :func:`_write_json`), written ``batch`` at a time; the second item of each pair, in order."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        sys.stdout.flush()
    write = buffer.write if buffer is not None else (lambda data: sys.stdout.write(data.decode()))
    kept: list[_G] = []
    parts: list[bytes] = []
    for data, other in items:
        parts.append(data)
        kept.append(other)
        if len(parts) >= batch:
            write((_HEAD if len(kept) == len(parts) else b",\n") + b",\n".join(parts))
            parts = []
    if not kept:
        _write_json({"findings": []})
        return kept
    if parts:
        write((_HEAD if len(kept) == len(parts) else b",\n") + b",\n".join(parts))
    write(_TAIL + b"\n")
    if buffer is not None:
        buffer.flush()
    return kept


def _table(findings: Sequence[Mapping[str, Any]], suppressed: int, scanned: int) -> None:
    rows = []
    unverified = 0
    for f in findings:
        c, v, m = f["component"], f["vulnerability"], f["match"]
        assert isinstance(c, dict) and isinstance(v, dict) and isinstance(m, dict)
        cvss = v["cvss"]["score"] if v["cvss"] else None
        epss = f"{v['epss']:.3f}" if v["epss"] is not None else ""
        method = m["method"]
        if m["platform_unverified"]:
            unverified += 1
            method += ", platform unverified"
        rows.append((v["id"], v["severity"] or "", cvss, "yes" if v["kev"] else "", epss,
                     f"{c['name']} {c['version']}", method, m["confidence"]))  # fmt: skip
    notes = [f"{suppressed} not affected/withdrawn"] if suppressed else []
    if unverified:
        notes.append(f"{unverified} with a running-on platform not verified, lower confidence")
    print_table(
        f"{len(findings)} findings in {scanned} components" + (f" ({'; '.join(notes)})" if notes else ""),
        ["Vulnerability", "Severity", "CVSS", "KEV", "EPSS", "Component", "Method", "Confidence"],
        rows,
    )


def scan(
    file: Path,
    format: Annotated[
        ScanFormat, typer.Option("--format", "-f", help="table, json, sarif or cyclonedx-vex")
    ] = ScanFormat.TABLE,
    fail_on: Annotated[
        Severity | None, typer.Option("--fail-on", help="exit 1 on a finding of this severity or above")
    ] = None,
    fail_on_kev: Annotated[
        bool, typer.Option("--fail-on-kev", help="exit 1 on a finding in CISA KEV")
    ] = False,
    fail_on_epss: Annotated[
        float | None, typer.Option("--fail-on-epss", min=0.0, max=1.0, help="exit 1 on EPSS >= this")
    ] = None,
    vex: Annotated[
        list[Path] | None, typer.Option("--vex", help="supplier VEX (CycloneDX, OpenVEX, CSAF); repeatable")
    ] = None,
    no_infer_cpes: Annotated[
        bool, typer.Option("--no-infer-cpes", help="do not infer CPEs from purls/names")
    ] = False,
    input_format: Annotated[str | None, typer.Option("--input-format", help="force a reader")] = None,
    fail_on_unverified_platform: Annotated[
        bool,
        typer.Option(
            "--fail-on-unverified-platform",
            help="let --fail-on* count findings whose running-on platform could not be checked",
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            envvar="MEDVIGIL_SCAN_JOBS",
            help="worker processes for a large CPE SBOM (default: the cores, at most 4; same output)",
        ),
    ] = None,
) -> None:
    """Scan an SBOM or lockfile against the local store (nothing is registered)."""
    # A one-shot command: the cyclic GC's passes over the scan's millions of live objects
    # (findings, prepared candidates) cost more than anything it could reclaim before exit.
    enabled = gc.isenabled()
    gc.disable()
    try:
        _scan(file, format, fail_on, fail_on_kev, fail_on_epss, vex, no_infer_cpes, input_format,
              fail_on_unverified_platform, jobs)  # fmt: skip
    finally:
        _exit.request()  # nothing to tear down: a scan writes nothing but its output
        if enabled:
            # Move what the scan left alive into the oldest generation, so the next young
            # collection does not traverse it; nothing stays frozen (in-process callers such as
            # tests keep a normal collector).
            gc.freeze()
            gc.enable()
            gc.unfreeze()


def _scan(
    file: Path,
    format: ScanFormat,
    fail_on: Severity | None,
    fail_on_kev: bool,
    fail_on_epss: float | None,
    vex: list[Path] | None,
    no_infer_cpes: bool,
    input_format: str | None,
    fail_on_unverified_platform: bool = False,
    jobs: int | None = None,
) -> None:
    from medvigil.core.matching.report import trips
    from medvigil.core.sbom.registry import read_sbom

    parsed = read_sbom(_read(file), source=str(file), format=input_format)
    statements: list[VexAssertion] = []
    if vex:
        from medvigil.core.feeds.vex import read_vex

        for path in vex:
            statements += read_vex(_read(path), str(path))
    _django.setup(read_only=True)
    from medvigil.web.findings import scan_jobs

    findings: Sequence[Mapping[str, Any]]
    workers = scan_jobs.jobs_for(parsed.components, jobs)
    infer = not no_infer_cpes
    if workers > 1 and format is ScanFormat.JSON:  # each worker encodes its findings as written
        with scan_jobs.scan_split(
            parsed.components, jobs=workers, encode=_encode_finding, infer_cpes=infer, vex=statements
        ) as merged:
            gates = _write_encoded(merged.items)
        findings = [scan_jobs.gate_view(g) for g in gates]  # all a --fail-on* rule reads
        unscreened = merged.unscreened
    elif workers > 1:
        with scan_jobs.scan_split(
            parsed.components, jobs=workers, encode=orjson.dumps, infer_cpes=infer, vex=statements
        ) as merged:
            findings = [orjson.loads(data) for data, _ in merged.items]
        _write_output(findings, format, file, merged.suppressed, merged.components)
        unscreened = merged.unscreened
    else:
        from medvigil.web.findings.scan import scan_components

        # JSON is written one finding at a time, each built as it is written (then built again
        # only for a --fail-on* rule): ~200,000 findings of a large CPE SBOM are never all held
        result = scan_components(
            parsed.components, infer_cpes=infer, vex=statements, lazy=format is ScanFormat.JSON
        )
        findings = result.findings
        _write_output(findings, format, file, result.suppressed, result.components)
        unscreened = result.unscreened
    if unscreened:
        err_console.print(
            f"medvigil: note: {unscreened:,} CPE index rows of this scan's candidates are not screened "
            "yet, so their records were read and decoded (slower, same findings): run "
            "`medvigil feeds screens`, or a worker (`medvigil worker` or `serve`) runs it after each import",
            markup=False,
            highlight=False,
        )
    reasons = trips(findings, severity=fail_on.value if fail_on else None, kev=fail_on_kev, epss=fail_on_epss,
                    unverified_platform=fail_on_unverified_platform)  # fmt: skip
    if not parsed.components:
        gated = fail_on is not None or fail_on_kev or fail_on_epss is not None or fail_on_unverified_platform
        reasons = [*reasons, *nothing_scanned(file, parsed.format, parsed.warnings, gated=gated)]
    for reason in reasons:
        err_console.print(f"[red]fail:[/] {reason}", highlight=False)
    if reasons:
        raise typer.Exit(1)


def _write_output(
    findings: Sequence[Mapping[str, Any]], format: ScanFormat, file: Path, suppressed: int, scanned: int
) -> None:
    from medvigil.core.matching.report import cyclonedx_vex, sarif

    if format is ScanFormat.JSON:
        _write_findings_json(findings)
    elif format is ScanFormat.SARIF:
        _write_json(sarif(findings, artifact=file.name, tool_version=__version__))
    elif format is ScanFormat.CYCLONEDX_VEX:
        _write_json(cyclonedx_vex(findings, tool_version=__version__))
    else:
        _table(findings, suppressed, scanned)


def nothing_scanned(file: Path, format: str, warnings: tuple[str, ...], *, gated: bool) -> list[str]:
    """Warn that ``file`` named no component to match; under a ``--fail-on*`` gate it is a failure.

    A CI gate must never pass silently: an unpinned ``requirements.txt`` gives "0 findings".
    """
    what = "pinned package" if format == "requirements" else "component with a version"
    err_console.print(
        f"medvigil: warning: {file}: no {what} found ({format}); nothing was scanned",
        markup=False,
        highlight=False,
    )
    for warning in warnings[:5]:
        err_console.print(f"  {warning}", markup=False, highlight=False)
    if len(warnings) > 5:
        err_console.print(f"  … {len(warnings) - 5} more", markup=False, highlight=False)
    return [f"nothing was scanned: {file} names no {what}"] if gated else []


def rematch(
    product: ProductFilterArg = None,
    format: FormatOpt = OutputFormat.TABLE,
    old_product: DeprecatedProductOpt = None,
) -> None:
    """Re-match product versions against the store now (normally a background job does it)."""
    slug = product_filter(product, old_product)
    _django.setup()
    from medvigil.web.findings.services import rematch_all
    from medvigil.web.inventory.selectors import product_get

    if slug:
        product_get(slug=slug)  # an unknown product is an error, not "0 versions"
    with console.status("Matching…"):
        result = rematch_all(product_slug=slug)
    if format is OutputFormat.JSON:
        print_json({**result.counts(), "seconds": round(result.seconds, 3)})
        return
    counts = ", ".join(f"{k} {v}" for k, v in result.counts().items())
    console.print(f"{counts} in {result.seconds:.2f} s")


def register(app: typer.Typer) -> None:
    """Add ``scan`` and ``rematch`` to the root command."""
    app.command("scan")(scan)
    app.command("rematch")(rematch)
