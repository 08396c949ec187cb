"""STIX 2.1 bundle for ISAO sharing (regulatory.md 1.7/1.8), through the ``stix2`` library.

One ``identity`` (the publisher), one ``vulnerability`` per CVE (or other id), one ``course-of-action`` per
remediation with a ``mitigates`` relationship, and a ``report`` referencing them whose
description carries FDA's four communication parts and the acknowledgments. There is no
``indicator``: a case holds no indicator of compromise to share. Every object carries the TLP
marking of the advisory (TLP 2.0 CLEAR as STIX's TLP:WHITE marking definition). Ids are UUIDv5
from the publisher namespace and the tracking id and dates come from the tracking, so the same
input gives the same bundle.
The ``stix2`` objects check the STIX 2.1 rules when they are built.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import stix2  # type: ignore[import-untyped,unused-ignore]

from medvigil.core.errors import PublishError
from medvigil.core.publish.model import AdvisoryInput, Tlp, Vulnerability
from medvigil.core.publish.notice import credit_lines

__all__ = ["stix_bundle"]

_TLP = {
    Tlp.CLEAR: stix2.TLP_WHITE,
    Tlp.GREEN: stix2.TLP_GREEN,
    Tlp.AMBER: stix2.TLP_AMBER,
    Tlp.RED: stix2.TLP_RED,
}


def _external_references(vuln: Vulnerability) -> list[dict[str, str]]:
    """The CVE (STIX names it ``cve``), then the other ids under their system's name."""
    refs = [{"source_name": "cve", "external_id": vuln.cve}] if vuln.cve else []
    refs.extend(
        {"source_name": i.system_name, "external_id": i.text, **({"url": i.url} if i.url else {})}
        for i in vuln.ids
    )
    return refs


def stix_bundle(data: AdvisoryInput) -> dict[str, Any]:
    """The bundle as a JSON-ready mapping."""
    t = data.tracking
    base = uuid.uuid5(uuid.NAMESPACE_URL, f"{data.publisher.namespace}/csaf/{t.id}")

    def sid(kind: str, *parts: str) -> str:
        return f"{kind}--{uuid.uuid5(base, '/'.join((kind, *parts, t.version)))}"

    marking = _TLP[data.tlp]
    common: dict[str, Any] = {"created": t.initial_release_date, "modified": t.current_release_date}
    try:
        author = stix2.Identity(
            id=sid("identity", data.publisher.namespace), name=data.publisher.name,
            identity_class="organization", object_marking_refs=[marking], **common,
        )  # fmt: skip
        objects: list[Any] = [marking, author]
        marked = {**common, "created_by_ref": author.id, "object_marking_refs": [marking]}
        for vuln in data.vulnerabilities:
            v = stix2.Vulnerability(
                id=sid("vulnerability", vuln.key), name=vuln.key, description=vuln.description,
                external_references=_external_references(vuln), **marked,
            )  # fmt: skip
            objects.append(v)
            for i, r in enumerate(vuln.remediations):
                coa = stix2.CourseOfAction(
                    id=sid("course-of-action", vuln.key, str(i)),
                    name=f"{r.category.value.replace('_', ' ')}: {vuln.key}",
                    description=r.details + (f" {r.url}" if r.url else ""), **marked,
                )  # fmt: skip
                rel = stix2.Relationship(
                    id=sid("relationship", vuln.key, str(i)), relationship_type="mitigates",
                    source_ref=coa.id, target_ref=v.id, **marked,
                )  # fmt: skip
                objects.extend((coa, rel))
        parts = (
            "\n".join(f"({letter}) {title}: {text}" for letter, title, text in data.fda.parts())
            if data.fda
            else ""
        )
        credits = "; ".join(credit_lines(data))
        credits = f"Acknowledgments: {credits}" if credits else ""
        report = stix2.Report(
            id=sid("report"), name=data.title,
            description="\n\n".join(filter(None, (data.summary, parts, credits))) or data.title,
            published=t.current_release_date, report_types=["vulnerability"],
            object_refs=[o.id for o in objects[1:]], **marked,
        )  # fmt: skip
        bundle = stix2.Bundle(
            objects=[*objects, report], id=f"bundle--{uuid.uuid5(base, 'bundle/' + t.version)}"
        )
    except (stix2.exceptions.STIXError, ValueError) as exc:
        raise PublishError(f"not a valid STIX 2.1 bundle: {exc}", source=t.id) from None
    result: dict[str, Any] = orjson.loads(bundle.serialize())
    return result
