"""Mandatory tests 6.1.27.1-6.1.27.11: what each CSAF profile (document category) requires.

=========  ==========================================  ===========================================
test       applies to                                  requires
=========  ==========================================  ===========================================
6.1.27.1   informational advisory, incident response   a note of category description, details,
                                                       general or summary
6.1.27.2   informational advisory, incident response   a reference of category external
6.1.27.3   informational advisory                      no vulnerabilities
6.1.27.4   security advisory, VEX                      a product tree
6.1.27.5   security advisory, VEX                      notes on every vulnerability
6.1.27.6   security advisory                           a product status on every vulnerability
6.1.27.7   VEX                                         a fixed, known (not) affected or under
                                                       investigation product on every vulnerability
6.1.27.8   VEX                                         a cve or ids on every vulnerability
6.1.27.9   VEX                                         an impact statement (flag, or threat of
                                                       category impact) per known_not_affected product
6.1.27.10  VEX                                         an action statement (remediation) per
                                                       known_affected product
6.1.27.11  security advisory, VEX                      vulnerabilities
=========  ==========================================  ===========================================
"""

from __future__ import annotations

from collections.abc import Iterator

from medvigil.core.csaf._doc import CsafDoc, Finding, arr, ids, obj

INFORMATIONAL = "csaf_informational_advisory"
INCIDENT = "csaf_security_incident_response"
ADVISORY = "csaf_security_advisory"
VEX = "csaf_vex"


def document_notes(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.27.1."""
    wanted = {"description", "details", "general", "summary"}
    if doc.category in (INFORMATIONAL, INCIDENT) and not any(
        obj(n).get("category") in wanted for n in arr(doc.document.get("notes"))
    ):
        yield "/document/notes", f"a {doc.category} needs a note of category {', '.join(sorted(wanted))}"


def document_references(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.27.2."""
    if doc.category in (INFORMATIONAL, INCIDENT) and not any(
        obj(r).get("category") == "external" for r in arr(doc.document.get("references"))
    ):
        yield "/document/references", f"a {doc.category} needs a reference of category external"


def no_vulnerabilities(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.27.3."""
    if doc.category == INFORMATIONAL and "vulnerabilities" in doc.raw:
        yield "/vulnerabilities", "an informational advisory has no vulnerabilities"


def product_tree(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.27.4."""
    if doc.category in (ADVISORY, VEX) and "product_tree" not in doc.raw:
        yield "/product_tree", f"a {doc.category} needs a product tree"


def vulnerability_notes(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.27.5."""
    if doc.category in (ADVISORY, VEX):
        for base, vuln in doc.vulns():
            if "notes" not in vuln:
                yield f"{base}/notes", f"each vulnerability of a {doc.category} needs notes"


def product_status(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.27.6."""
    if doc.category == ADVISORY:
        for base, vuln in doc.vulns():
            if "product_status" not in vuln:
                yield (
                    f"{base}/product_status",
                    "each vulnerability of a security advisory needs a product status",
                )


VEX_STATUSES = ("fixed", "known_affected", "known_not_affected", "under_investigation")


def vex_product_status(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.27.7."""
    if doc.category == VEX:
        for base, vuln in doc.vulns():
            status = obj(vuln.get("product_status"))
            if not any(key in status for key in VEX_STATUSES):
                yield (
                    f"{base}/product_status",
                    f"each vulnerability of a VEX needs one of {', '.join(VEX_STATUSES)}",
                )


def vulnerability_id(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.27.8."""
    if doc.category == VEX:
        for base, vuln in doc.vulns():
            if "cve" not in vuln and "ids" not in vuln:
                yield base, "each vulnerability of a VEX needs a cve or ids"


def impact_statement(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.27.9."""
    if doc.category != VEX:
        return
    for base, vuln in doc.vulns():
        covered: set[str] = set()
        for flag in arr(vuln.get("flags")):
            covered |= doc.members(obj(flag))
        for threat in arr(vuln.get("threats")):
            if obj(threat).get("category") == "impact":
                covered |= doc.members(obj(threat))
        for pos, product_id in enumerate(ids(obj(vuln.get("product_status")).get("known_not_affected"))):
            if product_id not in covered:
                yield (
                    f"{base}/product_status/known_not_affected/{pos}",
                    f"known_not_affected product {product_id!r} has no impact statement (flag or threat)",
                )


def action_statement(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.27.10."""
    if doc.category != VEX:
        return
    for base, vuln in doc.vulns():
        covered: set[str] = set()
        for remediation in arr(vuln.get("remediations")):
            covered |= doc.members(obj(remediation))
        for pos, product_id in enumerate(ids(obj(vuln.get("product_status")).get("known_affected"))):
            if product_id not in covered:
                yield (
                    f"{base}/product_status/known_affected/{pos}",
                    f"known_affected product {product_id!r} has no action statement (remediation)",
                )


def vulnerabilities(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.27.11."""
    if doc.category in (ADVISORY, VEX) and "vulnerabilities" not in doc.raw:
        yield "/vulnerabilities", f"a {doc.category} needs vulnerabilities"


TESTS = {
    "6.1.27.1": document_notes,
    "6.1.27.2": document_references,
    "6.1.27.3": no_vulnerabilities,
    "6.1.27.4": product_tree,
    "6.1.27.5": vulnerability_notes,
    "6.1.27.6": product_status,
    "6.1.27.7": vex_product_status,
    "6.1.27.8": vulnerability_id,
    "6.1.27.9": impact_statement,
    "6.1.27.10": action_statement,
    "6.1.27.11": vulnerabilities,
}
