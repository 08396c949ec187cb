"""All of remediation's migrations 0001_initial .. 0002_clock_fact_columns in one, for new stores: the schema
of the current models (made by makemigrations from scratch), created without replaying the
history (which re-rendered the model state after each step: most of a new store's set-up
time). Stores that applied the originals keep them (``replaces``); the data steps had
nothing to do on an empty store."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("remediation", "0001_initial"), ("remediation", "0002_clock_fact_columns")]

    initial = True

    dependencies = [
        ("risk", "0001_squashed_0005_caseversion_active_scope"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IsaoMembership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("member_since", models.DateField()),
                ("member_until", models.DateField(blank=True, null=True)),
                ("membership_evidence", models.CharField(blank=True, max_length=500)),
                ("policies_evidence", models.CharField(blank=True, max_length=500)),
                ("sharing_evidence", models.CharField(blank=True, max_length=500)),
                ("process_evidence", models.CharField(blank=True, max_length=500)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="RemediationSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("controlled_targets", models.JSONField(blank=True, default=dict)),
                ("due_soon_days", models.PositiveSmallIntegerField(default=7)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name="CaseAction",
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
                            ("fix_release", "fix release"),
                            ("compensating_control", "compensating control"),
                            ("communication", "customer communication"),
                            ("isao_share", "ISAO share"),
                            ("validation", "validation evidence"),
                            ("report_filed", "regulatory report filed"),
                        ],
                        max_length=30,
                    ),
                ),
                (
                    "on",
                    models.DateField(help_text="the day it happened (distributed, sent, shared, validated)"),
                ),
                ("summary", models.CharField(max_length=300)),
                ("data", models.JSONField(default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="actions", to="risk.case"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["case", "on", "id"],
            },
        ),
        migrations.CreateModel(
            name="CaseFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "day0_source",
                    models.CharField(
                        choices=[
                            ("feed", "feed publication or import"),
                            ("cvd", "coordinated disclosure report"),
                            ("manual", "set by an analyst"),
                        ],
                        default="feed",
                        max_length=10,
                    ),
                ),
                ("day0_reason", models.TextField(blank=True)),
                ("plan", models.TextField(blank=True)),
                ("plan_rationale", models.TextField(blank=True)),
                ("facts", models.JSONField(blank=True, default=dict)),
                ("open", models.BooleanField(default=True)),
                ("next_due", models.DateField(blank=True, null=True)),
                ("next_milestone", models.CharField(blank=True, max_length=40)),
                (
                    "clock_state",
                    models.CharField(
                        choices=[
                            ("none", "no clock"),
                            ("pending", "Pending"),
                            ("due_soon", "due soon"),
                            ("overdue", "Overdue"),
                            ("met", "Met"),
                        ],
                        default="none",
                        max_length=10,
                    ),
                ),
                ("determination", models.JSONField(blank=True, default=dict)),
                ("evaluated_on", models.DateField(blank=True, null=True)),
                ("risk_status", models.CharField(blank=True, max_length=12)),
                ("communication_sent", models.DateField(blank=True, null=True)),
                ("fix_distributed", models.DateField(blank=True, null=True)),
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="remediation",
                        to="risk.case",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="EvidenceFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("filename", models.CharField(max_length=255)),
                ("content_type", models.CharField(blank=True, max_length=100)),
                ("size", models.PositiveBigIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("content", models.BinaryField()),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "action",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="files",
                        to="remediation.caseaction",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["action", "id"],
            },
        ),
        migrations.CreateModel(
            name="Obligation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                ("code", models.CharField(max_length=5)),
                ("regulation", models.CharField(max_length=60)),
                ("outcome", models.CharField(max_length=20)),
                ("due", models.DateField(blank=True, null=True)),
                ("calendar", models.CharField(blank=True, max_length=20)),
                ("reason", models.TextField()),
                ("evaluated_on", models.DateField()),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="obligations",
                        to="risk.case",
                    ),
                ),
            ],
            options={
                "ordering": ["case", "position"],
            },
        ),
        migrations.AddIndex(
            model_name="caseaction",
            index=models.Index(fields=["case", "kind", "on"], name="caseaction_kind"),
        ),
        migrations.AddIndex(
            model_name="casefile",
            index=models.Index(fields=["open", "next_due", "id"], name="casefile_clock"),
        ),
        migrations.AddIndex(
            model_name="casefile",
            index=models.Index(fields=["open", "clock_state", "next_due"], name="casefile_clock_state"),
        ),
        migrations.AddIndex(
            model_name="casefile",
            index=models.Index(
                fields=["case", "risk_status", "communication_sent", "fix_distributed"],
                name="casefile_metrics",
            ),
        ),
        migrations.AddIndex(
            model_name="obligation",
            index=models.Index(fields=["outcome", "due"], name="obligation_due"),
        ),
    ]
