"""``medvigil case transition|plan|action|facts|clock``: the case lifecycle, remediation actions
with evidence files, and the FDA clock (commands added to the ``case`` group)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from medvigil.cli import _django
from medvigil.cli.output import FormatOpt, OutputFormat, console, print_json, print_table, read_input_file

__all__ = ["register"]

UserOpt = Annotated[str, typer.Option("--user", "-u", help="username of the analyst")]


def _user(username: str) -> Any:
    from medvigil.cli.cases import _user as user

    return user(username)


def _case(case_id: int) -> Any:
    from medvigil.web.risk.selectors import case_get

    return case_get(case_id=case_id)


def _panel(case: Any) -> dict[str, Any]:
    from medvigil.web.remediation.presenters import case_remediation_dict

    return case_remediation_dict(case)


def _show(case: Any, format: OutputFormat) -> None:
    data = _panel(case)
    if format is OutputFormat.JSON:
        print_json(data)
        return
    clock = data["clock"]
    console.print(
        f"case {case.pk} · {case.state} · day 0 {clock['day0']} ({clock['day0_source']}) · "
        f"next {clock['next_milestone'] or '-'} {clock['next_due'] or ''} [{clock['state']}]"
    )
    print_table(
        "Obligations",
        ["rule", "regulation", "outcome", "due", "calendar", "reason"],
        (
            [o["code"], o["regulation"], o["outcome"], o["due"] or "", o["calendar"] or "", o["reason"]]
            for o in data["obligations"]
        ),
    )


def transition(
    case_id: int,
    to: Annotated[str, typer.Option("--to", help="new, triage, assessed, remediation, monitoring, closed")],
    user: UserOpt,
    reason: Annotated[str, typer.Option(help="why (required to reopen)")] = "",
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Move a case through its lifecycle (refusals exit 2 with every reason)."""
    _django.setup()
    from medvigil.web.remediation.services import case_transition

    _show(case_transition(case=_case(case_id), to=to, user=_user(user), reason=reason), format)


def plan(
    case_id: int,
    text: Annotated[str, typer.Option("--text", help="the remediation plan")],
    user: UserOpt,
    rationale: Annotated[str, typer.Option(help="timeline rationale (CAPA)")] = "",
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Record the remediation plan."""
    _django.setup()
    from medvigil.web.remediation.services import plan_set

    case = _case(case_id)
    plan_set(case=case, plan=text, rationale=rationale, user=_user(user))
    _show(case, format)


def _fields(values: list[str] | None) -> dict[str, Any]:
    from medvigil.core.errors import InputError

    out: dict[str, Any] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{item!r} is not key=value", field="--set")
        key = key.strip()
        if key.startswith("content."):
            out.setdefault("content", {})[key.removeprefix("content.")] = value
        else:
            out[key] = value
    return out


def action(
    case_id: int,
    kind: Annotated[
        str,
        typer.Option(
            help="fix_release, compensating_control, communication, isao_share, validation, report_filed"
        ),
    ],
    on: Annotated[str, typer.Option(help="the day it happened, YYYY-MM-DD")],
    user: UserOpt,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="field=value; repeat (content.a=... for the communication parts)"),
    ] = None,
    file: Annotated[list[Path] | None, typer.Option(help="evidence file; repeat")] = None,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Record a remediation action with its evidence files (kept with their SHA-256)."""
    _django.setup()
    from medvigil.core.errors import InputError
    from medvigil.web.remediation.services import action_record

    try:
        day = dt.date.fromisoformat(on)
    except ValueError:
        raise InputError(f"{on!r} is not a YYYY-MM-DD date", field="--on") from None
    files = [(p.name, read_input_file(p), "") for p in file or []]
    case = _case(case_id)
    made = action_record(case=case, kind=kind, on=day, data=_fields(set_), user=_user(user), files=files)
    if format is OutputFormat.JSON:
        print_json(
            {
                "id": made.pk,
                "kind": made.kind,
                "on": made.on.isoformat(),
                "summary": made.summary,
                "files": [{"name": f.filename, "sha256": f.sha256} for f in made.files.all()],
            }
        )
    else:
        console.print(f"recorded: {made}")


def facts(
    case_id: int,
    user: UserOpt,
    reason: Annotated[str, typer.Option(help="why these facts")],
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="fact=value (true/false/date); repeat")
    ] = None,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Record reporting facts (event_occurred, known_sae_or_death, ...) and re-evaluate."""
    _django.setup()
    from medvigil.web.remediation.services import facts_update

    parsed = {
        k: {"true": True, "false": False, "null": None}.get(str(v).lower(), v)
        for k, v in _fields(set_).items()
    }
    case = _case(case_id)
    facts_update(case=case, changes=parsed, user=_user(user), reason=reason)
    _show(case, format)


def clock(
    case_id: Annotated[int | None, typer.Argument(help="one case; the portfolio when omitted")] = None,
    limit: Annotated[int, typer.Option(help="rows of the portfolio clock")] = 50,
    assignee: Annotated[
        str, typer.Option(help="only the cases of this user (a username; 'none': unassigned cases)")
    ] = "",
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """The FDA clock: one case's obligations, or open cases by what is due first."""
    _django.setup()
    if case_id is not None:
        _show(_case(case_id), format)
        return
    from medvigil.web.remediation.selectors import clock_page
    from medvigil.web.risk.selectors import assignee_get

    if assignee not in ("", "none"):
        assignee_get(username=assignee)  # an unknown name is an error, not an empty clock
    rows = [r.to_dict() for r in clock_page(limit=limit, assignee=assignee).rows]
    if format is OutputFormat.JSON:
        print_json(rows)
        return
    print_table(
        "Clock",
        ["case", "vulnerability", "product", "state", "next", "due", "clock"],
        (
            [
                r["case"],
                r["vulnerability"],
                r["product"],
                r["state"],
                r["next_milestone"],
                r["next_due"] or "",
                r["clock_state"],
            ]
            for r in rows
        ),
    )


def register(app: typer.Typer) -> None:
    """Add the commands to the ``case`` group."""
    app.command("transition")(transition)
    app.command("plan")(plan)
    app.command("action")(action)
    app.command("facts")(facts)
    app.command("clock")(clock)
