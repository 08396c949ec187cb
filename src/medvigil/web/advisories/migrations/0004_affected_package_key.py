# The join key of affected packages, stored: the candidate query selects rows by
# core.matching.keys.package_key instead of guessing the stored spelling of a name (which missed
# crates.io names with "_" and mixed-case NuGet/npm/Debian names, issue 9).

from django.db import migrations, models

from medvigil.core.matching.keys import package_key

BATCH = 5000


def fill(apps, schema_editor):
    """Compute the key of every stored row (with the current rules; rerun after a rule change)."""
    model = apps.get_model("advisories", "AffectedPackage")
    rows = model.objects.exclude(purl_type="").exclude(purl_name="").order_by("pk")
    batch = []
    for pk, ptype, ns, name in rows.values_list("pk", "purl_type", "purl_namespace", "purl_name").iterator(
        chunk_size=BATCH
    ):
        batch.append(model(pk=pk, package_key=package_key(ptype, ns or None, name)[:700]))
        if len(batch) >= BATCH:
            model.objects.bulk_update(batch, ["package_key"])
            batch = []
    if batch:
        model.objects.bulk_update(batch, ["package_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("advisories", "0003_vulnerability_list_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="affectedpackage",
            name="package_key",
            field=models.CharField(
                blank=True,
                help_text="core.matching.keys.package_key of the purl parts (the join key)",
                max_length=700,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="affectedpackage", name="affected_purl_key"),
        migrations.AddIndex(
            model_name="affectedpackage",
            index=models.Index(fields=["package_key"], name="affected_package_key"),
        ),
    ]
