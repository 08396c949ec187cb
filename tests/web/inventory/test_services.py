"""Inventory services: products, versions, SBOM import semantics, support addenda."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from medvigil.core.errors import InputError, NotFoundError, SbomError, SbomTooLargeError
from medvigil.core.model import SupportLevel
from medvigil.core.model.support import SupportUpdate
from medvigil.web.inventory import selectors, services
from medvigil.web.inventory.models import Component, InventoryEvent, SbomDocument
from tests.web.conftest import demo_file


def _cdx_count(components: list[dict[str, Any]]) -> int:
    return sum(1 + _cdx_count(c.get("components", [])) for c in components)


def test_cyber_device_status_is_derived_from_software_and_interfaces(product: Any) -> None:
    assert product.cyber_device.is_cyber_device
    assert "wifi" in product.cyber_device.reason
    offline = services.product_create(name="Offline scale", interfaces=[])
    assert not offline.cyber_device.is_cyber_device


def test_overriding_cyber_device_status_needs_a_reason(db: Any) -> None:
    with pytest.raises(InputError) as err:
        services.product_create(name="Thing", interfaces=["usb"], cyber_device_override=False)
    assert err.value.field == "cyber_device_reason"
    p = services.product_create(
        name="Thing",
        interfaces=["usb"],
        cyber_device_override=False,
        cyber_device_reason="USB is charge-only",
    )
    assert not p.cyber_device.is_cyber_device and p.cyber_device.overridden


def test_rejects_unknown_interface_naming_the_field(db: Any) -> None:
    with pytest.raises(InputError) as err:
        services.product_create(name="Thing", interfaces=["telepathy"])
    assert err.value.field == "interfaces"


def test_duplicate_version_is_refused(version: Any) -> None:
    with pytest.raises(InputError, match="already has version"):
        services.version_create(product=version.product, version="2.1")


def test_import_stores_every_component_and_the_original_bytes(version: Any) -> None:
    data = demo_file("dropwizard-1.3.15.cdx.json")
    expected = _cdx_count(json.loads(data)["components"])
    result = services.sbom_import(product_version=version, data=data, filename="bom.json")
    assert result.created and result.component_count == expected
    assert version.components.count() == expected
    doc = SbomDocument.objects.get(pk=result.document.pk)
    assert bytes(doc.content) == data and doc.format == "cyclonedx-json"
    jackson = Component.objects.filter(product_version=version, purl__startswith="pkg:maven/com.fasterxml")
    assert jackson.exists() and all(c.purl_type == "maven" for c in jackson)


def test_reimporting_the_same_document_is_a_no_op(version: Any) -> None:
    data = demo_file("dropwizard-1.3.15.cdx.json")
    first = services.sbom_import(product_version=version, data=data, filename="bom.json")
    ids = set(version.components.values_list("id", flat=True))
    again = services.sbom_import(product_version=version, data=data, filename="bom.json")
    assert not again.created and again.document.pk == first.document.pk
    assert set(version.components.values_list("id", flat=True)) == ids
    assert SbomDocument.objects.filter(product_version=version).count() == 1


def test_new_sbom_replaces_components_and_keeps_previous_documents(version: Any) -> None:
    services.sbom_import(
        product_version=version, data=demo_file("dropwizard-1.3.15.cdx.json"), filename="a.json"
    )
    second = services.sbom_import(
        product_version=version, data=demo_file("microsoft-sbom-tool.spdx.json"), filename="b.spdx.json"
    )
    assert second.replaced == 167
    docs = list(SbomDocument.objects.filter(product_version=version).order_by("id"))
    assert [d.is_current for d in docs] == [False, True]
    assert version.components.count() == second.component_count == 123
    assert InventoryEvent.objects.filter(product_version=version, kind="sbom-import").count() == 2


def test_failed_import_leaves_the_current_set_untouched(version: Any) -> None:
    services.sbom_import(
        product_version=version, data=demo_file("dropwizard-1.3.15.cdx.json"), filename="a.json"
    )
    bad = b'{"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [{"type": "library"}]}'
    with pytest.raises(SbomError) as err:
        services.sbom_import(product_version=version, data=bad, filename="bad.json")
    assert "bad.json" in err.value.diagnostics() and err.value.field == "name"
    assert version.components.count() == 167
    assert SbomDocument.objects.filter(product_version=version).count() == 1


def test_size_limit_is_enforced(version: Any, settings: Any) -> None:
    settings.SBOM_MAX_BYTES = 10_000
    with pytest.raises(SbomTooLargeError):
        services.sbom_import(
            product_version=version, data=demo_file("dropwizard-1.3.15.cdx.json"), filename="a"
        )
    assert not version.documents.exists()


def test_support_addendum_feeds_the_horizon_check(product: Any) -> None:
    services.product_update(product=product, end_of_support=dt.date(2030, 12, 31))
    pv = services.version_create(product=product, version="3.0")
    services.sbom_import(
        product_version=pv, data=demo_file("nightscout-15.0.7-package-lock.json"), filename="l"
    )
    changed = services.component_support_update(
        product_version=pv,
        updates=[SupportUpdate("pkg:npm/request", SupportLevel.NO_LONGER_MAINTAINED, dt.date(2020, 2, 11))],
    )
    assert changed == 1
    conflicts = selectors.support_horizon(product_version=pv, today=dt.date(2026, 1, 1))
    assert [c.component.name for c in conflicts] == ["request"]
    assert "no longer maintained" in conflicts[0].reason and "2030-12-31" in conflicts[0].reason


def test_support_addendum_with_unknown_component_changes_nothing(version: Any) -> None:
    services.sbom_import(product_version=version, data=demo_file("dropwizard-1.3.15.cdx.json"), filename="a")
    updates = [
        SupportUpdate("pkg:maven/io.dropwizard/dropwizard-core", SupportLevel.ABANDONED, None),
        SupportUpdate("no-such-thing", SupportLevel.ABANDONED, None),
    ]
    with pytest.raises(NotFoundError, match="line 2"):
        services.component_support_update(product_version=version, updates=updates)
    assert not version.components.filter(support_level="abandoned").exists()


def test_diff_between_two_lockfile_versions(product: Any) -> None:
    old = services.version_create(product=product, version="14.2.6")
    new = services.version_create(product=product, version="15.0.7")
    services.sbom_import(
        product_version=old, data=demo_file("nightscout-14.2.6-package-lock.json"), filename="a"
    )
    services.sbom_import(
        product_version=new, data=demo_file("nightscout-15.0.7-package-lock.json"), filename="b"
    )
    diff = selectors.version_diff(old=old, new=new)
    upgraded = {(c.new.group, c.new.name): (c.old.version, c.new.version) for c in diff.changed}
    assert upgraded[("@babel", "core")] == ("7.11.4", "7.28.5")
    old_count, new_count = old.components.count(), new.components.count()
    assert old_count - len(diff.removed) + len(diff.added) == new_count
