"""Migration 0004 computes the stored package key of rows imported before the column existed."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps

from medvigil.web.advisories.models import AffectedPackage
from medvigil.web.advisories.services import feed_import

pytestmark = pytest.mark.django_db
migration = importlib.import_module("medvigil.web.advisories.migrations.0004_affected_package_key")


def test_fill_computes_the_key_of_every_row_with_purl_coordinates(tmp_path: Path) -> None:
    affected = [
        {"package": {"ecosystem": "crates.io", "name": "once_cell"}, "versions": ["0.2.5"]},
        {"package": {"ecosystem": "NuGet", "name": "Newtonsoft.Json"}, "versions": ["1.0"]},
        {"package": {"ecosystem": "Go", "name": "github.com/BurntSushi/toml"}, "versions": ["1.0.0"]},
        {"package": {"ecosystem": "Bitnami", "name": "thing"}, "versions": ["1"]},
    ]
    record = {
        "schema_version": "1.6.0",
        "id": "OSV-2099-7",
        "modified": "2099-01-01T00:00:00Z",
        "affected": affected,
    }
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(record) + "\n")
    result = feed_import(path=path, source="osv")
    assert result.counts["new"] == 1, result.errors
    imported = dict(AffectedPackage.objects.values_list("name", "package_key"))
    AffectedPackage.objects.update(package_key="")  # as the rows were before the migration

    migration.fill(apps, None)

    keys = dict(AffectedPackage.objects.values_list("name", "package_key"))
    assert (
        keys
        == imported
        == {
            "once_cell": "cargo:once-cell",
            "Newtonsoft.Json": "nuget:newtonsoft.json",
            "github.com/BurntSushi/toml": "golang:github.com/BurntSushi/toml",
            "thing": "",
        }
    )
