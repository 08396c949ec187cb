"""Case lifecycle (issue 10): new -> triage -> assessed -> remediation -> monitoring -> closed.

Existing states map as: open -> new, assessing -> triage, remediating -> assessed (the old state
only meant "a confirmed assessment exists": no plan or action was recorded), closed -> closed.
CaseEvent gains ``reason`` and ``data`` so every transition records who, when and why.
"""

from django.db import migrations, models

FORWARD = {"open": "new", "assessing": "triage", "remediating": "assessed"}
BACKWARD = {"new": "open", "triage": "assessing", "assessed": "remediating", "remediation": "remediating",
            "monitoring": "remediating"}  # fmt: skip


def forward(apps, schema_editor):
    Case = apps.get_model("risk", "Case")
    CaseEvent = apps.get_model("risk", "CaseEvent")
    for old, new in FORWARD.items():
        ids = list(Case.objects.filter(state=old).values_list("pk", flat=True))
        Case.objects.filter(pk__in=ids).update(state=new)
        CaseEvent.objects.bulk_create(
            CaseEvent(case_id=pk, kind="transition", message=f"state {old} is now {new} (lifecycle migration)",
                      reason="case lifecycle migration", data={"from": old, "to": new})
            for pk in ids
        )  # fmt: skip


def backward(apps, schema_editor):
    Case = apps.get_model("risk", "Case")
    for new, old in BACKWARD.items():
        Case.objects.filter(state=new).update(state=old)


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="data",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="reason",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="case",
            name="state",
            field=models.CharField(
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
        migrations.RunPython(forward, backward),
    ]
