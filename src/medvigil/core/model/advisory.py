"""The one advisory model every vulnerability-intelligence source maps to.

Each feed parser (:mod:`medvigil.core.feeds`) turns one upstream record into one
:class:`AdvisoryRecord` (OSV, NVD, CVE JSON 5, CSAF) or into a :class:`KevEntry` /
:class:`EpssScore` (enrichment data with its own shape). A record is one *source's claim*:
the store keeps every source's record side by side and merges identities through
``aliases``; nothing here decides which source wins.

Conventions:

* Identifiers are kept as the source spells them (``CVE-2019-10964``, ``PYSEC-2021-335``).
* Datetimes are timezone-aware UTC (naive upstream values are read as UTC).
* Data without a modelled field is kept as canonical JSON text (``*_json`` fields, sorted
  keys) so the dataclasses stay frozen and hashable.
* The raw upstream bytes are *not* part of the record: parsers yield
  :class:`medvigil.core.feeds.interface.ParsedRecord` (record + raw bytes + location).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

SOURCE_OSV: Final = "osv"
SOURCE_NVD: Final = "nvd"
SOURCE_CVE5: Final = "cve5"
SOURCE_CSAF: Final = "csaf"
SOURCE_KEV: Final = "kev"
SOURCE_EPSS: Final = "epss"

RANGE_EVENT_KINDS: Final = ("introduced", "fixed", "last_affected", "limit")
"""OSV range event kinds, in the vocabulary every source is mapped to."""

CSAF_STATUSES: Final = (
    "first_affected",
    "first_fixed",
    "fixed",
    "known_affected",
    "known_not_affected",
    "last_affected",
    "recommended",
    "under_investigation",
)
"""CSAF 2.0 ``product_status`` categories."""


@dataclass(frozen=True, slots=True)
class RangeEvent:
    """One event of a version range (OSV semantics)."""

    kind: str
    """``introduced``, ``fixed``, ``last_affected`` or ``limit``."""
    value: str
    """Version or commit hash, as the source gives it (``0`` means "from the beginning")."""


@dataclass(frozen=True, slots=True)
class AffectedRange:
    """A version range of one affected package.

    OSV ranges map one to one. CVE JSON 5 ``versions`` entries with ``lessThan`` /
    ``lessThanOrEqual`` map to ``introduced`` + ``fixed`` / ``last_affected`` events (the same
    mapping as OSV's own CVE 5 converter); ``changes`` become further events at their ``at``
    version (``introduced`` for status affected, ``fixed`` otherwise). The events describe the
    range's bounds; ``status`` says what the range claims (a CVE 5 ``unaffected`` range from
    ``0:8.7p1-38.el9_4.1`` to ``*`` reads "these versions are not affected").
    """

    type: str
    """OSV range type ``ECOSYSTEM``/``SEMVER``/``GIT``; for CVE 5 the ``versionType`` (``semver``,
    ``custom``, ``git``, ...) upper-cased, ``CUSTOM`` when absent."""
    events: tuple[RangeEvent, ...]
    """Events in source order."""
    repo: str | None = None
    """Repository URL of a GIT range."""
    status: str = "affected"
    """``affected`` for OSV; the CVE 5 entry's ``status`` (``affected``/``unaffected``/``unknown``)."""
    database_specific_json: str | None = None
    """The range's ``database_specific`` object as canonical JSON text."""


@dataclass(frozen=True, slots=True)
class AffectedPackage:
    """A package or product an advisory says is (or is not) affected.

    OSV gives ecosystem + name (+ purl); CVE 5 gives vendor/product (+ cpes, packageName and
    collectionURL). ``purl`` is set whenever a package URL can be derived without guessing.
    """

    ecosystem: str | None
    """OSV ecosystem string (``PyPI``, ``Go``, ``Debian:11``); for CVE 5 derived from
    ``collectionURL`` when it is a known registry, else None."""
    name: str
    """Package name as the source spells it (CVE 5: ``packageName``, else ``product``)."""
    purl: str | None = None
    """Package URL without version and qualifiers (``pkg:pypi/django``), None when unknown."""
    purl_type: str | None = None
    """purl type (``pypi``, ``golang``, ``maven``, ``npm``, ...)."""
    purl_namespace: str | None = None
    """purl namespace: Go module path prefix, Maven groupId, ``@scope`` for npm."""
    purl_name: str | None = None
    """purl name, normalised (PEP 503 lower-dash for PyPI)."""
    ranges: tuple[AffectedRange, ...] = ()
    """Version ranges."""
    versions: tuple[str, ...] = ()
    """Enumerated affected versions (OSV ``versions``; CVE 5 single affected versions)."""
    unaffected_versions: tuple[str, ...] = ()
    """CVE 5 single versions stated ``unaffected``."""
    default_status: str | None = None
    """CVE 5 ``defaultStatus`` (status of versions not listed)."""
    vendor: str | None = None
    """CVE 5 vendor."""
    product: str | None = None
    """CVE 5 product."""
    cpes: tuple[str, ...] = ()
    """CPE names stated for the product (CVE 5 ``cpes``)."""
    platforms: tuple[str, ...] = ()
    """CVE 5 ``platforms``."""
    repo: str | None = None
    """CVE 5 ``repo`` (source repository URL)."""
    provider: str = ""
    """Who states this: CNA or ADP short name for CVE 5; empty for single-author sources."""
    ecosystem_specific_json: str | None = None
    """OSV ``ecosystem_specific`` as canonical JSON text."""
    database_specific_json: str | None = None
    """OSV ``database_specific`` as canonical JSON text."""


@dataclass(frozen=True, slots=True)
class Severity:
    """A severity score or vector, with who gave it."""

    type: str
    """``CVSS_V2``, ``CVSS_V3`` (3.0 and 3.1), ``CVSS_V4`` or the source's own type (OSV
    ``Ubuntu``, CVE 5 ``other`` content type)."""
    vector: str | None
    """Vector string; None when the source gives only a score or a rating."""
    base_score: float | None = None
    """Base score when the source states it (never computed here)."""
    version: str | None = None
    """Exact CVSS version (``2.0``, ``3.0``, ``3.1``, ``4.0``) when known."""
    rating: str | None = None
    """Qualitative rating (``HIGH``) when stated."""
    source: str | None = None
    """Who scored: NVD ``source`` (``nvd@nist.gov``), CVE 5 provider short name, CSAF publisher."""
    primary: bool | None = None
    """NVD ``type`` Primary (True) / Secondary (False); CVE 5: True for the CNA, False for an ADP."""
    product_ids: tuple[str, ...] = ()
    """CSAF product ids the score applies to; empty means the whole advisory."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A link from the advisory."""

    url: str
    """Where it points."""
    type: str | None = None
    """OSV reference type (``FIX``, ``ADVISORY``), CSAF category (``self``, ``external``),
    NVD/CVE 5 ``refsource``/name."""
    tags: tuple[str, ...] = ()
    """NVD / CVE 5 tags (``Patch``, ``vendor-advisory``)."""
    summary: str | None = None
    """CSAF summary or CVE 5 name."""


@dataclass(frozen=True, slots=True)
class CpeMatch:
    """One ``cpeMatch`` (API 2.0) / ``cpe_match`` (feeds 1.1) entry of an NVD configuration."""

    criteria: str
    """CPE 2.3 name (``criteria`` / ``cpe23Uri``)."""
    vulnerable: bool
    """Whether matching platforms are vulnerable (False: a running-on condition)."""
    version_start_including: str | None = None
    """Lower bound, inclusive."""
    version_start_excluding: str | None = None
    """Lower bound, exclusive."""
    version_end_including: str | None = None
    """Upper bound, inclusive (NVD keeps vendor strings such as ``2.4a``)."""
    version_end_excluding: str | None = None
    """Upper bound, exclusive."""
    match_criteria_id: str | None = None
    """NVD ``matchCriteriaId`` (API 2.0 only)."""


@dataclass(frozen=True, slots=True)
class CpeNode:
    """A node of an NVD configuration tree.

    A record's ``cpe_configurations`` is a tuple of root nodes; the CVE applies when *any* root
    evaluates true. A node is true when ``operator`` (AND/OR) over its ``cpe_matches`` and
    ``children`` holds, inverted when ``negate``. An API 2.0 configuration with several nodes
    becomes one root with those nodes as ``children`` and the configuration's operator.
    """

    operator: str
    """``AND`` or ``OR``."""
    negate: bool = False
    """Invert the node's result."""
    cpe_matches: tuple[CpeMatch, ...] = ()
    """Leaf matches."""
    children: tuple[CpeNode, ...] = ()
    """Sub-nodes."""


@dataclass(frozen=True, slots=True)
class ProductHelpers:
    """CSAF ``product_identification_helper`` of one product."""

    cpe: str | None = None
    """CPE name."""
    purl: str | None = None
    """Package URL."""
    model_numbers: tuple[str, ...] = ()
    """Model numbers (may contain ``*``/``?`` wildcards)."""
    sbom_urls: tuple[str, ...] = ()
    """URLs of SBOMs of the product."""
    serial_numbers: tuple[str, ...] = ()
    """Serial numbers (wildcards allowed)."""
    skus: tuple[str, ...] = ()
    """Stock keeping units."""
    x_generic_uris: tuple[tuple[str, str], ...] = ()
    """Generic URIs as (namespace, uri)."""
    hashes: tuple[tuple[str, str, str], ...] = ()
    """File hashes as (filename, algorithm, value)."""


@dataclass(frozen=True, slots=True)
class CsafProduct:
    """A product defined in a CSAF product tree, with where it was defined."""

    product_id: str
    """CSAF product id (``CSAFPID-0001``)."""
    name: str
    """Full product name."""
    helpers: ProductHelpers | None = None
    """Identification helpers."""
    branch_path: tuple[tuple[str, str], ...] = ()
    """(category, name) of each branch from the root to the product."""
    vendor: str | None = None
    """Name of the nearest ``vendor`` branch."""
    product_name: str | None = None
    """Name of the nearest ``product_name`` branch (or ``product_family`` when none)."""
    product_version: str | None = None
    """Name of the ``product_version`` branch."""
    product_version_range: str | None = None
    """Name of the ``product_version_range`` branch (e.g. ``<= 2.6A`` or ``vers:all/*``)."""
    relationship: tuple[str, str, str] | None = None
    """For products defined by a relationship: (category, product_reference,
    relates_to_product_reference), e.g. ``default_component_of``."""


@dataclass(frozen=True, slots=True)
class CsafProductStatus:
    """One product's status for one vulnerability of a CSAF document."""

    product_id: str
    """CSAF product id."""
    status: str
    """One of :data:`CSAF_STATUSES`."""
    product: CsafProduct
    """The product as defined by the product tree."""


@dataclass(frozen=True, slots=True)
class Note:
    """A CSAF note (document or vulnerability level)."""

    category: str
    """``summary``, ``description``, ``general``, ``legal_disclaimer``, ..."""
    text: str
    """The note text."""
    title: str | None = None
    """The note title."""


@dataclass(frozen=True, slots=True)
class ProductAction:
    """A CSAF remediation, threat or flag: something said about a set of products."""

    kind: str
    """``remediation``, ``threat`` or ``flag``."""
    category: str
    """Remediation category (``vendor_fix``, ``mitigation``, ...), threat category (``impact``,
    ``exploit_status``, ``target_set``) or flag label (``component_not_present``, ...)."""
    details: str | None = None
    """Details text."""
    product_ids: tuple[str, ...] = ()
    """Products it applies to (group ids are expanded)."""
    url: str | None = None
    """Remediation URL."""
    date: dt.datetime | None = None
    """Date of the statement."""


@dataclass(frozen=True, slots=True)
class Revision:
    """One entry of a CSAF document's revision history."""

    number: str
    """Version number (``1``, ``1.0.0``)."""
    date: dt.datetime | None
    """Release date of this revision."""
    summary: str
    """What changed."""
    legacy_version: str | None = None
    """Legacy version label (CISA: ``Initial``, ``Update A``)."""


@dataclass(frozen=True, slots=True)
class CsafDocumentInfo:
    """Document-level facts of the CSAF document a record came from."""

    tracking_id: str
    """``document.tracking.id`` (``ICSMA-19-178-01``)."""
    title: str
    """Document title."""
    category: str
    """``csaf_security_advisory``, ``csaf_vex``, ``csaf_informational_advisory``, ``csaf_base``."""
    publisher: str
    """Publisher name."""
    publisher_namespace: str
    """Publisher namespace URL."""
    version: str
    """``tracking.version``."""
    status: str
    """``draft``, ``interim`` or ``final``."""
    initial_release_date: dt.datetime | None
    """First release."""
    current_release_date: dt.datetime | None
    """Current release."""
    revisions: tuple[Revision, ...] = ()
    """Revision history in document order."""
    tlp: str | None = None
    """TLP label."""
    notes: tuple[Note, ...] = ()
    """Document notes."""


@dataclass(frozen=True, slots=True)
class SsvcDecision:
    """SSVC decision points stated for a CVE (CISA ADP Vulnrichment)."""

    exploitation: str | None
    """``none``, ``poc`` or ``active``."""
    automatable: str | None
    """``yes`` or ``no``."""
    technical_impact: str | None
    """``partial`` or ``total``."""
    role: str | None = None
    """Decision role (``CISA Coordinator``)."""
    version: str | None = None
    """SSVC version."""
    timestamp: dt.datetime | None = None
    """When the decision was made."""
    provider: str | None = None
    """Short name of the container that stated it (``CISA-ADP``)."""


@dataclass(frozen=True, slots=True)
class AdvisoryRecord:
    """One source's record about one vulnerability.

    Identity for idempotent storage is ``(source, id, modified)``. Rejected CVEs (NVD
    ``vulnStatus`` Rejected, NVD 1.1 ``** REJECT **`` descriptions, CVE 5 state REJECTED) set
    ``rejected`` and ``withdrawn`` (the rejection date, or the last modification when the
    source gives none); OSV withdrawals set ``withdrawn`` only.

    CSAF: one record per vulnerability of a document, ``id`` is ``<tracking id>/<CVE or
    vulnerability id or index>``, ``aliases`` hold the vulnerability's CVE and ``ids``, and the
    document's tracking id is in ``related`` and ``document.tracking_id`` (not in ``aliases``:
    a document listing several CVEs would otherwise merge distinct CVEs into one identity). A
    document without vulnerabilities yields one record with ``id`` = tracking id.
    """

    source: str
    """Source id: ``osv``, ``nvd``, ``cve5``, ``csaf``."""
    id: str
    """Record id within the source."""
    modified: dt.datetime | None
    """Last modification (OSV ``modified``, NVD ``lastModified``, CVE 5 ``dateUpdated``, CSAF
    ``current_release_date``)."""
    published: dt.datetime | None = None
    """First publication."""
    withdrawn: dt.datetime | None = None
    """Withdrawal / rejection date."""
    rejected: bool = False
    """True for rejected CVEs."""
    state: str | None = None
    """Source status: NVD ``vulnStatus``, CVE 5 ``state``, CSAF ``tracking.status``."""
    aliases: tuple[str, ...] = ()
    """Other ids of the same vulnerability (CVE, GHSA, PYSEC, GO, ...)."""
    related: tuple[str, ...] = ()
    """Ids of related but distinct records (OSV ``related``, CSAF document id)."""
    summary: str | None = None
    """One-line summary or title."""
    details: str | None = None
    """Full description (English when the source has several languages)."""
    cwes: tuple[str, ...] = ()
    """CWE ids (``CWE-284``), de-duplicated, source order."""
    references: tuple[Reference, ...] = ()
    """Links."""
    severities: tuple[Severity, ...] = ()
    """Scores and vectors."""
    affected: tuple[AffectedPackage, ...] = ()
    """Affected packages/products (OSV, CVE 5)."""
    cpe_configurations: tuple[CpeNode, ...] = ()
    """NVD configuration trees (roots)."""
    csaf_products: tuple[CsafProductStatus, ...] = ()
    """CSAF product statuses of this vulnerability."""
    ssvc: SsvcDecision | None = None
    """SSVC decision (CVE 5 CISA ADP)."""
    assigner: str | None = None
    """CNA / assigner / NVD ``sourceIdentifier``."""
    notes: tuple[Note, ...] = ()
    """CSAF vulnerability notes."""
    actions: tuple[ProductAction, ...] = ()
    """CSAF remediations, threats and flags."""
    document: CsafDocumentInfo | None = None
    """CSAF document facts."""
    database_specific_json: str | None = None
    """OSV ``database_specific`` (record level) as canonical JSON text."""


@dataclass(frozen=True, slots=True)
class KevEntry:
    """One entry of the CISA Known Exploited Vulnerabilities catalog."""

    cve_id: str
    """CVE id."""
    vendor: str
    """``vendorProject``."""
    product: str
    """Product name."""
    name: str
    """``vulnerabilityName``."""
    date_added: dt.date
    """When CISA added it."""
    due_date: dt.date | None
    """Remediation due date for US federal agencies."""
    known_ransomware: str
    """``knownRansomwareCampaignUse``: ``Known`` or ``Unknown``."""
    required_action: str
    """Required action text."""
    short_description: str = ""
    """Short description."""
    notes: str = ""
    """Notes (links)."""
    cwes: tuple[str, ...] = ()
    """CWE ids."""
    catalog_version: str | None = None
    """Catalog version of the JSON file (None for the CSV form)."""


@dataclass(frozen=True, slots=True)
class EpssScore:
    """One EPSS score of one CVE on one day."""

    cve_id: str
    """CVE id."""
    epss: float
    """Probability of exploitation activity in the next 30 days (0..1)."""
    percentile: float
    """Percentile of the score among all scored CVEs (0..1)."""
    score_date: dt.date | None
    """Day of the score (from the file header or the caller); None when unknown."""
    model_version: str | None = None
    """EPSS model version from the header."""
