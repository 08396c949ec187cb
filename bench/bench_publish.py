"""Benchmark: export of an advisory covering 500 product versions in every format.

Each writer runs its own checks (CSAF: schema + every mandatory test; CycloneDX: 1.6 schema;
OpenVEX: schema + minimum-VEX rules), so the figures include validation. Prints the median of
five runs per format, and the document size.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time

from medvigil.core.publish.formats import FORMATS, render
from medvigil.core.publish.model import (
    AdvisoryInput,
    FdaCommunication,
    ProductStatus,
    ProductVersion,
    Publisher,
    Remediation,
    RemediationCategory,
    Score,
    Vulnerability,
)
from medvigil.core.publish.versioning import first_tracking
from medvigil.core.risk.vex import Justification, VexStatus

WHEN = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


def advisory(n: int, vulns: int = 3) -> AdvisoryInput:
    products = tuple(
        ProductVersion(
            f"CSAFPID-{i:05d}", "Example Medical", f"Pump family {i % 7}", f"{i // 100}.{i % 100}.0",
            purl=f"pkg:generic/example/pump-{i % 7}@{i // 100}.{i % 100}.0", model_numbers=(f"PX-{i % 7}",),
        )
        for i in range(n)
    )  # fmt: skip
    cycle = (VexStatus.AFFECTED, VexStatus.NOT_AFFECTED, VexStatus.FIXED, VexStatus.UNDER_INVESTIGATION)
    out = []
    for v in range(vulns):
        absent = Justification.COMPONENT_NOT_PRESENT
        kinds = [cycle[(i + v) % 4] for i in range(n)]
        statuses = tuple(
            ProductStatus(p.product_id, k, absent if k is VexStatus.NOT_AFFECTED else None)
            for p, k in zip(products, kinds, strict=True)
        )
        affected = tuple(s.product_id for s in statuses if s.status is VexStatus.AFFECTED)
        out.append(
            Vulnerability(
                f"CVE-2026-{1000 + v}", f"Issue {v}", "A flaw in the network stack.", statuses,
                cwe_id="CWE-787", scores=(Score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", affected),),
                remediations=(Remediation(RemediationCategory.VENDOR_FIX, "Fix 9.0.", affected, date=WHEN),),
            )
        )  # fmt: skip
    fda = FdaCommunication("Impact assessed.", "Work under way.", "Block port 4443.", "Fix 9.0 in work.")
    return AdvisoryInput(
        Publisher("Example Medical", "https://psirt.example.com"), first_tracking("EX-SA-2026-0001", WHEN),
        "Bench advisory", products, tuple(out), fda=fda,
    )  # fmt: skip


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    data = advisory(n)
    print(f"advisory: {n} product versions x {len(data.vulnerabilities)} vulnerabilities")
    for fmt in FORMATS:
        times = []
        size = 0
        for _ in range(5):
            start = time.perf_counter()
            size = len(render(data, fmt).content)
            times.append(time.perf_counter() - start)
        print(f"{fmt:<14} median {statistics.median(times) * 1000:8.1f} ms  ({size / 1024:7.1f} KiB)")


if __name__ == "__main__":
    main()
