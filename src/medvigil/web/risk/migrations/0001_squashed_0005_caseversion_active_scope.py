"""All of risk's migrations 0001_initial .. 0005_caseversion_active_scope in one, for new stores: the schema
of the current models (made by makemigrations from scratch), created without replaying the
history (which re-rendered the model state after each step: most of a new store's set-up
time). Stores that applied the originals keep them (``replaces``); the data steps had
nothing to do on an empty store."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("risk", "0001_initial"),
        ("risk", "0002_case_lifecycle"),
        ("risk", "0003_case_assignee"),
        ("risk", "0004_metrics_index"),
        ("risk", "0005_caseversion_active_scope"),
    ]

    initial = True

    dependencies = [
        ("advisories", "0001_squashed_0005_feed_upload"),
        ("inventory", "0001_squashed_0004_installed_base"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Assessment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                (
                    "status",
                    models.CharField(
                        choices=[("suggested", "Suggested"), ("confirmed", "Confirmed")], max_length=20
                    ),
                ),
                ("inputs", models.JSONField()),
                ("result", models.JSONField()),
                ("rubric_answers", models.JSONField(blank=True, null=True)),
                ("controlled", models.BooleanField()),
                ("borderline", models.BooleanField(default=False)),
                (
                    "exploitability",
                    models.CharField(
                        choices=[("low", "low"), ("medium", "medium"), ("high", "high")], max_length=10
                    ),
                ),
                (
                    "severity",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "negligible"),
                            (2, "minor"),
                            (3, "serious"),
                            (4, "critical"),
                            (5, "catastrophic"),
                        ]
                    ),
                ),
                ("phi_only", models.BooleanField(default=False)),
                (
                    "vex_status",
                    models.CharField(
                        choices=[
                            ("not_affected", "not affected"),
                            ("affected", "affected"),
                            ("fixed", "fixed"),
                            ("under_investigation", "under investigation"),
                        ],
                        max_length=30,
                    ),
                ),
                ("scope", models.JSONField(default=dict)),
                ("justification", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "based_on",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="risk.assessment",
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
                "ordering": ["case", "-number"],
            },
        ),
        migrations.CreateModel(
            name="Case",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("triage", "Triage"),
                            ("assessed", "Assessed"),
                            ("remediation", "Remediation"),
                            ("monitoring", "Monitoring"),
                            ("closed", "Closed"),
                        ],
                        default="new",
                        max_length=20,
                    ),
                ),
                ("day0", models.DateField(help_text="the day the manufacturer learned of the vulnerability")),
                ("first_party", models.BooleanField(default=False)),
                ("summary", models.TextField(blank=True)),
                ("review_needed", models.BooleanField(default=False)),
                ("review_reason", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_cases",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "current_assessment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="risk.assessment",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cases",
                        to="inventory.product",
                    ),
                ),
                (
                    "vulnerability",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="advisories.vulnerability",
                    ),
                ),
            ],
            options={
                "ordering": ["-day0", "-id"],
            },
        ),
        migrations.AddField(
            model_name="assessment",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="assessments", to="risk.case"
            ),
        ),
        migrations.CreateModel(
            name="CaseEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=40)),
                ("message", models.TextField()),
                ("at", models.DateTimeField(auto_now_add=True)),
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
                    "assessment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="risk.assessment",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="events", to="risk.case"
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="CaseVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("components", models.JSONField(blank=True, default=list)),
                ("source", models.CharField(default="finding", max_length=20)),
                ("active", models.BooleanField(default=True)),
                ("carried", models.BooleanField(default=False)),
                ("added_at", models.DateTimeField(auto_now_add=True)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="scope", to="risk.case"
                    ),
                ),
                (
                    "covered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="covered_versions",
                        to="risk.assessment",
                    ),
                ),
                (
                    "product_version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="inventory.productversion",
                    ),
                ),
            ],
            options={
                "ordering": ["case", "product_version__release_date", "product_version_id"],
            },
        ),
        migrations.CreateModel(
            name="ExploitabilityPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField()),
                ("data", models.JSONField()),
                ("note", models.CharField(blank=True, max_length=500)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
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
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="exploitability_policies",
                        to="inventory.product",
                    ),
                ),
            ],
            options={
                "ordering": ["product", "-version"],
                "abstract": False,
            },
        ),
        migrations.AddField(
            model_name="assessment",
            name="policy",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="risk.exploitabilitypolicy",
            ),
        ),
        migrations.CreateModel(
            name="Hazard",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("identifier", models.CharField(max_length=40)),
                ("hazardous_situation", models.TextField()),
                ("harm", models.TextField()),
                (
                    "severity",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "negligible"),
                            (2, "minor"),
                            (3, "serious"),
                            (4, "critical"),
                            (5, "catastrophic"),
                        ]
                    ),
                ),
                ("links", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="hazards",
                        to="inventory.product",
                    ),
                ),
            ],
            options={
                "ordering": ["product", "identifier"],
            },
        ),
        migrations.CreateModel(
            name="RiskMatrix",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField()),
                ("data", models.JSONField()),
                ("note", models.CharField(blank=True, max_length=500)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
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
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="risk_matrices",
                        to="inventory.product",
                    ),
                ),
            ],
            options={
                "ordering": ["product", "-version"],
                "abstract": False,
            },
        ),
        migrations.AddField(
            model_name="assessment",
            name="matrix",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="risk.riskmatrix"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["state"], name="case_state"),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                fields=("product", "vulnerability"), name="uniq_case_product_vulnerability"
            ),
        ),
        migrations.AddIndex(
            model_name="caseversion",
            index=models.Index(fields=["case", "active", "product_version"], name="caseversion_active_scope"),
        ),
        migrations.AddConstraint(
            model_name="caseversion",
            constraint=models.UniqueConstraint(fields=("case", "product_version"), name="uniq_case_version"),
        ),
        migrations.AddConstraint(
            model_name="exploitabilitypolicy",
            constraint=models.UniqueConstraint(fields=("product", "version"), name="uniq_policy_version"),
        ),
        migrations.AddConstraint(
            model_name="hazard",
            constraint=models.UniqueConstraint(
                fields=("product", "identifier"), name="uniq_hazard_identifier"
            ),
        ),
        migrations.AddConstraint(
            model_name="riskmatrix",
            constraint=models.UniqueConstraint(
                fields=("product", "version"), name="uniq_risk_matrix_version"
            ),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["exploitability", "severity"], name="assessment_cell"),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["case", "status", "created_at"], name="assessment_first_confirmed"),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(fields=("case", "number"), name="uniq_assessment_number"),
        ),
    ]
