"""All of inventory's migrations 0001_initial .. 0004_installed_base in one, for new stores: the schema
of the current models (made by makemigrations from scratch), created without replaying the
history (which re-rendered the model state after each step: most of a new store's set-up
time). Stores that applied the originals keep them (``replaces``); the data steps had
nothing to do on an empty store."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import medvigil.core.model.component
import medvigil.core.model.product


class Migration(migrations.Migration):
    replaces = [
        ("inventory", "0001_initial"),
        ("inventory", "0002_product_cpes_purls"),
        ("inventory", "0003_version_analysis_state"),
        ("inventory", "0004_installed_base"),
    ]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Product",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=80, unique=True)),
                ("name", models.CharField(max_length=200)),
                ("description", models.TextField(blank=True)),
                ("model_numbers", models.JSONField(blank=True, default=list)),
                (
                    "cpes",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="CPE 2.3 names of the device; version '*' stands for each registered version",
                    ),
                ),
                (
                    "purls",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="package URLs of the device; without a version for every version",
                    ),
                ),
                ("udi_dis", models.JSONField(blank=True, default=list)),
                (
                    "device_class",
                    models.CharField(
                        choices=[("I", "I"), ("II", "II"), ("III", "III")],
                        default=medvigil.core.model.product.DeviceClass["II"],
                        max_length=3,
                    ),
                ),
                (
                    "pathway",
                    models.CharField(
                        choices=[
                            ("510k", "510k"),
                            ("de-novo", "de novo"),
                            ("pma", "pma"),
                            ("exempt", "exempt"),
                            ("other", "other"),
                        ],
                        default=medvigil.core.model.product.RegulatoryPathway["K510"],
                        max_length=10,
                    ),
                ),
                ("regulatory_number", models.CharField(blank=True, max_length=40)),
                ("implantable", models.BooleanField(default=False)),
                ("life_sustaining", models.BooleanField(default=False)),
                ("patient_connected", models.BooleanField(default=False)),
                ("home_use", models.BooleanField(default=False)),
                ("has_software", models.BooleanField(default=True)),
                ("interfaces", models.JSONField(blank=True, default=list)),
                ("essential_performance", models.JSONField(blank=True, default=list)),
                ("cyber_device_override", models.BooleanField(blank=True, null=True)),
                ("cyber_device_reason", models.CharField(blank=True, max_length=500)),
                ("end_of_support", models.DateField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="ProductVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.CharField(max_length=100)),
                ("release_date", models.DateField(blank=True, null=True)),
                (
                    "lifecycle",
                    models.CharField(
                        choices=[
                            ("development", "development"),
                            ("support", "support"),
                            ("limited-support", "limited support"),
                            ("end-of-support", "end of support"),
                        ],
                        default=medvigil.core.model.product.Lifecycle["SUPPORT"],
                        max_length=20,
                    ),
                ),
                ("end_of_support", models.DateField(blank=True, null=True)),
                ("installed_base", models.PositiveIntegerField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "analysis_state",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "not analysed"),
                            ("queued", "analysis pending"),
                            ("running", "analysis running"),
                            ("done", "analysed"),
                            ("failed", "analysis failed"),
                        ],
                        default="",
                        max_length=10,
                    ),
                ),
                ("analysis_requested_at", models.DateTimeField(blank=True, null=True)),
                ("analysis_finished_at", models.DateTimeField(blank=True, null=True)),
                ("analysis_error", models.TextField(blank=True)),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="inventory.product",
                    ),
                ),
            ],
            options={
                "ordering": ["product__name", "-release_date", "-id"],
            },
        ),
        migrations.CreateModel(
            name="InstalledBase",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("as_of", models.DateField(help_text="the day the devices were counted")),
                ("units", models.PositiveIntegerField(help_text="devices in the field running this version")),
                (
                    "source",
                    models.CharField(blank=True, help_text="where the count comes from", max_length=200),
                ),
                ("recorded_at", models.DateTimeField(auto_now=True)),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "product_version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="installed",
                        to="inventory.productversion",
                    ),
                ),
            ],
            options={
                "ordering": ["product_version", "-as_of"],
            },
        ),
        migrations.CreateModel(
            name="SbomDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("filename", models.CharField(max_length=255)),
                ("format", models.CharField(max_length=40)),
                ("spec_version", models.CharField(blank=True, max_length=40)),
                ("sha256", models.CharField(max_length=64)),
                ("size", models.PositiveBigIntegerField()),
                ("content", models.BinaryField()),
                ("component_count", models.PositiveIntegerField()),
                ("warnings", models.JSONField(blank=True, default=list)),
                ("serial_number", models.CharField(blank=True, max_length=300)),
                ("is_current", models.BooleanField(default=True)),
                ("imported_at", models.DateTimeField(auto_now_add=True)),
                (
                    "imported_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "product_version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="inventory.productversion",
                    ),
                ),
            ],
            options={
                "ordering": ["-imported_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="InventoryEvent",
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
                    "product_version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="inventory.productversion",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="inventory.sbomdocument",
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Component",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField()),
                ("bom_ref", models.CharField(blank=True, max_length=500)),
                ("parent_ref", models.CharField(blank=True, max_length=500)),
                ("name", models.CharField(max_length=500)),
                ("group", models.CharField(blank=True, max_length=300)),
                ("version", models.CharField(blank=True, max_length=200)),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("application", "application"),
                            ("framework", "framework"),
                            ("library", "library"),
                            ("container", "container"),
                            ("platform", "platform"),
                            ("operating-system", "operating system"),
                            ("device", "device"),
                            ("device-driver", "device driver"),
                            ("firmware", "firmware"),
                            ("file", "file"),
                            ("machine-learning-model", "machine learning model"),
                            ("data", "data"),
                            ("cryptographic-asset", "cryptographic asset"),
                            ("other", "other"),
                        ],
                        default=medvigil.core.model.component.ComponentType["LIBRARY"],
                        max_length=30,
                    ),
                ),
                ("purl", models.CharField(blank=True, max_length=1000)),
                ("purl_type", models.CharField(blank=True, max_length=40)),
                ("purl_namespace", models.CharField(blank=True, max_length=300)),
                ("purl_name", models.CharField(blank=True, max_length=300)),
                ("cpes", models.JSONField(blank=True, default=list)),
                ("supplier", models.CharField(blank=True, max_length=300)),
                ("hashes", models.JSONField(blank=True, default=list)),
                ("licenses", models.JSONField(blank=True, default=list)),
                ("scope", models.CharField(blank=True, max_length=20)),
                ("description", models.TextField(blank=True)),
                ("properties", models.JSONField(blank=True, default=list)),
                ("external_references", models.JSONField(blank=True, default=list)),
                ("depends_on", models.JSONField(blank=True, default=list)),
                (
                    "support_level",
                    models.CharField(
                        choices=[
                            ("actively-maintained", "actively maintained"),
                            ("no-longer-maintained", "no longer maintained"),
                            ("abandoned", "abandoned"),
                            ("unknown", "unknown"),
                        ],
                        default=medvigil.core.model.component.SupportLevel["UNKNOWN"],
                        max_length=30,
                    ),
                ),
                ("end_of_support", models.DateField(blank=True, null=True)),
                (
                    "product_version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="components",
                        to="inventory.productversion",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="components",
                        to="inventory.sbomdocument",
                    ),
                ),
            ],
            options={
                "ordering": ["product_version", "position"],
            },
        ),
        migrations.AddConstraint(
            model_name="productversion",
            constraint=models.UniqueConstraint(fields=("product", "version"), name="uniq_product_version"),
        ),
        migrations.AddConstraint(
            model_name="installedbase",
            constraint=models.UniqueConstraint(
                fields=("product_version", "as_of"), name="uniq_installed_base_day"
            ),
        ),
        migrations.AddIndex(
            model_name="sbomdocument",
            index=models.Index(fields=["product_version", "sha256"], name="inventory_s_product_ea0e8b_idx"),
        ),
        migrations.AddIndex(
            model_name="component",
            index=models.Index(
                fields=["purl_type", "purl_namespace", "purl_name"], name="component_purl_key"
            ),
        ),
        migrations.AddIndex(
            model_name="component",
            index=models.Index(fields=["product_version", "bom_ref"], name="component_bom_ref"),
        ),
    ]
