"""All of advisories's migrations 0001_initial .. 0005_feed_upload in one, for new stores: the schema
of the current models (made by makemigrations from scratch), created without replaying the
history (which re-rendered the model state after each step: most of a new store's set-up
time). Stores that applied the originals keep them (``replaces``); the data steps had
nothing to do on an empty store."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# PostgreSQL only (from 0003_vulnerability_list_index): the default list's order, NULLS LAST
# included (SQLite's descending scan of vuln_list_cvss already puts NULLs last).
PG_INDEX = "CREATE INDEX IF NOT EXISTS vuln_pg_list_cvss ON advisories_vulnerability (withdrawn, cvss_score DESC NULLS LAST, key)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS vuln_pg_list_cvss")


class Migration(migrations.Migration):
    replaces = [
        ("advisories", "0001_initial"),
        ("advisories", "0002_feed_sync"),
        ("advisories", "0003_vulnerability_list_index"),
        ("advisories", "0004_affected_package_key"),
        ("advisories", "0005_feed_upload"),
    ]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AdvisoryRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("record_id", models.CharField(max_length=300)),
                ("modified", models.DateTimeField(blank=True, null=True)),
                ("published", models.DateTimeField(blank=True, null=True)),
                ("withdrawn", models.DateTimeField(blank=True, null=True)),
                ("rejected", models.BooleanField(default=False)),
                ("state", models.CharField(blank=True, max_length=40)),
                ("summary", models.TextField(blank=True)),
                ("details", models.TextField(blank=True)),
                ("aliases", models.JSONField(blank=True, default=list)),
                ("related", models.JSONField(blank=True, default=list)),
                ("cwes", models.JSONField(blank=True, default=list)),
                ("severities", models.JSONField(blank=True, default=list)),
                ("references", models.JSONField(blank=True, default=list)),
                ("ssvc", models.JSONField(blank=True, null=True)),
                (
                    "extra",
                    models.JSONField(
                        blank=True, default=dict, help_text="assigner, notes, actions, document, ..."
                    ),
                ),
                ("cvss_score", models.FloatField(blank=True, null=True)),
                ("cvss_vector", models.CharField(blank=True, max_length=300)),
                ("cvss_version", models.CharField(blank=True, max_length=8)),
                ("severity", models.CharField(blank=True, max_length=10)),
                ("raw", models.BinaryField(help_text="upstream bytes, zlib-compressed")),
                ("raw_sha256", models.CharField(max_length=64)),
                ("location", models.CharField(blank=True, max_length=500)),
                ("first_seen", models.DateTimeField()),
                ("last_seen", models.DateTimeField()),
            ],
            options={
                "ordering": ["source", "record_id"],
            },
        ),
        migrations.CreateModel(
            name="ImportRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("path", models.CharField(max_length=1000)),
                ("sha256", models.CharField(max_length=64)),
                ("size", models.PositiveBigIntegerField(default=0)),
                ("started_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "status",
                    models.CharField(
                        choices=[("running", "Running"), ("succeeded", "Succeeded"), ("failed", "Failed")],
                        default="running",
                        max_length=10,
                    ),
                ),
                ("new", models.PositiveIntegerField(default=0)),
                ("updated", models.PositiveIntegerField(default=0)),
                ("unchanged", models.PositiveIntegerField(default=0)),
                ("withdrawn", models.PositiveIntegerField(default=0)),
                ("rejected", models.PositiveIntegerField(default=0)),
                ("error_count", models.PositiveIntegerField(default=0)),
                ("errors", models.JSONField(blank=True, default=list, help_text="first 1,000 record errors")),
                ("message", models.TextField(blank=True, help_text="why the run failed as a whole")),
            ],
            options={
                "ordering": ["-started_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Source",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=60, unique=True)),
                (
                    "kind",
                    models.CharField(help_text="parser id: osv, nvd, cve5, kev, epss, csaf", max_length=20),
                ),
                ("url", models.CharField(blank=True, max_length=500)),
                ("enabled", models.BooleanField(default=True)),
                ("config", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="CpeConfiguration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("nodes", models.JSONField(default=list)),
                (
                    "record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cpe_configurations",
                        to="advisories.advisoryrecord",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="EpssScore",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("cve_id", models.CharField(max_length=30)),
                ("score_date", models.DateField()),
                ("epss", models.FloatField()),
                ("percentile", models.FloatField()),
                ("model_version", models.CharField(blank=True, max_length=40)),
            ],
            options={
                "verbose_name": "EPSS score",
                "constraints": [
                    models.UniqueConstraint(fields=("cve_id", "score_date"), name="uniq_epss_day")
                ],
            },
        ),
        migrations.CreateModel(
            name="FeedUpload",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("kind", models.CharField(max_length=10)),
                ("size", models.PositiveBigIntegerField(default=0)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                    ),
                ),
                ("message", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
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
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="FeedSync",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        help_text="fetcher name: nvd, osv, kev, epss, csaf", max_length=60, unique=True
                    ),
                ),
                ("cursor", models.JSONField(blank=True, default=dict)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("never", "Never"),
                            ("running", "Running"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed"),
                        ],
                        default="never",
                        max_length=10,
                    ),
                ),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("last_success_at", models.DateTimeField(blank=True, null=True)),
                ("message", models.TextField(blank=True, help_text="why the last sync failed")),
                (
                    "events",
                    models.JSONField(
                        blank=True, default=list, help_text="retries, waits and notes of the last sync"
                    ),
                ),
                (
                    "rejected",
                    models.JSONField(blank=True, default=list, help_text="documents refused (url, reason)"),
                ),
                (
                    "files",
                    models.PositiveIntegerField(default=0, help_text="inputs fetched by the last sync"),
                ),
                (
                    "counts",
                    models.JSONField(
                        blank=True, default=dict, help_text="new/updated/... summed over the runs"
                    ),
                ),
                ("runs", models.ManyToManyField(blank=True, related_name="syncs", to="advisories.importrun")),
            ],
            options={
                "ordering": ["source"],
            },
        ),
        migrations.AddField(
            model_name="advisoryrecord",
            name="import_run",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="advisories.importrun"
            ),
        ),
        migrations.CreateModel(
            name="KevEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("cve_id", models.CharField(max_length=30, unique=True)),
                ("vendor", models.CharField(max_length=300)),
                ("product", models.CharField(max_length=300)),
                ("name", models.CharField(max_length=500)),
                ("date_added", models.DateField()),
                ("due_date", models.DateField(blank=True, null=True)),
                ("known_ransomware", models.CharField(max_length=20)),
                ("required_action", models.TextField()),
                ("short_description", models.TextField(blank=True)),
                ("notes", models.TextField(blank=True)),
                ("cwes", models.JSONField(blank=True, default=list)),
                ("catalog_version", models.CharField(blank=True, max_length=40)),
                ("first_seen", models.DateTimeField()),
                ("last_seen", models.DateTimeField()),
                (
                    "import_run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="advisories.importrun",
                    ),
                ),
            ],
            options={
                "verbose_name": "KEV entry",
                "verbose_name_plural": "KEV entries",
                "ordering": ["-date_added", "cve_id"],
            },
        ),
        migrations.AddField(
            model_name="importrun",
            name="source",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="runs",
                to="advisories.source",
            ),
        ),
        migrations.AddField(
            model_name="advisoryrecord",
            name="source",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="records", to="advisories.source"
            ),
        ),
        migrations.CreateModel(
            name="Vulnerability",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200, unique=True)),
                ("summary", models.TextField(blank=True)),
                ("published", models.DateTimeField(blank=True, null=True)),
                ("modified", models.DateTimeField(blank=True, null=True)),
                ("cvss_score", models.FloatField(blank=True, null=True)),
                ("cvss_vector", models.CharField(blank=True, max_length=300)),
                ("cvss_version", models.CharField(blank=True, max_length=8)),
                (
                    "severity",
                    models.CharField(
                        blank=True, help_text="critical, high, medium, low, none", max_length=10
                    ),
                ),
                ("kev", models.BooleanField(default=False)),
                ("kev_date_added", models.DateField(blank=True, null=True)),
                ("epss", models.FloatField(blank=True, null=True)),
                ("epss_percentile", models.FloatField(blank=True, null=True)),
                ("epss_date", models.DateField(blank=True, null=True)),
                ("sources", models.JSONField(blank=True, default=list)),
                (
                    "withdrawn",
                    models.BooleanField(default=False, help_text="every record is withdrawn or rejected"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name_plural": "vulnerabilities",
                "ordering": ["key"],
                "indexes": [
                    models.Index(fields=["cvss_score"], name="vuln_cvss"),
                    models.Index(fields=["epss"], name="vuln_epss"),
                    models.Index(fields=["modified"], name="vuln_modified"),
                    models.Index(fields=["kev", "cvss_score"], name="vuln_kev"),
                    models.Index(fields=["withdrawn", "cvss_score", "key"], name="vuln_list_cvss"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Alias",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("alias", models.CharField(max_length=200, unique=True)),
                (
                    "vulnerability",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="aliases",
                        to="advisories.vulnerability",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "aliases",
                "ordering": ["alias"],
            },
        ),
        migrations.AddField(
            model_name="advisoryrecord",
            name="vulnerability",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="records",
                to="advisories.vulnerability",
            ),
        ),
        migrations.CreateModel(
            name="AffectedPackage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0)),
                ("ecosystem", models.CharField(blank=True, max_length=100)),
                ("name", models.CharField(max_length=500)),
                ("purl", models.CharField(blank=True, max_length=1000)),
                ("purl_type", models.CharField(blank=True, max_length=40)),
                ("purl_namespace", models.CharField(blank=True, max_length=300)),
                ("purl_name", models.CharField(blank=True, max_length=300)),
                (
                    "package_key",
                    models.CharField(
                        blank=True,
                        help_text="core.matching.keys.package_key of the purl parts (the join key)",
                        max_length=700,
                    ),
                ),
                ("vendor", models.CharField(blank=True, max_length=300)),
                ("product", models.CharField(blank=True, max_length=300)),
                ("ranges", models.JSONField(blank=True, default=list)),
                ("versions", models.JSONField(blank=True, default=list)),
                ("unaffected", models.JSONField(blank=True, default=list)),
                ("cpes", models.JSONField(blank=True, default=list)),
                ("default_status", models.CharField(blank=True, max_length=20)),
                (
                    "extra",
                    models.JSONField(
                        blank=True, default=dict, help_text="platforms, repo, provider, *_specific"
                    ),
                ),
                (
                    "record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="affected",
                        to="advisories.advisoryrecord",
                    ),
                ),
            ],
            options={
                "ordering": ["record", "position"],
                "indexes": [models.Index(fields=["package_key"], name="affected_package_key")],
            },
        ),
        migrations.CreateModel(
            name="CpeIndexEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("vendor", models.CharField(max_length=200)),
                ("product", models.CharField(max_length=200)),
                (
                    "record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="advisories.advisoryrecord",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["vendor", "product"], name="cpe_index_vp")],
            },
        ),
        migrations.CreateModel(
            name="CsafProductStatus",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("product_id", models.CharField(max_length=200)),
                ("status", models.CharField(max_length=30)),
                ("name", models.TextField()),
                ("vendor", models.CharField(blank=True, max_length=300)),
                ("product_name", models.CharField(blank=True, max_length=500)),
                ("product_version", models.CharField(blank=True, max_length=300)),
                ("product_version_range", models.CharField(blank=True, max_length=300)),
                ("cpe", models.CharField(blank=True, max_length=500)),
                ("purl", models.CharField(blank=True, max_length=1000)),
                ("purl_type", models.CharField(blank=True, max_length=40)),
                ("purl_namespace", models.CharField(blank=True, max_length=300)),
                ("purl_name", models.CharField(blank=True, max_length=300)),
                ("helpers", models.JSONField(blank=True, null=True)),
                ("branch_path", models.JSONField(blank=True, default=list)),
                ("relationship", models.JSONField(blank=True, null=True)),
                (
                    "record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="csaf_products",
                        to="advisories.advisoryrecord",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["purl_type", "purl_namespace", "purl_name"], name="csaf_purl_key"),
                    models.Index(fields=["vendor", "product_name"], name="csaf_vendor_product"),
                ],
            },
        ),
        migrations.AddIndex(
            model_name="importrun",
            index=models.Index(fields=["source", "sha256", "status"], name="importrun_checksum"),
        ),
        migrations.AddConstraint(
            model_name="advisoryrecord",
            constraint=models.UniqueConstraint(fields=("source", "record_id"), name="uniq_source_record"),
        ),
        migrations.RunPython(create, drop),
    ]
