"""Forms of the risk pages. They validate and reshape input; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms

from medvigil.core.risk.exploitability import ExploitabilityBand, ExploitMaturity
from medvigil.core.risk.harm import Severity
from medvigil.core.risk.matrix import RiskMatrix as CoreMatrix
from medvigil.core.risk.rubric import QUESTIONS
from medvigil.core.risk.vex import Justification
from medvigil.web.risk.inputs import controls_from_text
from medvigil.web.risk.models import Hazard

SEVERITY_CHOICES = [(s.label, f"{s.value} {s.label}") for s in Severity]
_TEXT = forms.Textarea(attrs={"rows": 2})


def _items(text: str) -> list[str]:
    return [p.strip() for line in text.splitlines() for p in line.split(",") if p.strip()]


class HazardForm(forms.Form):
    """Add or edit a hazard of the product's hazard analysis."""

    identifier = forms.CharField(max_length=40)
    hazardous_situation = forms.CharField(widget=_TEXT)
    harm = forms.CharField(widget=_TEXT)
    severity = forms.ChoiceField(choices=SEVERITY_CHOICES)
    functions = forms.CharField(required=False, help_text="comma-separated")
    interfaces = forms.CharField(required=False, help_text="comma-separated")
    components = forms.CharField(required=False, help_text="names or purls, comma-separated")

    def service_kwargs(self) -> dict[str, Any]:
        """Cleaned data in the shape ``hazard_create`` takes."""
        d = self.cleaned_data
        links = {k: _items(d[k]) for k in ("functions", "interfaces", "components")}
        return {
            "identifier": d["identifier"],
            "hazardous_situation": d["hazardous_situation"],
            "harm": d["harm"],
            "severity": d["severity"],
            "links": links,
        }


class MatrixForm(forms.Form):
    """All 15 cells of a risk matrix: result, borderline flag and rationale each."""

    note = forms.CharField(max_length=500, required=False, label="Why this change")

    def __init__(self, *args: Any, matrix: CoreMatrix, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for sev, band, cell in matrix.cells:
            name = f"{sev.label}_{band.value}"
            self.fields[f"{name}_result"] = forms.ChoiceField(
                choices=[("controlled", "controlled"), ("uncontrolled", "uncontrolled")],
                initial=cell.result.value,
            )
            self.fields[f"{name}_borderline"] = forms.BooleanField(required=False, initial=cell.borderline)
            self.fields[f"{name}_rationale"] = forms.CharField(required=False, initial=cell.rationale)

    def editor_rows(self) -> list[dict[str, Any]]:
        """One row per cell (worst severity first) with its three bound fields."""
        rows = []
        for sev in reversed(Severity):
            for band in ExploitabilityBand:
                name = f"{sev.label}_{band.value}"
                rows.append(
                    {
                        "label": f"{sev.label} × {band.value}",
                        "result": self[f"{name}_result"],
                        "borderline": self[f"{name}_borderline"],
                        "rationale": self[f"{name}_rationale"],
                    }
                )
        return rows

    def cells(self) -> dict[str, dict[str, dict[str, Any]]]:
        """The ``cells`` mapping ``matrix_update`` takes."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for sev in Severity:
            for band in ExploitabilityBand:
                name = f"{sev.label}_{band.value}"
                out.setdefault(sev.label, {})[band.value] = {
                    "result": self.cleaned_data[f"{name}_result"],
                    "borderline": self.cleaned_data[f"{name}_borderline"],
                    "rationale": self.cleaned_data[f"{name}_rationale"].strip(),
                }
        return out


_TRISTATE = [("", "from intelligence"), ("yes", "yes"), ("no", "no")]
_AFFECTED = [("yes", "affected"), ("no", "not affected"), ("unknown", "under investigation")]


def _controls_text(controls: list[dict[str, Any]]) -> str:
    lines = []
    for c in controls:
        metrics = "/".join(f"{k}:{v}" for k, v in c.get("modified_metrics", []))
        lines.append(f"{c['description']} | {metrics}" if metrics else c["description"])
    return "\n".join(lines)


class AssessmentForm(forms.Form):
    """The analyst's inputs: exploit facts, controls, hazards or severity, VEX facts, MITRE rubric."""

    cvss_vectors = forms.CharField(
        required=False,
        widget=_TEXT,
        label="CVSS vectors",
        help_text="one per line; empty: the vulnerability's records",
    )
    kev = forms.ChoiceField(choices=_TRISTATE, required=False, label="In CISA KEV")
    maturity = forms.ChoiceField(
        choices=[("", "from the vector / not defined")]
        + [(m.value, m.value.replace("_", " ")) for m in ExploitMaturity],
        required=False,
        label="Exploit maturity",
    )
    controls = forms.CharField(
        required=False, widget=_TEXT, label="Compensating controls",
        help_text="one per line: description | MAV:P/MPR:H (modified metrics it justifies)",
    )  # fmt: skip
    hazards = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    analyst_severity = forms.ChoiceField(
        choices=[("", "from the hazards")] + SEVERITY_CHOICES, required=False
    )
    severity_rationale = forms.CharField(required=False, widget=_TEXT)
    phi_only = forms.BooleanField(required=False, label="PHI-only impact (no patient harm)")
    component_affected = forms.ChoiceField(choices=_AFFECTED, label="Component")
    fixed = forms.BooleanField(required=False, label="Product version carries the fix")
    vex_justification = forms.ChoiceField(
        choices=[("", "—")] + [(j.value, j.value.replace("_", " ")) for j in Justification], required=False
    )
    impact_statement = forms.CharField(required=False, widget=_TEXT)
    action_statement = forms.CharField(required=False, widget=_TEXT)
    use_rubric = forms.BooleanField(required=False, label="Use the MITRE rubric answers for the vector")
    justification = forms.CharField(required=False, widget=_TEXT, help_text="required on borderline cells")

    def __init__(
        self, *args: Any, hazards: list[Hazard], inputs: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hazards"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (h.identifier, f"{h.identifier} · {h.severity_level.label} · {h.harm}") for h in hazards
        ]
        for q in QUESTIONS:
            self.fields[f"rubric_{q.id}"] = forms.ChoiceField(
                label=f"{q.id} ({q.metric})", help_text=q.text, required=False,
                choices=[("", "not answered")] + [(a.value, a.value) for a in q.options],
            )  # fmt: skip
        if inputs is not None and not self.is_bound:
            self.initial.update(self._initial(inputs))

    @staticmethod
    def _initial(inputs: dict[str, Any]) -> dict[str, Any]:
        affected = inputs.get("component_affected", True)
        initial: dict[str, Any] = {
            "cvss_vectors": "\n".join(inputs.get("cvss_vectors") or []),
            "kev": "" if inputs.get("kev") is None else ("yes" if inputs["kev"] else "no"),
            "maturity": inputs.get("maturity") or "",
            "controls": _controls_text(inputs.get("controls", [])),
            "hazards": inputs.get("hazards") or [],
            "analyst_severity": inputs.get("analyst_severity") or "",
            "use_rubric": bool(inputs.get("rubric_answers")),
            "component_affected": "unknown" if affected is None else ("yes" if affected else "no"),
        }
        for name in ("severity_rationale", "phi_only", "fixed", "impact_statement", "action_statement"):
            initial[name] = inputs.get(name)
        initial["vex_justification"] = inputs.get("vex_justification") or ""
        for key, answer in (inputs.get("rubric_answers") or {}).items():
            initial[f"rubric_{key}"] = answer
        return initial

    def rubric_fields(self) -> list[Any]:
        """Bound fields of the questionnaire, in question-bank order."""
        return [self[f"rubric_{q.id}"] for q in QUESTIONS]

    def inputs(self) -> dict[str, Any]:
        """The assessment inputs mapping (``AssessmentInputs.from_mapping`` validates it)."""
        d = self.cleaned_data
        vectors = [v.strip() for v in d["cvss_vectors"].splitlines() if v.strip()]
        rubric = {q.id: d[f"rubric_{q.id}"] for q in QUESTIONS if d.get(f"rubric_{q.id}")}
        affected = {"yes": True, "no": False}.get(d["component_affected"])
        severity = d["analyst_severity"] or None
        return {
            "cvss_vectors": vectors or None,
            "rubric_answers": rubric if d["use_rubric"] and rubric else None,
            "kev": {"yes": True, "no": False}.get(d["kev"]),
            "maturity": d["maturity"] or None,
            "controls": controls_from_text(d["controls"]),
            "hazards": [] if d["phi_only"] or severity else list(d["hazards"]),
            "analyst_severity": severity,
            "severity_rationale": d["severity_rationale"],
            "phi_only": d["phi_only"],
            "component_affected": affected,
            "fixed": d["fixed"],
            "vex_justification": d["vex_justification"] or None,
            "impact_statement": d["impact_statement"],
            "action_statement": d["action_statement"],
        }


class FirstPartyForm(forms.Form):
    """Record a first-party vulnerability."""

    title = forms.CharField(max_length=300)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    identifier = forms.CharField(required=False, max_length=60, help_text="empty: next MV-YYYY-NNNN")
    versions = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    components = forms.CharField(required=False, widget=_TEXT, help_text="names or purls, one per line")
    cvss_vector = forms.CharField(required=False, max_length=300, label="CVSS vector")
    day0 = forms.DateField(required=False, label="Day 0", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, versions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["versions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(v, v) for v in versions]

    def service_kwargs(self) -> dict[str, Any]:
        """Cleaned data in the shape ``first_party_record`` takes."""
        d = dict(self.cleaned_data)
        d["components"] = _items(d["components"])
        d["versions"] = list(d["versions"])
        return d


class PolicyForm(forms.Form):
    """Every setting of a product's exploitability policy (regulatory.md 1.4)."""

    high_threshold = forms.FloatField(min_value=0, max_value=3.9, help_text="v3 sub-score ≥ this: High")
    medium_threshold = forms.FloatField(min_value=0, max_value=3.9, help_text="≥ this: Medium")
    v2_high_threshold = forms.FloatField(min_value=0, max_value=10, help_text="v2 sub-score: High")
    v2_medium_threshold = forms.FloatField(min_value=0, max_value=10, help_text="CVSS v2: Medium")
    raise_on_kev = forms.BooleanField(required=False, label="Raise one band when the CVE is in CISA KEV")
    raise_on_maturity = forms.MultipleChoiceField(
        choices=[(m.value, m.value.replace("_", " ")) for m in ExploitMaturity],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Raise one band for exploit maturity",
    )
    epss_raise_threshold = forms.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        help_text="empty: EPSS recorded only",
    )
    credit_compensating_controls = forms.BooleanField(required=False, label="Credit compensating controls")
    no_vector_band = forms.ChoiceField(
        choices=[(b.value, b.value) for b in ExploitabilityBand], label="Band when no CVSS vector is known"
    )
    note = forms.CharField(max_length=500, required=False, label="Why this change")

    def clean(self) -> dict[str, Any]:
        """Medium thresholds must not exceed high ones."""
        data = super().clean() or {}
        for medium, high in (
            ("medium_threshold", "high_threshold"),
            ("v2_medium_threshold", "v2_high_threshold"),
        ):
            if data.get(medium) is not None and data.get(high) is not None and data[medium] > data[high]:
                self.add_error(medium, "must not exceed the High threshold")
        return data

    def policy_data(self) -> dict[str, Any]:
        """The cleaned settings in ``ExploitabilityPolicy.from_mapping`` form."""
        return {k: v for k, v in self.cleaned_data.items() if k != "note"}
