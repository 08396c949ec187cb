"""``medvigil advisory ...``: CSAF advisories and VEX of a case: draft, submit, publish, show, export,
share.

``publish`` needs ``--user`` of an admin or of an analyst other than the one who drafted or
submitted the advisory; before the embargo (the advisory's, or the CVD report's) it is refused
unless ``--override-embargo REASON`` is given (audited). ``share`` writes the STIX 2.1 bundle and
records the share on the case (recipient, TLP, SHA-256, the bundle as evidence): ``export
--format stix`` only writes the file, as every other export does.

Published documents are stored bytes: ``export`` of a published revision writes exactly what was
published; of a draft, a fresh rendering with tracking status ``draft``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from medvigil.cli import _django
from medvigil.cli.cases import UserOpt, _case, _user
from medvigil.cli.output import FormatOpt, OutputFormat, console, print_json

advisory_app = typer.Typer(
    help="Advisories and VEX of a case: draft, submit, publish, show, export, share.", no_args_is_help=True
)


class DocumentFormat(StrEnum):
    """Formats ``advisory export`` writes."""

    CSAF = "csaf"
    CSAF_VEX = "csaf-vex"
    CYCLONEDX_VEX = "cyclonedx-vex"
    OPENVEX = "openvex"
    NOTICE_HTML = "notice-html"
    NOTICE_PDF = "notice-pdf"
    STIX = "stix"


def _advisory(advisory_id: int) -> Any:
    from medvigil.web.publishing.selectors import advisory_get

    return advisory_get(advisory_id=advisory_id, any_state=True)


def _print(adv: Any, format: OutputFormat) -> None:
    from medvigil.web.publishing.presenters import advisory_dict

    data = advisory_dict(adv)
    if format is OutputFormat.JSON:
        print_json(data)
        return
    console.print(
        f"advisory {data['id']}: [bold]{data['tracking_id']}[/] v{data['revision']} ({data['kind']}, "
        f"TLP:{data['tlp']}) · {data['state']} · {data['title']}",
        highlight=False,
    )
    if data["approved_by"]:
        console.print(f"approved by {data['approved_by']} at {data['published_at']:%Y-%m-%d %H:%M}")
    for doc in data["documents"]:
        console.print(f"  {doc['format']:<14} {doc['filename']}  sha256 {doc['sha256']}", highlight=False)


def _when(value: str | None) -> dt.datetime | None:
    from medvigil.core.errors import InputError

    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{value!r} is not a date or date-time (YYYY-MM-DD[THH:MM])", field="--embargo-until"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@advisory_app.command("draft")
def advisory_draft(
    case_id: int,
    user: UserOpt,
    kind: Annotated[str, typer.Option(help="advisory or vex")] = "advisory",
    tlp: Annotated[str, typer.Option(help="CLEAR, GREEN, AMBER or RED")] = "AMBER",
    title: Annotated[str, typer.Option(help="document title (default: vulnerability in product)")] = "",
    embargo_until: Annotated[str | None, typer.Option(help="not before (YYYY-MM-DD[THH:MM], UTC)")] = None,
    summary: Annotated[str, typer.Option(help="what changed (a new revision of a published one)")] = "",
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Draft an advisory for a case, or the next revision of its published one."""
    _django.setup()
    from medvigil.web.publishing.services import advisory_draft as draft

    adv = draft(
        case=_case(case_id), user=_user(user), kind=kind, tlp=tlp.upper(), title=title,
        embargo_until=_when(embargo_until), summary=summary,
    )  # fmt: skip
    _print(adv, format)


@advisory_app.command("submit")
def advisory_submit(advisory_id: int, user: UserOpt, format: FormatOpt = OutputFormat.TABLE) -> None:
    """Submit a draft for review (it must render as valid CSAF)."""
    _django.setup()
    from medvigil.web.publishing.services import advisory_submit as submit

    _print(submit(advisory=_advisory(advisory_id), user=_user(user)), format)


@advisory_app.command("publish")
def advisory_publish(
    advisory_id: int,
    user: UserOpt,
    override_embargo: Annotated[
        str, typer.Option(help="publish before the embargo, for this reason (audited)")
    ] = "",
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Approve and publish an advisory in review (an admin or a second analyst)."""
    _django.setup()
    from medvigil.web.publishing.services import advisory_publish as publish

    adv = publish(advisory=_advisory(advisory_id), user=_user(user), override_embargo=override_embargo)
    _print(adv, format)


@advisory_app.command("show")
def advisory_show(advisory_id: int, format: FormatOpt = OutputFormat.TABLE) -> None:
    """Show an advisory revision and its published documents."""
    _django.setup()
    _print(_advisory(advisory_id), format)


@advisory_app.command("export")
def advisory_export(
    advisory_id: int,
    output: Annotated[Path, typer.Option("--output", "-o", help="file to write", dir_okay=False)],
    format: Annotated[
        DocumentFormat, typer.Option("--format", "-f", help="document format")
    ] = DocumentFormat.CSAF,
) -> None:
    """Write one format of an advisory to a file."""
    _django.setup()
    from medvigil.web.publishing.services import advisory_render

    doc = advisory_render(_advisory(advisory_id), format.value)
    output.write_bytes(doc.content)
    console.print(f"wrote {output} ({len(doc.content)} bytes, {doc.format})")


@advisory_app.command("share")
def advisory_share(
    advisory_id: int,
    user: UserOpt,
    recipient: Annotated[str, typer.Option("--with", help="the ISAO or organisation (H-ISAC, CISA)")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="file to write the STIX 2.1 bundle to", dir_okay=False)
    ],
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Share the STIX 2.1 bundle with an ISAO: write it and record the share on the case."""
    _django.setup()
    from medvigil.web.publishing.presenters import share_dict
    from medvigil.web.publishing.services import advisory_share as share

    action, doc = share(advisory=_advisory(advisory_id), user=_user(user), recipient=recipient)
    output.write_bytes(doc.content)
    data = {**share_dict(action), "output": str(output)}
    if format is OutputFormat.JSON:
        print_json(data)
        return
    console.print(
        f"wrote {output} ({len(doc.content)} bytes); recorded on case {data['case']}: shared with "
        f"{data['recipient']} under TLP:{data['tlp']}, sha256 {data['sha256']}",
        highlight=False,
    )
