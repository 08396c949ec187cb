# The day each case's risk was first confirmed, stored on the case (issue 13) so that the program
# metrics' time to assess reads a column instead of a MIN over the assessments per case.
# services.assessments sets it in the transaction that stores the first confirmed assessment; this
# migration fills it for the cases confirmed before, in one UPDATE. The index that served the old
# MIN goes; the metrics read the current assessment's risk columns from a covering index instead.

from django.db import migrations, models
from django.db.models import DateField, OuterRef, Subquery
from django.db.models.functions import TruncDate


def fill(apps, schema_editor):
    """``first_confirmed`` = the UTC day of the earliest confirmed assessment of the case."""
    case = apps.get_model("risk", "Case")
    assessment = apps.get_model("risk", "Assessment")
    first = (
        assessment.objects.filter(case_id=OuterRef("pk"), status="confirmed")
        .order_by("created_at")
        .values_list(TruncDate("created_at"))[:1]
    )
    confirmed = assessment.objects.filter(status="confirmed").values("case_id")
    case.objects.filter(pk__in=confirmed).update(first_confirmed=Subquery(first, output_field=DateField()))


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0005_caseversion_active_scope"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="first_confirmed",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="assessment", name="assessment_first_confirmed"),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                fields=["id", "controlled", "vex_status", "severity"], name="assessment_metrics"
            ),
        ),
    ]
