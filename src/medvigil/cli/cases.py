"""``medvigil case ...``: cases and their versioned risk assessments."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from medvigil.cli import _django
from medvigil.cli.output import (
    DeprecatedProductOpt,
    FormatOpt,
    OutputFormat,
    ProductFilterArg,
    console,
    print_json,
    print_table,
    product_filter,
)

case_app = typer.Typer(
    help="Cases (a vulnerability in a product) and their risk assessments.", no_args_is_help=True
)

UserOpt = Annotated[str, typer.Option("--user", "-u", help="username of the analyst (recorded as assessor)")]


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    from medvigil.core.errors import InputError
    from medvigil.web.accounts.roles import can_write

    user = get_user_model().objects.filter(username=username).first()
    if user is None or not can_write(user):
        raise InputError(f"{username!r} is not an analyst or admin", field="--user")
    return user


def _case(case_id: int) -> Any:
    from medvigil.web.risk.selectors import case_get

    return case_get(case_id=case_id)


def _assessment_line(a: dict[str, Any] | None) -> str:
    if a is None:
        return "not assessed"
    cell = f"{a['exploitability']} x {a['severity']}"
    return f"v{a['number']} {a['status']}: {a['risk']} ({cell}, VEX {a['vex_status']})"


@case_app.command("list")
def case_list(
    product: ProductFilterArg = None,
    state: Annotated[
        str,
        typer.Option(help="active (default), new, triage, assessed, remediation, monitoring, closed, any"),
    ] = "active",
    risk: Annotated[str, typer.Option(help="controlled or uncontrolled")] = "",
    kev: Annotated[bool | None, typer.Option("--kev/--no-kev", help="only (not) in CISA KEV")] = None,
    unassessed: Annotated[bool, typer.Option(help="no confirmed assessment yet")] = False,
    review: Annotated[bool, typer.Option(help="re-review needed")] = False,
    format: FormatOpt = OutputFormat.TABLE,
    old_product: DeprecatedProductOpt = None,
) -> None:
    """List cases, most urgent first."""
    slug = product_filter(product, old_product) or ""
    _django.setup()
    from medvigil.web.inventory.selectors import product_get
    from medvigil.web.risk.presenters import case_dict
    from medvigil.web.risk.selectors import CaseFilters
    from medvigil.web.risk.selectors import case_list as select

    if slug:
        product_get(slug=slug)  # an unknown product is an error, not an empty list
    filters = CaseFilters(slug, "" if state == "any" else state, risk, kev, unassessed, review)
    rows = [case_dict(c) for c in select(filters=filters)]
    if format is OutputFormat.JSON:
        print_json(rows)
        return
    print_table(
        "Cases",
        ["id", "vulnerability", "product", "state", "assessment", "KEV", "day 0", "assignee"],
        ([r["id"], r["vulnerability"], r["product"], r["state"], _assessment_line(r["assessment"]),
          "yes" if r["kev"] else "", r["day0"], r["assignee"] or ""] for r in rows),
    )  # fmt: skip


@case_app.command("show")
def case_show(case_id: int, format: FormatOpt = OutputFormat.TABLE) -> None:
    """Show a case with its versions, assessment history and events."""
    _django.setup()
    from medvigil.web.risk.presenters import case_dict

    data = case_dict(_case(case_id), detail=True)
    if format is OutputFormat.JSON:
        print_json(data)
        return
    console.print(
        f"[bold]{data['vulnerability']}[/] in {data['product']} · {data['state']} · day 0 {data['day0']}"
    )
    console.print(_assessment_line(data["assessment"]))
    if data["review_needed"]:
        console.print(f"[yellow]re-review needed:[/] {data['review_reason']}")
    latest = data["assessments"][0] if data["assessments"] else None
    for reason in latest["reasons"] if latest else []:
        console.print(f"  - {reason}", highlight=False)
    print_table(
        "Assessment history",
        ["#", "status", "risk", "exploitability", "severity", "VEX", "by", "justification"],
        ([a["number"], a["status"], a["risk"], a["exploitability"], a["severity"], a["vex_status"],
          a["created_by"], a["justification"]] for a in data["assessments"]),
    )  # fmt: skip


def _changes(
    hazard: list[str] | None,
    severity: str,
    rationale: str,
    phi_only: bool,
    control: list[str] | None,
    vector: list[str] | None,
    not_affected: str,
    impact: str,
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if hazard:
        changes["hazards"] = hazard
    if severity:
        changes.update(analyst_severity=severity, severity_rationale=rationale, hazards=[])
    if phi_only:
        changes.update(phi_only=True, hazards=[])
    if control:
        from medvigil.web.risk.inputs import controls_from_text

        changes["controls"] = controls_from_text("\n".join(control))
    if vector:
        changes["cvss_vectors"] = vector
    if not_affected:
        changes.update(component_affected=False, vex_justification=not_affected, impact_statement=impact)
    return changes


@case_app.command("assess")
def case_assess(
    case_id: int,
    hazard: Annotated[list[str] | None, typer.Option(help="hazard identifier; repeat")] = None,
    severity: Annotated[
        str, typer.Option(help="analyst severity instead of hazards (needs --rationale)")
    ] = "",
    rationale: str = "",
    phi_only: Annotated[bool, typer.Option(help="PHI-only impact, no patient harm")] = False,
    control: Annotated[list[str] | None, typer.Option(help="'description | MAV:P/MPR:H'; repeat")] = None,
    vector: Annotated[list[str] | None, typer.Option(help="CVSS vector to use; repeat")] = None,
    not_affected: Annotated[str, typer.Option(help="VEX justification: the product is not affected")] = "",
    impact: Annotated[str, typer.Option(help="VEX impact statement")] = "",
    confirm: Annotated[
        bool, typer.Option("--confirm/--suggest", help="confirm at once or store as suggested")
    ] = False,
    justification: Annotated[str, typer.Option(help="required to confirm a borderline cell")] = "",
    user: UserOpt = "",
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Add an assessment version: medvigil's proposal, or your changes (merged over the latest)."""
    _django.setup()
    from medvigil.web.risk.presenters import assessment_dict
    from medvigil.web.risk.services import assessment_change, assessment_propose

    case = _case(case_id)
    changes = _changes(hazard, severity, rationale, phi_only, control, vector, not_affected, impact)
    if confirm:
        made = assessment_change(case=case, changes=changes, user=_user(user), justification=justification)
    else:
        made = assessment_propose(case=case, inputs=changes or None, user=_user(user) if user else None)
    _report(assessment_dict(made), format)


def _report(data: dict[str, Any], format: OutputFormat) -> None:
    if format is OutputFormat.JSON:
        print_json(data)
    else:
        console.print(_assessment_line(data))


@case_app.command("confirm")
def case_confirm(
    case_id: int,
    user: UserOpt,
    justification: Annotated[str, typer.Option(help="required on borderline cells")] = "",
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Confirm the latest suggested assessment."""
    _django.setup()
    from medvigil.web.risk.presenters import assessment_dict
    from medvigil.web.risk.services import assessment_confirm

    made = assessment_confirm(case=_case(case_id), user=_user(user), justification=justification)
    _report(assessment_dict(made), format)


@case_app.command("close")
def case_close(case_id: int, user: UserOpt, note: str = "", format: FormatOpt = OutputFormat.TABLE) -> None:
    """Close a case (refused while its assessment is unconfirmed or its risk uncontrolled)."""
    _django.setup()
    from medvigil.web.risk.presenters import case_dict
    from medvigil.web.risk.services import case_close as close

    case = close(case=_case(case_id), user=_user(user), note=note)
    if format is OutputFormat.JSON:
        print_json(case_dict(case))
    else:
        console.print(f"Closed case {case.pk} ({case.vulnerability.key} in {case.product.slug})")


@case_app.command("assign")
def case_assign(
    case_id: int,
    username: Annotated[str, typer.Argument(help="the analyst or admin to give the case to; '-' unassigns")],
    user: Annotated[
        str, typer.Option("--user", "-u", help="who assigns (recorded in the case history)")
    ] = "",
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Give a case to an analyst or admin (``-`` for nobody); recorded as an ``assigned`` event."""
    _django.setup()
    from medvigil.web.risk.presenters import case_dict
    from medvigil.web.risk.selectors import assignee_get
    from medvigil.web.risk.services import case_assign as assign

    case = _case(case_id)
    target = None if username == "-" else assignee_get(username=username)
    case = assign(case=case, assignee=target, user=_user(user) if user else None)
    if format is OutputFormat.JSON:
        print_json(case_dict(case))
    else:
        who = case.assignee.username if case.assignee is not None else "nobody"
        console.print(f"Case {case.pk} ({case.vulnerability.key} in {case.product.slug}) assigned to {who}")


@case_app.command("sync")
def case_sync(product: ProductFilterArg = None, format: FormatOpt = OutputFormat.TABLE) -> None:
    """Open or join cases from open findings (normally automatic after imports)."""
    _django.setup()
    from medvigil.web.inventory.models import Product
    from medvigil.web.inventory.selectors import product_get
    from medvigil.web.risk.services import cases_sync

    products = [product_get(slug=product)] if product else list(Product.objects.all())
    rows = []
    for p in products:
        result = cases_sync(product=p)
        rows.append({"product": p.slug, "opened": len(result.opened), "joined": result.joined,
                     "left": result.left, "carried": result.carried, "review": result.review})  # fmt: skip
    if format is OutputFormat.JSON:
        print_json(rows)
        return
    for r in rows:
        console.print(f"{r['product']}: {r['opened']} opened, {r['joined']} version(s) joined, "
                      f"{r['carried']} carried over, {r['review']} re-review")  # fmt: skip
