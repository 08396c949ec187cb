"""CVD storage: the published policy (one row), researchers' reports with their attachments,
messages (to and from the reporter, and internal notes), and every staff action as an event.

The reporter holds a secret token; only its SHA-256 is stored (``Report.token_hash``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from medvigil.web.inventory.models import Product, ProductVersion
from medvigil.web.risk.models import Case

DEFAULT_POLICY = """\
We welcome reports of security vulnerabilities in our medical devices and services.

How to report: use the report form on this site (anonymous reports are accepted). Describe the \
affected product and version, the vulnerability, its impact and the steps to reproduce it. You \
receive a reference and a private tracking link; all further exchange happens through that link.

What you can expect: an acknowledgement within {ack_days} business days, an initial assessment, \
status updates at least every 30 days, coordination of a disclosure date with you, and credit in \
the advisory if you wish.

Scope: the products listed in the report form, their software and their cloud services.

Please: do not test on devices in clinical use or connected to a patient; do not include \
protected health information (PHI) in reports; report adverse events or patient harm to our \
complaint handling, not this channel; give us reasonable time to fix before publishing.

This policy follows ISO/IEC 29147:2018 (vulnerability disclosure) and ISO/IEC 30111:2019 \
(vulnerability handling)."""

DEFAULT_SAFE_HARBOUR = """\
We will not pursue or support legal action against anyone who reports in good faith under this \
policy: who avoids privacy violations, harm to patients, data destruction and service disruption, \
only tests on equipment they own or are authorised to test, and gives us reasonable time to \
remediate before disclosure. We consider such research authorised and will say so if a third \
party raises a complaint."""


class DisclosurePolicy(models.Model):
    """The published policy and security.txt fields (one row, editable by an admin)."""

    policy_text = models.TextField(default=DEFAULT_POLICY)
    safe_harbour = models.TextField(default=DEFAULT_SAFE_HARBOUR)
    ack_days = models.PositiveSmallIntegerField(default=5, help_text="acknowledgement SLA, business days")
    contacts = models.JSONField(default=list, blank=True)
    """security.txt ``Contact`` URIs besides the report form (mailto:, tel:, https:)."""
    preferred_languages = models.CharField(max_length=100, default="en")
    expires_days = models.PositiveSmallIntegerField(
        default=180, help_text="security.txt Expires is this many days ahead (less than a year)"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "disclosure policy"

    def __str__(self) -> str:
        return "disclosure policy"


class ReportCounter(models.Model):
    """The last reference number handed out per year (updated in the submitting transaction)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ReportState(models.TextChoices):
    """Where a report stands."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    TRIAGE = "triage"
    DUPLICATE = "duplicate"
    INVALID = "invalid"
    OUT_OF_SCOPE = "out_of_scope", "out of scope"
    VALID = "valid"
    RESOLVED = "resolved"
    PUBLISHED = "published"


class Credit(models.TextChoices):
    """How the reporter wants to be credited on publication."""

    NAME = "name", "credit me by name"
    ANONYMOUS = "anonymous", "credit an anonymous researcher"
    NONE = "none", "no credit"


class Report(models.Model):
    """One researcher's report."""

    reference = models.CharField(max_length=20, unique=True)
    token_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=20, choices=ReportState.choices, default=ReportState.NEW)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product_version = models.ForeignKey(
        ProductVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version_text = models.CharField(max_length=100, blank=True)
    """The version as the reporter named it (kept when it is not in the product list)."""
    title = models.CharField(max_length=200)
    description = models.TextField()
    impact = models.TextField(blank=True)
    steps = models.TextField(blank=True)
    cvss_vector = models.CharField(max_length=200, blank=True)
    cvss_score = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    reporter_name = models.CharField(max_length=200, blank=True)
    reporter_email = models.EmailField(blank=True)
    credit = models.CharField(max_length=10, choices=Credit.choices, default=Credit.NONE)
    credit_name = models.CharField(max_length=200, blank=True)
    credit_organization = models.CharField(max_length=200, blank=True)
    """The organisation to credit along with the name (credit by name only)."""
    submitted_at = models.DateTimeField()
    ack_due = models.DateField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    affected_versions = models.ManyToManyField(ProductVersion, blank=True, related_name="+")
    components = models.JSONField(default=list, blank=True)
    """Component names or purls the analyst linked."""
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="cvd_reports"
    )
    embargo_until = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["state", "submitted_at"], name="cvd_report_queue")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def credit_line(self) -> str:
        """The acknowledgment text ('' for no credit)."""
        if self.credit == Credit.NAME:
            who = self.credit_name or self.reporter_name
            org = self.credit_organization
            return f"{who} ({org})" if who and org else who or org or "an anonymous researcher"
        return "an anonymous researcher" if self.credit == Credit.ANONYMOUS else ""


class Attachment(models.Model):
    """A file the reporter sent; ``content_type`` comes from sniffing the bytes, not the name."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()

    class Meta:
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.content_type}, {self.size} bytes)"


class Message(models.Model):
    """A message from or to the reporter, or an internal note (never shown to the reporter)."""

    REPORTER, STAFF, NOTE = "reporter", "staff", "note"
    KINDS = [(REPORTER, "from the reporter"), (STAFF, "to the reporter"), (NOTE, "internal note")]

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=KINDS)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.report_id}"


class ReportEvent(models.Model):
    """Every action on a report: who, when, what and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=40)
    message = models.TextField()
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["report", "at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.message}"
