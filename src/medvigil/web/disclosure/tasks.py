"""Background job: mail the reporter (acknowledgement, status change, new staff message) through
Django's mail framework (console backend by default; SMTP by ``MEDVIGIL_EMAIL_*`` settings)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from huey.contrib.djhuey import db_task

from medvigil.web.disclosure.models import Report

SUBJECTS = {
    "acknowledged": "{ref}: we received your report",
    "status": "{ref}: status is now {state}",
    "message": "{ref}: new message about your report",
}


@db_task(retries=3, retry_delay=60)  # type: ignore[untyped-decorator]
def mail_reporter(report_id: int, kind: str) -> int:
    """Send one notification; the body never repeats report content (mail is not confidential):
    the reporter reads it through the tracking link they kept."""
    report = Report.objects.filter(pk=report_id).first()
    if report is None or not report.reporter_email:
        return 0
    subject = SUBJECTS[kind].format(ref=report.reference, state=report.get_state_display())
    body = (
        f"Report {report.reference} ({report.get_state_display()}).\n\n"
        + {
            "acknowledged": "We have received and acknowledged your report and will assess it.",
            "status": f"The status of your report changed to: {report.get_state_display()}.",
            "message": "Our product security team sent you a message.",
        }[kind]
        + "\n\nRead it through the private tracking link you received when you submitted the report."
    )
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [report.reporter_email])
