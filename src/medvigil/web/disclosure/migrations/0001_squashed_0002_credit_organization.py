"""All of disclosure's migrations 0001_initial .. 0002_credit_organization in one, for new stores: the schema
of the current models (made by makemigrations from scratch), created without replaying the
history (which re-rendered the model state after each step: most of a new store's set-up
time). Stores that applied the originals keep them (``replaces``); the data steps had
nothing to do on an empty store."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("disclosure", "0001_initial"), ("disclosure", "0002_credit_organization")]

    initial = True

    dependencies = [
        ("inventory", "0001_squashed_0004_installed_base"),
        ("risk", "0001_squashed_0005_caseversion_active_scope"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DisclosurePolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "policy_text",
                    models.TextField(
                        default="We welcome reports of security vulnerabilities in our medical devices and services.\n\nHow to report: use the report form on this site (anonymous reports are accepted). Describe the affected product and version, the vulnerability, its impact and the steps to reproduce it. You receive a reference and a private tracking link; all further exchange happens through that link.\n\nWhat you can expect: an acknowledgement within {ack_days} business days, an initial assessment, status updates at least every 30 days, coordination of a disclosure date with you, and credit in the advisory if you wish.\n\nScope: the products listed in the report form, their software and their cloud services.\n\nPlease: do not test on devices in clinical use or connected to a patient; do not include protected health information (PHI) in reports; report adverse events or patient harm to our complaint handling, not this channel; give us reasonable time to fix before publishing.\n\nThis policy follows ISO/IEC 29147:2018 (vulnerability disclosure) and ISO/IEC 30111:2019 (vulnerability handling)."
                    ),
                ),
                (
                    "safe_harbour",
                    models.TextField(
                        default="We will not pursue or support legal action against anyone who reports in good faith under this policy: who avoids privacy violations, harm to patients, data destruction and service disruption, only tests on equipment they own or are authorised to test, and gives us reasonable time to remediate before disclosure. We consider such research authorised and will say so if a third party raises a complaint."
                    ),
                ),
                (
                    "ack_days",
                    models.PositiveSmallIntegerField(
                        default=5, help_text="acknowledgement SLA, business days"
                    ),
                ),
                ("contacts", models.JSONField(blank=True, default=list)),
                ("preferred_languages", models.CharField(default="en", max_length=100)),
                (
                    "expires_days",
                    models.PositiveSmallIntegerField(
                        default=180,
                        help_text="security.txt Expires is this many days ahead (less than a year)",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name_plural": "disclosure policy",
            },
        ),
        migrations.CreateModel(
            name="ReportCounter",
            fields=[
                ("year", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("last", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="Report",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reference", models.CharField(max_length=20, unique=True)),
                ("token_hash", models.CharField(max_length=64)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("acknowledged", "Acknowledged"),
                            ("triage", "Triage"),
                            ("duplicate", "Duplicate"),
                            ("invalid", "Invalid"),
                            ("out_of_scope", "out of scope"),
                            ("valid", "Valid"),
                            ("resolved", "Resolved"),
                            ("published", "Published"),
                        ],
                        default="new",
                        max_length=20,
                    ),
                ),
                ("version_text", models.CharField(blank=True, max_length=100)),
                ("title", models.CharField(max_length=200)),
                ("description", models.TextField()),
                ("impact", models.TextField(blank=True)),
                ("steps", models.TextField(blank=True)),
                ("cvss_vector", models.CharField(blank=True, max_length=200)),
                ("cvss_score", models.DecimalField(blank=True, decimal_places=1, max_digits=3, null=True)),
                ("reporter_name", models.CharField(blank=True, max_length=200)),
                ("reporter_email", models.EmailField(blank=True, max_length=254)),
                (
                    "credit",
                    models.CharField(
                        choices=[
                            ("name", "credit me by name"),
                            ("anonymous", "credit an anonymous researcher"),
                            ("none", "no credit"),
                        ],
                        default="none",
                        max_length=10,
                    ),
                ),
                ("credit_name", models.CharField(blank=True, max_length=200)),
                ("credit_organization", models.CharField(blank=True, max_length=200)),
                ("submitted_at", models.DateTimeField()),
                ("ack_due", models.DateField()),
                ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                ("components", models.JSONField(blank=True, default=list)),
                ("embargo_until", models.DateField(blank=True, null=True)),
                ("published_at", models.DateTimeField(blank=True, null=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "affected_versions",
                    models.ManyToManyField(blank=True, related_name="+", to="inventory.productversion"),
                ),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="cvd_reports",
                        to="risk.case",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="inventory.product",
                    ),
                ),
                (
                    "product_version",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="inventory.productversion",
                    ),
                ),
            ],
            options={
                "ordering": ["-submitted_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Message",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("reporter", "from the reporter"),
                            ("staff", "to the reporter"),
                            ("note", "internal note"),
                        ],
                        max_length=10,
                    ),
                ),
                ("body", models.TextField()),
                ("at", models.DateTimeField(auto_now_add=True)),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="disclosure.report",
                    ),
                ),
            ],
            options={
                "ordering": ["report", "at", "id"],
            },
        ),
        migrations.CreateModel(
            name="Attachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("filename", models.CharField(max_length=255)),
                ("content_type", models.CharField(max_length=100)),
                ("size", models.PositiveBigIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("content", models.BinaryField()),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="disclosure.report",
                    ),
                ),
            ],
            options={
                "ordering": ["report", "id"],
            },
        ),
        migrations.CreateModel(
            name="ReportEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True)),
                ("action", models.CharField(max_length=40)),
                ("message", models.TextField()),
                ("reason", models.TextField(blank=True)),
                ("data", models.JSONField(blank=True, default=dict)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="disclosure.report",
                    ),
                ),
            ],
            options={
                "ordering": ["report", "at", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["state", "submitted_at"], name="cvd_report_queue"),
        ),
    ]
