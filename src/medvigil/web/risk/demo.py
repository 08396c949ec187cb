"""Demo cases: real NVD records and EPSS scores matched against the demo portfolio, then assessed.

Call ``demo_cases()`` after ``inventory.demo.demo_load()``. It imports the records shipped in
``demo_data`` (the matcher opens findings, the findings open cases with medvigil's suggestions),
records hazard analyses, one first-party vulnerability, and confirms a few assessments through
the same services an analyst uses, including uncontrolled ones. Idempotent: a second call
changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from medvigil.web.accounts.roles import ROLE_GROUPS, Role
from medvigil.web.accounts.services import roles_ensure
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings.services import match_product_versions
from medvigil.web.inventory.models import Product, ProductVersion
from medvigil.web.risk import services
from medvigil.web.risk.models import AssessmentStatus, Case

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
DEMO_ANALYST = "demo-analyst"

HAZARDS: dict[str, list[dict[str, Any]]] = {
    "vitalview-monitor": [
        {"identifier": "HAZ-VV-01", "hazardous_situation": "Alarms are not forwarded to the central station",
         "harm": "Deterioration unnoticed by remote staff: life-threatening injury", "severity": "critical",
         "links": {"functions": ["Alarm forwarding to the central station"],
                   "interfaces": ["ethernet", "wifi"],
                   "components": ["jackson-databind"]}},
        {"identifier": "HAZ-VV-02", "hazardous_situation": "Central station shows wrong or stale vital signs",
         "harm": "Wrong clinical decision requiring medical intervention", "severity": "serious",
         "links": {"functions": ["ECG, SpO2 and NIBP measurement"], "interfaces": ["ethernet"]}},
    ],
    "glucolink-cloud": [
        {"identifier": "HAZ-GC-01", "hazardous_situation": "Glucose alarms not shown to remote caregivers",
         "harm": "Untreated hypoglycaemia needing medical intervention", "severity": "serious",
         "links": {"functions": ["Timely display of glucose alarms to remote caregivers"],
                   "components": ["lodash", "axios"]}},
        {"identifier": "HAZ-GC-02", "hazardous_situation": "Caregiver portal data exposed",
         "harm": "Inconvenience; privacy breach only", "severity": "negligible",
         "links": {"interfaces": ["ethernet", "cellular"]}},
    ],
    "glucolink-pump": [
        {"identifier": "HAZ-GP-01",
         "hazardous_situation": "Pump battery depleted early; insulin delivery stops",
         "harm": "Hyperglycaemia or DKA requiring medical intervention", "severity": "serious",
         "links": {"interfaces": ["ble"], "functions": ["Basal insulin delivery within ±5 %"]}},
        {"identifier": "HAZ-GP-02", "hazardous_situation": "Bolus commanded by an unauthorised party",
         "harm": "Severe hypoglycaemia: patient death", "severity": "catastrophic",
         "links": {"interfaces": ["ble"], "functions": ["Bolus delivery on command"]}},
    ],
}  # fmt: skip

# (product, vulnerability, changes to the suggestion, justification, close afterwards)
ASSESSMENTS: list[tuple[str, str, dict[str, Any], str, bool]] = [
    ("vitalview-monitor", "CVE-2019-16942", {"hazards": ["HAZ-VV-01"]}, "", False),
    ("vitalview-monitor", "CVE-2019-17531", {
        "hazards": ["HAZ-VV-01"], "component_affected": False,
        "vex_justification": "vulnerable_code_not_in_execute_path",
        "impact_statement": "The central station never enables default typing, so the gadget classes "
                            "cannot be reached from untrusted JSON.",
    }, "", True),
    ("glucolink-cloud", "CVE-2021-23337", {"hazards": ["HAZ-GC-01"]}, "", False),
    ("glucolink-cloud", "CVE-2021-41720", {
        "hazards": ["HAZ-GC-01"],
        "controls": [{"description": "lodash template() is not called with user input (code review)",
                      "modified_metrics": [["MAC", "H"], ["MPR", "H"]]}],
    }, "", False),
]  # fmt: skip

FIRST_PARTY = {
    "title": "Battery drain by repeated BLE wake-ups",
    "description": "Found in our own threat modelling: an unauthenticated BLE central can keep the pump's "
    "radio awake and empty the battery in about 9 hours.",
    "identifier": "MV-2026-0001",
    "versions": ["3.2.0"],
    "cvss_vector": "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
}


def _analyst() -> Any:
    roles_ensure()
    user, created = get_user_model().objects.get_or_create(username=DEMO_ANALYST)
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.set([Group.objects.get(name=ROLE_GROUPS[Role.ANALYST])])
    return user


def _hazards() -> None:
    for slug, hazards in HAZARDS.items():
        product = Product.objects.filter(slug=slug).first()
        if product is None:
            continue
        for spec in hazards:
            if not product.hazards.filter(identifier=spec["identifier"]).exists():
                services.hazard_create(product=product, **spec)


def _assess(user: Any) -> int:
    done = 0
    for slug, key, changes, justification, close in ASSESSMENTS:
        case = Case.objects.filter(product__slug=slug, vulnerability__key=key).first()
        if case is None or case.assessments.filter(status="confirmed").exists():
            continue
        services.assessment_change(case=case, changes=changes, user=user, justification=justification)
        if close:
            services.case_close(case=case, user=user, note="demo: not affected")
        done += 1
    return done


def _first_party(user: Any) -> None:
    product = Product.objects.filter(slug="glucolink-pump").first()
    if product is None or product.cases.filter(vulnerability__key=FIRST_PARTY["identifier"]).exists():
        return
    case = services.first_party_record(product=product, user=user, **FIRST_PARTY)  # type: ignore[arg-type]
    services.assessment_change(case=case, changes={"hazards": ["HAZ-GP-01"]}, user=user)


def demo_cases() -> list[str]:
    """Import the demo intelligence, open and assess demo cases; returns summary lines."""
    lines = []
    _hazards()  # before the import, so medvigil's automatic suggestions use them
    for name in ("nvd-demo.jsonl", "epss-demo.csv"):
        result = feed_import(path=DEMO_DATA / name)
        state = (
            "skipped (imported before)"
            if result.skipped
            else "failed: " + result.message
            if result.failed
            else "imported"
        )
        lines.append(f"{name}: {state}")
    # match here rather than wait for the background worker, so the demo is complete on return
    match_product_versions(ProductVersion.objects.select_related("product"), reason="demo")
    for product in Product.objects.all():
        services.cases_sync(product=product)
    user = _analyst()
    confirmed = _assess(user)
    _first_party(user)
    cases = Case.objects.all()
    uncontrolled = cases.filter(
        current_assessment__controlled=False, current_assessment__status=AssessmentStatus.CONFIRMED
    ).count()
    lines.append(
        f"cases: {cases.count()} ({uncontrolled} confirmed uncontrolled, "
        f"{cases.exclude(current_assessment__status=AssessmentStatus.CONFIRMED).count()} suggested only, "
        f"{confirmed} assessed now)"
    )
    return lines
