"""The input of every publisher: a frozen snapshot of a case (:class:`AdvisoryInput`).

The web layer builds it from a case, its assessments and actions; the publishers
(:mod:`.csaf`, :mod:`.cyclonedx`, :mod:`.openvex`, :mod:`.notice`) turn it into documents. Every
date is given (no clock is read), so the same input gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from medvigil.core.risk.vex import Justification, VexStatus

__all__ = [
    "AdvisoryInput",
    "Acknowledgment",
    "FdaCommunication",
    "Note",
    "ProductStatus",
    "ProductVersion",
    "Publisher",
    "Reference",
    "Remediation",
    "RemediationCategory",
    "Revision",
    "Score",
    "Threat",
    "Tlp",
    "Tracking",
    "TrackingStatus",
    "Vulnerability",
    "VulnerabilityId",
]


class TrackingStatus(StrEnum):
    """CSAF ``/document/tracking/status``."""

    DRAFT = "draft"
    INTERIM = "interim"
    FINAL = "final"


class Tlp(StrEnum):
    """Traffic Light Protocol 2.0 label (CSAF 2.0 writes CLEAR as ``WHITE``)."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"


class RemediationCategory(StrEnum):
    """CSAF ``remediations[].category``."""

    VENDOR_FIX = "vendor_fix"
    MITIGATION = "mitigation"
    WORKAROUND = "workaround"
    NONE_AVAILABLE = "none_available"
    NO_FIX_PLANNED = "no_fix_planned"


@dataclass(frozen=True, slots=True)
class Publisher:
    """Who publishes (the manufacturer)."""

    name: str
    """Organisation name."""
    namespace: str
    """Trust anchor URL (``https://example.com``)."""
    contact_details: str = ""
    """How to reach the PSIRT."""
    category: str = "vendor"
    """CSAF publisher category."""


@dataclass(frozen=True, slots=True)
class Revision:
    """One entry of the revision history."""

    number: str
    """Version number (``1``, ``2`` or ``1.0.0``)."""
    date: datetime
    """When (timezone-aware)."""
    summary: str
    """What changed."""


@dataclass(frozen=True, slots=True)
class Tracking:
    """Document tracking: id, status, version and history (see :mod:`.versioning`)."""

    id: str
    """Document id (``ACME-2026-0001``)."""
    status: TrackingStatus
    """draft, interim or final."""
    version: str
    """Current version; equals the last revision's number."""
    revisions: tuple[Revision, ...]
    """History, oldest first."""
    initial_release_date: datetime
    """First release."""
    current_release_date: datetime
    """This release."""


@dataclass(frozen=True, slots=True)
class ProductVersion:
    """One product version (a leaf of the product tree)."""

    product_id: str
    """Stable id within the document (``CSAFPID-0001``)."""
    vendor: str
    """Vendor branch."""
    product_name: str
    """Product-name branch."""
    version: str
    """Product-version branch (a single version, never a range)."""
    cpe: str = ""
    """CPE 2.3 name."""
    purl: str = ""
    """Package URL."""
    model_numbers: tuple[str, ...] = ()
    """Model numbers."""
    sbom_urls: tuple[str, ...] = ()
    """Where the version's SBOM is published."""

    @property
    def full_name(self) -> str:
        """``Vendor Product Version``."""
        return f"{self.vendor} {self.product_name} {self.version}"


@dataclass(frozen=True, slots=True)
class ProductStatus:
    """The status of one vulnerability in one product version."""

    product_id: str
    """A :attr:`ProductVersion.product_id`."""
    status: VexStatus
    """not_affected, affected, fixed, under_investigation."""
    justification: Justification | None = None
    """Why not affected (a CSAF flag)."""
    impact_statement: str = ""
    """Why not affected, in words (a CSAF ``impact`` threat)."""


@dataclass(frozen=True, slots=True)
class Remediation:
    """A remediation of one vulnerability for some product versions."""

    category: RemediationCategory
    """CSAF category."""
    details: str
    """What to do."""
    product_ids: tuple[str, ...]
    """Products it applies to."""
    url: str = ""
    """Where the fix is (vendor_fix)."""
    date: datetime | None = None
    """When it became available."""


@dataclass(frozen=True, slots=True)
class Score:
    """A CVSS vector (3.0, 3.1 or 4.0) for some product versions; scores are computed from it."""

    vector: str
    """``CVSS:3.1/AV:N/...``."""
    product_ids: tuple[str, ...]
    """Products it applies to."""


@dataclass(frozen=True, slots=True)
class Threat:
    """A CSAF threat (``impact``, ``exploit_status`` or ``target_set``)."""

    category: str
    """Threat category."""
    details: str
    """Text."""
    product_ids: tuple[str, ...] = ()
    """Products it applies to (empty: all of the vulnerability's)."""
    date: datetime | None = None
    """When (exploit status: KEV date added)."""


@dataclass(frozen=True, slots=True)
class Note:
    """A note (category from the CSAF enum)."""

    category: str
    """description, details, faq, general, legal_disclaimer, other, summary."""
    text: str
    """Text."""
    title: str = ""
    """Title."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference (``self`` or ``external``)."""

    url: str
    """URL."""
    summary: str
    """What it is."""
    category: str = "external"
    """self or external."""


@dataclass(frozen=True, slots=True)
class Acknowledgment:
    """Credit (from CVD)."""

    names: tuple[str, ...] = ()
    """People."""
    organization: str = ""
    """Organisation."""
    summary: str = ""
    """For what."""


@dataclass(frozen=True, slots=True)
class VulnerabilityId:
    """An id of the vulnerability in a tracking system other than CVE (CSAF ``ids[]``)."""

    system_name: str
    """The tracking or numbering system (``GitHub Security Advisory``, ``OSV``, the publisher)."""
    text: str
    """The id in that system (``GHSA-9wx4-h78v-vm56``, ``MV-2026-0001``)."""
    url: str = ""
    """Where the system describes it (empty when unknown)."""


@dataclass(frozen=True, slots=True)
class Vulnerability:
    """One vulnerability of the advisory, named by a CVE id, by :attr:`ids`, or by both."""

    cve: str
    """CVE id; empty for a vulnerability that has none (yet), which :attr:`ids` must name."""
    title: str
    """Short title."""
    description: str
    """What it is (the vulnerability's ``description`` note)."""
    statuses: tuple[ProductStatus, ...]
    """One per product version concerned."""
    cwe_id: str = ""
    """``CWE-787``."""
    cwe_name: str = ""
    """Its name in the CWE catalog."""
    notes: tuple[Note, ...] = ()
    """More notes."""
    scores: tuple[Score, ...] = ()
    """CVSS vectors."""
    remediations: tuple[Remediation, ...] = ()
    """Remediations."""
    threats: tuple[Threat, ...] = ()
    """Threats besides the impact statements of :attr:`statuses`."""
    kev_date_added: datetime | None = None
    """Date CISA KEV listed it (becomes an ``exploit_status`` threat)."""
    references: tuple[Reference, ...] = ()
    """References."""
    acknowledgments: tuple[Acknowledgment, ...] = ()
    """Credit."""
    discovery_date: datetime | None = None
    """When the manufacturer learned of it (Day 0)."""
    release_date: datetime | None = None
    """When it was published."""
    ids: tuple[VulnerabilityId, ...] = ()
    """Its ids in other systems (CSAF ``ids``: GHSA, OSV or the manufacturer's own)."""

    @property
    def key(self) -> str:
        """The id the vulnerability goes by: its CVE id, else its first other id."""
        return self.cve or (self.ids[0].text if self.ids else "")

    @property
    def url(self) -> str:
        """Where it is described: NVD for a CVE, else its first id's URL (may be empty)."""
        if self.cve:
            return f"https://nvd.nist.gov/vuln/detail/{self.cve}"
        return next((i.url for i in self.ids if i.url), "")


@dataclass(frozen=True, slots=True)
class FdaCommunication:
    """FDA's minimum customer communication (regulatory.md 1.7, PM-UNC-3 step 2, parts a-d)."""

    vulnerability_and_impact: str
    """(a) the vulnerability and an assessment of its impact."""
    patient_harm_efforts: str
    """(b) efforts to address the risk of patient harm are under way."""
    compensating_controls: str
    """(c) compensating controls, if any."""
    fix_plan: str
    """(d) a fix or defence-in-depth strategy is in work and how availability is communicated."""

    def parts(self) -> tuple[tuple[str, str, str], ...]:
        """``(letter, title, text)`` for each part, in order."""
        return (
            ("a", "Vulnerability and impact assessment", self.vulnerability_and_impact),
            ("b", "Efforts to address the risk of patient harm", self.patient_harm_efforts),
            ("c", "Compensating controls", self.compensating_controls),
            ("d", "Fix or defense-in-depth strategy and its availability", self.fix_plan),
        )


@dataclass(frozen=True, slots=True)
class AdvisoryInput:
    """Everything a published advisory or VEX says, as one frozen value."""

    publisher: Publisher
    """Who publishes."""
    tracking: Tracking
    """Id, status, version, history, dates."""
    title: str
    """Document title."""
    products: tuple[ProductVersion, ...]
    """Product versions concerned (the product tree)."""
    vulnerabilities: tuple[Vulnerability, ...]
    """The vulnerabilities."""
    summary: str = ""
    """Document summary note."""
    tlp: Tlp = Tlp.CLEAR
    """Distribution."""
    lang: str = "en"
    """Document language."""
    fda: FdaCommunication | None = None
    """The four FDA communication parts (document notes)."""
    references: tuple[Reference, ...] = ()
    """Document references."""
    acknowledgments: tuple[Acknowledgment, ...] = ()
    """Document-level credit."""
    legal_disclaimer: str = ""
    """Legal disclaimer note."""

    def product(self, product_id: str) -> ProductVersion:
        """The product version with ``product_id``."""
        for p in self.products:
            if p.product_id == product_id:
                return p
        raise KeyError(product_id)
