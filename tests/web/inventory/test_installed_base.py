"""Dated installed base: the service, the CSV import and the admin form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from medvigil.core.errors import InputError
from medvigil.web.inventory.installed_base import installed_base_import_csv, installed_base_record
from medvigil.web.inventory.models import InstalledBase, ProductVersion
from tests.web.conftest import login

pytestmark = pytest.mark.django_db


def test_record_keeps_the_latest_count_on_the_version(version: ProductVersion) -> None:
    installed_base_record(product_version=version, as_of=dt.date(2026, 3, 1), units=500)
    installed_base_record(product_version=version, as_of=dt.date(2026, 1, 1), units=900)
    version.refresh_from_db()
    assert version.installed_base == 500
    installed_base_record(product_version=version, as_of=dt.date(2026, 3, 1), units=450, source="CRM")
    version.refresh_from_db()
    assert version.installed_base == 450 and InstalledBase.objects.count() == 2
    with pytest.raises(InputError, match="0 or more"):
        installed_base_record(product_version=version, as_of=dt.date(2026, 3, 1), units=-1)


def test_csv_import_checks_every_row_before_writing(version: ProductVersion) -> None:
    good = (
        b"product,version,as_of,units,source\n"
        b"pump-x,2.1,2026-04-01,120,field service\npump-x,2.1,2026-05-01,80\n"
    )
    result = installed_base_import_csv(data=good, filename="base.csv")
    assert (result.rows, result.versions) == (2, 1)
    version.refresh_from_db()
    assert version.installed_base == 80
    bad = b"product,version,as_of,units\npump-x,2.1,2026-06-01,70\npump-x,9.9,2026-06-01,5\n"
    with pytest.raises(InputError, match="no version '9.9'") as err:
        installed_base_import_csv(data=bad, filename="bad.csv")
    assert "line 3" in err.value.diagnostics()
    assert not InstalledBase.objects.filter(as_of=dt.date(2026, 6, 1)).exists()
    with pytest.raises(InputError, match="lacks units"):
        installed_base_import_csv(data=b"product,version,as_of\n")
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        installed_base_import_csv(data=b"product,version,as_of,units\npump-x,2.1,soon,1\n")
    with pytest.raises(InputError, match="whole number"):
        installed_base_import_csv(data=b"product,version,as_of,units\npump-x,2.1,2026-01-01,many\n")
    with pytest.raises(InputError, match="not UTF-8"):
        installed_base_import_csv(data=b"\xff\xfe\x00")


def test_admin_form_and_csv_upload(version: ProductVersion, admin: Any) -> None:
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = login(admin)
    response = client.post(
        "/admin/inventory/installedbase/add/",
        {"product_version": version.pk, "as_of": "2026-02-01", "units": "42", "source": "typed"},
    )
    assert response.status_code == 302, response.content[:500]
    version.refresh_from_db()
    assert version.installed_base == 42
    assert "Import CSV" in client.get("/admin/inventory/installedbase/").content.decode()
    upload = SimpleUploadedFile("base.csv", b"product,version,as_of,units\npump-x,2.1,2026-03-01,40\n")
    response = client.post("/admin/inventory/installedbase/import/", {"file": upload})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.installed_base == 40
    bad = SimpleUploadedFile("bad.csv", b"product,version,as_of,units\nnope,1,2026-03-01,4\n")
    page = client.post("/admin/inventory/installedbase/import/", {"file": bad}).content.decode()
    assert "no version" in page
