"""First-party vulnerabilities: what no feed knows yet (own testing, threat modelling, a
researcher's report before a CVE exists), recorded under an internal id (``MV-2026-0001``).

The record becomes a ``Vulnerability`` identity with an ``Alias`` in the intelligence store, and
a case like any other. When a CVE is assigned, ``first_party_alias`` adds it as an alias: the
identity is re-keyed to the CVE, so the CVE's records join it on the next import; if the CVE is
already known as a separate identity, the two are merged (the cases follow, see ``signals``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from medvigil.core.errors import InputError
from medvigil.core.matching.keys import purl_package_key
from medvigil.core.risk.cvss import parse_vector
from medvigil.web.advisories import aliases
from medvigil.web.advisories.models import Alias, Vulnerability
from medvigil.web.inventory.models import Product
from medvigil.web.risk.models import Case, CaseEvent
from medvigil.web.risk.services.cases import case_add_version, case_open, component_ref

__all__ = ["first_party_alias", "first_party_identifier", "first_party_record"]

PREFIX = "MV"


def first_party_identifier(*, year: int | None = None) -> str:
    """The next free internal id ``MV-<year>-<NNNN>``."""
    year = year or timezone.now().year
    stem = f"{PREFIX}-{year}-"
    taken = set(Alias.objects.filter(alias__startswith=stem).values_list("alias", flat=True))
    number = len(taken) + 1
    while f"{stem}{number:04d}" in taken:
        number += 1
    return f"{stem}{number:04d}"


def _selector(text: str) -> str:
    """A component selector: a purl (version ignored), a package key or a name."""
    text = text.strip()
    return ((purl_package_key(text) if text.startswith("pkg:") else None) or text).lower()


def _selected(
    product: Product, versions: list[str], components: list[str]
) -> dict[Any, list[dict[str, str]]]:
    rows = list(product.versions.filter(version__in=versions))
    missing = sorted(set(versions) - {pv.version for pv in rows})
    if missing:
        raise InputError(f"{product.name} has no version {missing[0]!r}", field="versions")
    if not rows:
        raise InputError("name at least one affected version", field="versions")
    wanted = {_selector(c) for c in components if c.strip()}
    picked: dict[Any, list[dict[str, str]]] = {}
    found: set[str] = set()
    for pv in rows:
        refs = []
        for comp in pv.components.all():
            ref = component_ref(comp)
            hit = {ref["key"].lower(), comp.name.lower()} & wanted
            if hit:
                refs.append(ref)
                found |= hit
        picked[pv] = refs
    unknown = sorted(wanted - found)
    if unknown:
        raise InputError(f"no component {unknown[0]!r} in the named versions", field="components")
    return picked


def first_party_record(
    *,
    product: Product,
    title: str,
    versions: list[str],
    components: list[str] = (),  # type: ignore[assignment]
    description: str = "",
    identifier: str = "",
    cvss_vector: str = "",
    day0: dt.date | None = None,
    user: Any = None,
) -> Case:
    """Record a first-party vulnerability of ``product`` and open its case.

    ``components`` name the affected components (name, purl or purl without version) in the
    named ``versions``; it may be empty for a flaw in the device's own code. ``cvss_vector``, when
    given, is validated and stored on the identity as its CVSS.
    """
    if not title.strip():
        raise InputError("a first-party vulnerability needs a title", field="title")
    picked = _selected(product, list(versions), list(components))
    score = parse_vector(cvss_vector) if cvss_vector.strip() else None
    with transaction.atomic():
        key = identifier.strip() or first_party_identifier()
        if Alias.objects.filter(alias=key).exists():
            raise InputError(f"identifier {key!r} is already known", field="identifier")
        vuln = Vulnerability.objects.create(
            key=key,
            summary=title.strip() + (f"\n\n{description.strip()}" if description.strip() else ""),
            published=timezone.now(),
            cvss_score=score.base_score if score else None,
            cvss_vector=score.vector if score else "",
            cvss_version=score.version.value if score else "",
            severity=score.base_severity.lower() if score else "",
            sources=["first-party"],
        )
        Alias.objects.create(alias=key, vulnerability=vuln)
        case, _ = case_open(
            product=product, vulnerability=vuln, day0=day0, first_party=True, summary=title.strip(), user=user
        )
        for pv, refs in picked.items():
            case_add_version(case=case, product_version=pv, components=refs, source="analyst", user=user)
    return case


def first_party_alias(*, case: Case, alias: str, user: Any = None) -> Case:
    """Join the case's first-party identity to ``alias`` (typically its newly assigned CVE)."""
    alias = alias.strip()
    if not alias:
        raise InputError("name the alias to add", field="alias")
    vuln = case.vulnerability
    with transaction.atomic():
        other = Alias.objects.filter(alias=alias).select_related("vulnerability").first()
        if other is not None and other.vulnerability_id == vuln.pk:
            raise InputError(f"{alias} is already an alias of {vuln.key}", field="alias")
        if other is None:
            Alias.objects.create(alias=alias, vulnerability=vuln)
            if aliases.is_cve(alias) and not aliases.is_cve(vuln.key):
                Vulnerability.objects.filter(pk=vuln.pk).update(key=alias)
            survivor = vuln.pk
        else:
            survivor = other.vulnerability_id
            aliases.vulnerability_merge(survivor=survivor, merged=[vuln.pk])
        case = Case.objects.get(product_id=case.product_id, vulnerability_id=survivor)
        CaseEvent.objects.create(
            case=case,
            kind="alias-joined",
            message=f"{alias} joined the first-party identity",
            actor=user if user is not None and getattr(user, "is_authenticated", False) else None,
        )
    return case
