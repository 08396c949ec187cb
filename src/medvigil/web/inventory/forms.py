"""Forms of the inventory pages (they validate input; services do the writing)."""

from __future__ import annotations

from typing import Any

from django import forms

from medvigil.core.model.product import DeviceClass, Interface, Lifecycle, RegulatoryPathway


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ProductForm(forms.Form):
    """Create a device product."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    model_numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="one per line"
    )
    cpes = forms.CharField(
        label="CPEs",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="CPE 2.3 names of the device, one per line; use version * "
        "(cpe:2.3:h:vendor:product:*:*:*:*:*:*:*:*) so each registered version is matched",
    )
    purls = forms.CharField(
        label="Package URLs",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="purls of the device (e.g. pkg:generic/vendor/product), one per line, without version",
    )
    udi_dis = forms.CharField(
        label="UDI-DIs", widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="one per line"
    )
    device_class = forms.ChoiceField(choices=[(m.value, f"Class {m.value}") for m in DeviceClass])
    pathway = forms.ChoiceField(choices=[(m.value, m.value) for m in RegulatoryPathway])
    regulatory_number = forms.CharField(max_length=40, required=False)
    implantable = forms.BooleanField(required=False)
    life_sustaining = forms.BooleanField(required=False, label="Life-sustaining / life-supporting")
    patient_connected = forms.BooleanField(required=False)
    home_use = forms.BooleanField(required=False)
    interfaces = forms.MultipleChoiceField(
        choices=[(m.value, m.value) for m in Interface], required=False, widget=forms.CheckboxSelectMultiple
    )
    essential_performance = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="one function per line"
    )
    end_of_support = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def service_kwargs(self) -> dict[str, Any]:
        """Cleaned data in the shape ``product_create`` takes."""
        data = dict(self.cleaned_data)
        for key in ("model_numbers", "cpes", "purls", "udi_dis", "essential_performance"):
            data[key] = _lines(data[key])
        return data


class VersionForm(forms.Form):
    """Register a product version."""

    version = forms.CharField(max_length=100)
    release_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    lifecycle = forms.ChoiceField(choices=[(m.value, m.value) for m in Lifecycle], initial="support")
    end_of_support = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    installed_base = forms.IntegerField(required=False, min_value=0)


class SbomUploadForm(forms.Form):
    """Upload an SBOM or lockfile for a version."""

    file = forms.FileField()
    format = forms.CharField(required=False, help_text="leave empty to detect")


def product_initial(product: Any) -> dict[str, Any]:
    """A product's fields as the product form's initial data (lists one per line)."""
    data = {name: getattr(product, name) for name in ProductForm.base_fields}
    for key in ("model_numbers", "cpes", "purls", "udi_dis", "essential_performance"):
        data[key] = "\n".join(data[key] or [])
    return data
