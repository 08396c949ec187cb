"""Vulnerability-intelligence storage.

``Source`` → ``ImportRun``; each ``AdvisoryRecord`` is one source's claim (raw bytes kept,
zlib-compressed) with its child rows ``AffectedPackage``, ``CpeConfiguration`` (+ the
``CpeIndexEntry`` lookup table) and ``CsafProductStatus``. Records share a ``Vulnerability``
identity through ``Alias`` rows. ``KevEntry`` and ``EpssScore`` hold enrichment data keyed by CVE.

Records are never deleted: withdrawn and rejected ones are marked. Bulk writes go through
:mod:`medvigil.web.bulk`, which takes its column names from this module.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Source(models.Model):
    """A provider of intelligence (nvd, osv, cve5, kev, epss, a CSAF provider)."""

    name = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, help_text="parser id: osv, nvd, cve5, kev, epss, csaf")
    url = models.CharField(max_length=500, blank=True)
    enabled = models.BooleanField(default=True)
    config = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """One import of one input file for one source: checksum, counts and record errors."""

    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="runs")
    path = models.CharField(max_length=1000)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="first 1,000 record errors")
    message = models.TextField(blank=True, help_text="why the run failed as a whole")

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["source", "sha256", "status"], name="importrun_checksum")]

    def __str__(self) -> str:
        return f"{self.source or '?'} {self.path} ({self.status})"


class Vulnerability(models.Model):
    """The identity aliases share (CVE-2019-10964 ≡ ICSMA-19-178-01's vulnerability).

    ``key`` is a CVE id when any alias is one, else the first id seen. The remaining fields are
    denormalised from the records, KEV and EPSS after every import, for sorting and filtering.
    """

    key = models.CharField(max_length=200, unique=True)
    summary = models.TextField(blank=True)
    published = models.DateTimeField(null=True, blank=True)
    modified = models.DateTimeField(null=True, blank=True)
    cvss_score = models.FloatField(null=True, blank=True)
    cvss_vector = models.CharField(max_length=300, blank=True)
    cvss_version = models.CharField(max_length=8, blank=True)
    severity = models.CharField(max_length=10, blank=True, help_text="critical, high, medium, low, none")
    kev = models.BooleanField(default=False)
    kev_date_added = models.DateField(null=True, blank=True)
    epss = models.FloatField(null=True, blank=True)
    epss_percentile = models.FloatField(null=True, blank=True)
    epss_date = models.DateField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True)
    withdrawn = models.BooleanField(default=False, help_text="every record is withdrawn or rejected")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]
        verbose_name_plural = "vulnerabilities"
        indexes = [
            models.Index(fields=["cvss_score"], name="vuln_cvss"),
            models.Index(fields=["epss"], name="vuln_epss"),
            models.Index(fields=["modified"], name="vuln_modified"),
            models.Index(fields=["kev", "cvss_score"], name="vuln_kev"),
            # The default list (not withdrawn, by CVSS): its count and pages from this index alone.
            models.Index(fields=["withdrawn", "cvss_score", "key"], name="vuln_list_cvss"),
        ]

    def __str__(self) -> str:
        return self.key


class Alias(models.Model):
    """One identifier of a vulnerability (its key is one of them)."""

    alias = models.CharField(max_length=200, unique=True)
    vulnerability = models.ForeignKey(Vulnerability, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "aliases"

    def __str__(self) -> str:
        return self.alias


class AdvisoryRecord(models.Model):
    """One source's record about one vulnerability, as published, with its parsed fields."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="records")
    record_id = models.CharField(max_length=300)
    vulnerability = models.ForeignKey(Vulnerability, on_delete=models.PROTECT, related_name="records")
    modified = models.DateTimeField(null=True, blank=True)
    published = models.DateTimeField(null=True, blank=True)
    withdrawn = models.DateTimeField(null=True, blank=True)
    rejected = models.BooleanField(default=False)
    state = models.CharField(max_length=40, blank=True)
    summary = models.TextField(blank=True)
    details = models.TextField(blank=True)
    aliases = models.JSONField(default=list, blank=True)
    related = models.JSONField(default=list, blank=True)
    cwes = models.JSONField(default=list, blank=True)
    severities = models.JSONField(default=list, blank=True)
    references = models.JSONField(default=list, blank=True)
    ssvc = models.JSONField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True, help_text="assigner, notes, actions, document, ...")
    cvss_score = models.FloatField(null=True, blank=True)
    cvss_vector = models.CharField(max_length=300, blank=True)
    cvss_version = models.CharField(max_length=8, blank=True)
    severity = models.CharField(max_length=10, blank=True)
    raw = models.BinaryField(help_text="upstream bytes, zlib-compressed")
    raw_sha256 = models.CharField(max_length=64)
    location = models.CharField(max_length=500, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    import_run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["source", "record_id"]
        constraints = [models.UniqueConstraint(fields=["source", "record_id"], name="uniq_source_record")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.record_id}"


class AffectedPackage(models.Model):
    """A package/product claim of a record: purl key, ranges or enumerated versions."""

    record = models.ForeignKey(AdvisoryRecord, on_delete=models.CASCADE, related_name="affected")
    position = models.PositiveIntegerField(default=0)
    ecosystem = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=500)
    purl = models.CharField(max_length=1000, blank=True)
    purl_type = models.CharField(max_length=40, blank=True)
    purl_namespace = models.CharField(max_length=300, blank=True)
    purl_name = models.CharField(max_length=300, blank=True)
    package_key = models.CharField(
        max_length=700,
        blank=True,
        help_text="core.matching.keys.package_key of the purl parts (the join key)",
    )
    vendor = models.CharField(max_length=300, blank=True)
    product = models.CharField(max_length=300, blank=True)
    ranges = models.JSONField(default=list, blank=True)
    versions = models.JSONField(default=list, blank=True)
    unaffected = models.JSONField(default=list, blank=True)
    cpes = models.JSONField(default=list, blank=True)
    default_status = models.CharField(max_length=20, blank=True)
    extra = models.JSONField(default=dict, blank=True, help_text="platforms, repo, provider, *_specific")

    class Meta:
        ordering = ["record", "position"]
        indexes = [
            models.Index(fields=["package_key"], name="affected_package_key"),
        ]

    def __str__(self) -> str:
        return self.purl or self.name


class CpeConfiguration(models.Model):
    """An NVD record's configuration trees (list of root nodes) as JSON, AND/negate intact."""

    record = models.ForeignKey(AdvisoryRecord, on_delete=models.CASCADE, related_name="cpe_configurations")
    nodes = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"configurations of {self.record_id}"


class CpeIndexEntry(models.Model):
    """vendor:product of a vulnerable cpeMatch of a record's configurations (candidate lookup)."""

    record = models.ForeignKey(AdvisoryRecord, on_delete=models.CASCADE, related_name="+")
    vendor = models.CharField(max_length=200)
    product = models.CharField(max_length=200)
    screen = models.TextField(null=True, blank=True)  # noqa: DJ001 - NULL: a row stored before screens
    """The record's vulnerable entries of this ``vendor:product`` reduced to what a version must
    satisfy (:func:`~medvigil.core.matching.cpe_config.stored_screens`, JSON), so a scan screens
    the record without decoding its configurations; NULL until the fill after the import
    (:mod:`~medvigil.web.advisories.screens`) and ``""`` when it had none: decoded instead."""

    class Meta:
        # product first: a scan looks records up by product alone (a component's vendor may be
        # ANY or an alias), and ``vendor:product`` lookups use the same index
        indexes = [models.Index(fields=["product", "vendor"], name="cpe_index_pv")]

    def __str__(self) -> str:
        return f"{self.vendor}:{self.product}"


class CsafProductStatus(models.Model):
    """A CSAF product (with identification helpers) and its status for the record's vulnerability."""

    record = models.ForeignKey(AdvisoryRecord, on_delete=models.CASCADE, related_name="csaf_products")
    product_id = models.CharField(max_length=200)
    status = models.CharField(max_length=30)
    name = models.TextField()
    vendor = models.CharField(max_length=300, blank=True)
    product_name = models.CharField(max_length=500, blank=True)
    product_version = models.CharField(max_length=300, blank=True)
    product_version_range = models.CharField(max_length=300, blank=True)
    cpe = models.CharField(max_length=500, blank=True)
    purl = models.CharField(max_length=1000, blank=True)
    purl_type = models.CharField(max_length=40, blank=True)
    purl_namespace = models.CharField(max_length=300, blank=True)
    purl_name = models.CharField(max_length=300, blank=True)
    helpers = models.JSONField(null=True, blank=True)
    branch_path = models.JSONField(default=list, blank=True)
    relationship = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["purl_type", "purl_namespace", "purl_name"], name="csaf_purl_key"),
            models.Index(fields=["vendor", "product_name"], name="csaf_vendor_product"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.status}"


class KevEntry(models.Model):
    """An entry of CISA's Known Exploited Vulnerabilities catalog (upserted by CVE)."""

    cve_id = models.CharField(max_length=30, unique=True)
    vendor = models.CharField(max_length=300)
    product = models.CharField(max_length=300)
    name = models.CharField(max_length=500)
    date_added = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    known_ransomware = models.CharField(max_length=20)
    required_action = models.TextField()
    short_description = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    cwes = models.JSONField(default=list, blank=True)
    catalog_version = models.CharField(max_length=40, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    import_run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-date_added", "cve_id"]
        verbose_name = "KEV entry"
        verbose_name_plural = "KEV entries"

    def __str__(self) -> str:
        return self.cve_id


class EpssScore(models.Model):
    """One EPSS score of one CVE on one day."""

    cve_id = models.CharField(max_length=30)
    score_date = models.DateField()
    epss = models.FloatField()
    percentile = models.FloatField()
    model_version = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cve_id", "score_date"], name="uniq_epss_day")]
        verbose_name = "EPSS score"

    def __str__(self) -> str:
        return f"{self.cve_id} {self.score_date} {self.epss}"


class FeedSync(models.Model):
    """The online sync state of one source: its cursor and what its last sync did.

    ``cursor`` is what the fetcher returned after the last fully imported sync (the next sync
    continues from it); ``runs`` are the import runs of the last sync.
    """

    class Status(models.TextChoices):
        NEVER = "never"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    source = models.CharField(max_length=60, unique=True, help_text="fetcher name: nvd, osv, kev, epss, csaf")
    cursor = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEVER)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True, help_text="why the last sync failed")
    events = models.JSONField(default=list, blank=True, help_text="retries, waits and notes of the last sync")
    rejected = models.JSONField(default=list, blank=True, help_text="documents refused (url, reason)")
    files = models.PositiveIntegerField(default=0, help_text="inputs fetched by the last sync")
    counts = models.JSONField(default=dict, blank=True, help_text="new/updated/... summed over the runs")
    runs = models.ManyToManyField(ImportRun, blank=True, related_name="syncs")

    class Meta:
        ordering = ["source"]

    def __str__(self) -> str:
        return f"{self.source} sync ({self.status})"


class FeedUpload(models.Model):
    """A feed file or bundle uploaded on the feeds page, imported by a background job.

    The file waits in the data folder (``feed-uploads/<id>/``) until the job has imported it; the
    feeds page shows "import pending" until then, and the outcome after.
    """

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    message = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"

    @property
    def pending(self) -> bool:
        """Queued or running: the outcome is not known yet."""
        return self.state in (self.State.QUEUED, self.State.RUNNING)
