"""All of findings's migrations 0001_initial .. 0006_metrics_indexes in one, for new stores: the schema
of the current models (made by makemigrations from scratch), created without replaying the
history (which re-rendered the model state after each step: most of a new store's set-up
time). Stores that applied the originals keep them (``replaces``); the data steps had
nothing to do on an empty store."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# PostgreSQL only (from 0004_postgres_sort_indexes): indexes in the list's sort order, NULLS LAST
# included; not in the model state (makemigrations leaves them alone).
INDEXES = {
    "finding_pg_score": "state, severity_score DESC NULLS LAST, epss DESC NULLS LAST, id DESC",
    "finding_pg_epss": "state, epss DESC NULLS LAST, severity_score DESC NULLS LAST, id DESC",
    "finding_pg_kev": "state, kev DESC, severity_score DESC NULLS LAST, epss DESC NULLS LAST, id DESC",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON findings_finding ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    replaces = [
        ("findings", "0001_initial"),
        ("findings", "0002_supplier_vex"),
        ("findings", "0003_list_indexes"),
        ("findings", "0004_postgres_sort_indexes"),
        ("findings", "0005_finding_triage"),
        ("findings", "0006_metrics_indexes"),
    ]

    initial = True

    dependencies = [
        ("advisories", "0001_squashed_0005_feed_upload"),
        ("inventory", "0001_squashed_0004_installed_base"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Finding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("component_key", models.CharField(max_length=600)),
                ("component_name", models.CharField(max_length=500)),
                ("component_version", models.CharField(blank=True, max_length=200)),
                ("component_purl", models.CharField(blank=True, max_length=1000)),
                ("component_cpes", models.JSONField(blank=True, default=list)),
                ("component_bom_ref", models.CharField(blank=True, max_length=500)),
                ("vulnerability_key", models.CharField(max_length=200)),
                ("aliases", models.JSONField(blank=True, default=list)),
                ("sources", models.JSONField(blank=True, default=list)),
                ("evidence", models.JSONField(blank=True, default=list)),
                ("method", models.CharField(max_length=20)),
                ("confidence", models.PositiveSmallIntegerField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("resolved", "resolved (component upgraded or removed)"),
                            ("not_affected", "not affected (VEX)"),
                            ("withdrawn", "withdrawn upstream"),
                            ("false_positive", "false positive"),
                            ("suppressed", "suppressed until a date"),
                            ("accepted", "risk accepted"),
                        ],
                        default="open",
                        max_length=16,
                    ),
                ),
                ("state_reason", models.CharField(blank=True, max_length=500)),
                ("first_seen", models.DateTimeField()),
                ("last_seen", models.DateTimeField()),
                ("state_changed_at", models.DateTimeField()),
                ("severity", models.CharField(blank=True, max_length=10)),
                ("severity_score", models.FloatField(blank=True, null=True)),
                ("epss", models.FloatField(blank=True, null=True)),
                ("kev", models.BooleanField(default=False)),
                (
                    "triage",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "none"),
                            ("false_positive", "false positive"),
                            ("suppressed", "suppressed until a date"),
                            ("accepted", "risk accepted"),
                        ],
                        default="",
                        max_length=16,
                    ),
                ),
                ("triage_reason", models.TextField(blank=True)),
                ("triage_until", models.DateField(blank=True, null=True)),
                ("triage_at", models.DateTimeField(blank=True, null=True)),
                (
                    "component",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="findings",
                        to="inventory.component",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="inventory.product"
                    ),
                ),
                (
                    "product_version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="findings",
                        to="inventory.productversion",
                    ),
                ),
                (
                    "triage_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "vulnerability",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="findings",
                        to="advisories.vulnerability",
                    ),
                ),
            ],
            options={
                "ordering": ["-kev", "-severity_score", "id"],
            },
        ),
        migrations.CreateModel(
            name="FindingEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField()),
                ("kind", models.CharField(max_length=20)),
                ("old_state", models.CharField(blank=True, max_length=16)),
                ("new_state", models.CharField(blank=True, max_length=16)),
                ("reason", models.TextField()),
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
                    "finding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="findings.finding",
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="MatchKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("component_id", models.BigIntegerField(null=True)),
                ("key", models.CharField(max_length=700)),
                (
                    "product_version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="inventory.productversion",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="MatchSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "infer_cpes",
                    models.BooleanField(
                        default=True,
                        help_text="infer CPEs from purl/name for components that state none (cpe-inferred)",
                    ),
                ),
                (
                    "product",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="match_settings",
                        to="inventory.product",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SupplierVex",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("filename", models.CharField(max_length=255)),
                (
                    "format",
                    models.CharField(
                        choices=[
                            ("cyclonedx-vex", "CycloneDX VEX"),
                            ("openvex", "OpenVEX"),
                            ("csaf-vex", "CSAF VEX"),
                        ],
                        max_length=20,
                    ),
                ),
                ("sha256", models.CharField(max_length=64)),
                ("size", models.PositiveBigIntegerField()),
                ("content", models.BinaryField()),
                ("statement_count", models.PositiveIntegerField()),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                ("active", models.BooleanField(default=True)),
                ("removed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supplier_vex",
                        to="inventory.product",
                    ),
                ),
                (
                    "product_version",
                    models.ForeignKey(
                        blank=True,
                        help_text="empty: the statements apply to every version of the product",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supplier_vex",
                        to="inventory.productversion",
                    ),
                ),
                (
                    "removed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
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
                "ordering": ["-uploaded_at", "-id"],
            },
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["state", "severity_score", "epss"], name="finding_state_score"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["state", "epss", "severity_score"], name="finding_state_epss"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["state", "kev", "severity_score", "epss"], name="finding_state_kev"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["product", "state", "severity_score", "epss"], name="finding_product"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                fields=["state", "severity", "severity_score", "epss"], name="finding_severity"
            ),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["state", "method", "severity_score", "epss"], name="finding_method"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["product_version", "state"], name="finding_version"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["vulnerability"], name="finding_vuln"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["state", "product", "severity"], name="finding_metrics_heat"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                fields=["first_seen", "state", "state_changed_at", "product"], name="finding_metrics_burn"
            ),
        ),
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.UniqueConstraint(
                fields=("product_version", "component_key", "vulnerability"), name="uniq_finding"
            ),
        ),
        migrations.AddIndex(
            model_name="matchkey",
            index=models.Index(fields=["key"], name="matchkey_key"),
        ),
        migrations.AddIndex(
            model_name="matchkey",
            index=models.Index(fields=["product_version"], name="matchkey_version"),
        ),
        migrations.AddIndex(
            model_name="suppliervex",
            index=models.Index(fields=["product", "active"], name="supplier_vex_active"),
        ),
        migrations.AddConstraint(
            model_name="suppliervex",
            constraint=models.UniqueConstraint(fields=("product", "sha256"), name="uniq_supplier_vex"),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
