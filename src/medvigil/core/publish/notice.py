"""The customer notice carrying FDA's four communication parts (a-d): HTML and PDF.

The HTML page has no script and no external resource (it is mailed and archived as it is);
every value is HTML-escaped. The PDF is that page rendered by WeasyPrint (which needs the
system Pango library); WeasyPrint fetches nothing: its URL fetcher refuses every URL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from medvigil.core.errors import PublishError
from medvigil.core.publish.csaf import iso
from medvigil.core.publish.model import Acknowledgment, AdvisoryInput, Vulnerability
from medvigil.core.risk.cvss import parse_vector

__all__ = ["credit_line", "credit_lines", "notice_html", "notice_pdf"]

_STATUS = {
    "affected": "Affected",
    "not_affected": "Not affected",
    "fixed": "Fixed",
    "under_investigation": "Under investigation",
}
_CSS = (
    "body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}"
    "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;text-align:left}"
    ".tlp{font-weight:bold}"
    # print: keep a heading with what follows and a small table (header and rows) on one page
    "h1,h2,h3{break-after:avoid}table{break-inside:avoid}tr{break-inside:avoid}"
)


def _day(value: datetime) -> str:
    """A release date for people: ``2026-12-02 17:53 UTC`` (the CSAF documents carry the exact one)."""
    iso(value)  # refuses a naive datetime
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _p(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())


def _grouped(data: AdvisoryInput, vuln: Vulnerability) -> dict[tuple[str, str], list[str]]:
    """Versions by (product, status): one table row each (a row per version made a 500-version
    notice a 1,500-row table, and WeasyPrint took 27 s to lay it out)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for ps in vuln.statuses:
        p = data.product(ps.product_id)
        groups.setdefault((f"{p.vendor} {p.product_name}", ps.status.value), []).append(p.version)
    return groups


def credit_line(ack: Acknowledgment) -> str:
    """One acknowledgment in words: ``names (organisation): summary``."""
    who = ", ".join(n for n in ack.names if n.strip())
    if ack.organization.strip():
        who = f"{who} ({ack.organization})" if who else ack.organization
    return ": ".join(x for x in (who, ack.summary) if x.strip())


def credit_lines(data: AdvisoryInput) -> list[str]:
    """Every acknowledgment of the document and its vulnerabilities in words, once each."""
    lines = [credit_line(a) for a in data.acknowledgments]
    lines += [credit_line(a) for v in data.vulnerabilities for a in v.acknowledgments]
    return list(dict.fromkeys(x for x in lines if x))


def _acknowledgments(data: AdvisoryInput) -> list[str]:
    credits = credit_lines(data)
    if not credits:
        return []
    items = "".join(f"<li>{escape(line)}</li>" for line in credits)
    return [f'<section id="acknowledgments"><h2>Acknowledgments</h2><ul>{items}</ul></section>']


def notice_html(data: AdvisoryInput) -> bytes:
    """The notice (UTF-8 HTML); refuses an input without the four FDA parts."""
    if data.fda is None or not all(text.strip() for _, _, text in data.fda.parts()):
        raise PublishError(
            "a customer notice needs all four FDA communication parts (a)-(d)",
            source=data.tracking.id,
            field="fda",
        )
    t = data.tracking
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(data.lang)}"><head><meta charset="utf-8">',
        f"<title>{escape(data.title)}</title><style>{_CSS}</style></head><body>",
        f'<p class="tlp">TLP:{escape(data.tlp.value)}</p>',
        f"<h1>{escape(data.title)}</h1>",
        f"<p>{escape(data.publisher.name)} &middot; {escape(t.id)} &middot; version {escape(t.version)} "
        f"&middot; {escape(_day(t.current_release_date))}</p>",
    ]
    if data.summary:
        out.append(f"<h2>Summary</h2>{_p(data.summary)}")
    for letter, title, text in data.fda.parts():
        out.append(f'<section id="part-{letter}"><h2>({letter}) {escape(title)}</h2>{_p(text)}</section>')
    out.append("<h2>Vulnerabilities and affected products</h2>")
    for vuln in data.vulnerabilities:
        scores = ", ".join(
            f"CVSS {s.version.value} {s.base_score} ({s.base_severity})"
            for s in map(parse_vector, (x.vector for x in vuln.scores))
        )
        out.append(f"<h3>{escape(vuln.key)}: {escape(vuln.title)}</h3>{_p(vuln.description)}")
        if scores:
            out.append(f"<p>{escape(scores)}</p>")
        out.append("<table><thead><tr><th>Product</th><th>Status</th><th>Versions</th></tr></thead><tbody>")
        for (product, status), versions in _grouped(data, vuln).items():
            out.append(
                f"<tr><td>{escape(product)}</td><td>{_STATUS[status]}</td>"
                f"<td>{escape(', '.join(versions))}</td></tr>"
            )
        out.append("</tbody></table>")
        if vuln.remediations:
            out.append("<ul>")
            for r in vuln.remediations:
                link = f' <a href="{escape(r.url)}">{escape(r.url)}</a>' if r.url else ""
                label = r.category.value.replace("_", " ").capitalize()
                out.append(f"<li>{escape(label)}: {escape(r.details)}{link}</li>")
            out.append("</ul>")
    out.extend(_acknowledgments(data))
    if data.publisher.contact_details:
        out.append(f"<h2>Contact</h2>{_p(data.publisher.contact_details)}")
    out.append("</body></html>\n")
    return "\n".join(out).encode()


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise PublishError(f"the notice refers to an external resource {url!r}", field="notice")


def notice_pdf(data: AdvisoryInput) -> bytes:
    """The notice as PDF (WeasyPrint); the document's dates are the release date, not the clock."""
    import weasyprint  # type: ignore[import-untyped,unused-ignore]

    html = notice_html(data).decode()
    when = iso(data.tracking.current_release_date)
    meta = f'<meta name="dcterms.created" content="{when}"><meta name="dcterms.modified" content="{when}">'
    html = html.replace("<title>", meta + "<title>", 1)
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    return pdf
