# The clock's three facts the program metrics read (risk status, communication sent, fix
# distributed), copied from CaseFile.determination["facts"] into indexed columns so the metrics
# need no JSON extraction (issue 13). remediation.services.case_evaluate keeps them in step.

import datetime as dt

from django.db import migrations, models

BATCH = 2000


def _date(value):
    """An ISO date (or timestamp) from the JSON, None when absent or not a date."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def fill(apps, schema_editor):
    """Copy the facts of every stored determination into the columns."""
    model = apps.get_model("remediation", "CaseFile")
    rows = model.objects.order_by("pk").values_list("pk", "determination")
    batch = []
    fields = ["risk_status", "communication_sent", "fix_distributed"]
    for pk, determination in rows.iterator(chunk_size=BATCH):
        facts = (determination or {}).get("facts") or {}
        risk = facts.get("risk_status")
        batch.append(
            model(
                pk=pk,
                risk_status=risk[:12] if isinstance(risk, str) else "",
                communication_sent=_date(facts.get("communication_sent")),
                fix_distributed=_date(facts.get("fix_distributed")),
            )
        )
        if len(batch) >= BATCH:
            model.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        model.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("remediation", "0001_initial"),
        ("risk", "0004_metrics_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="casefile",
            name="communication_sent",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="casefile",
            name="fix_distributed",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="casefile",
            name="risk_status",
            field=models.CharField(blank=True, max_length=12),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="casefile",
            index=models.Index(
                fields=["case", "risk_status", "communication_sent", "fix_distributed"],
                name="casefile_metrics",
            ),
        ),
    ]
