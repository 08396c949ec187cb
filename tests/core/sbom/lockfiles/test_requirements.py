"""pip requirements files."""

from __future__ import annotations

import re

import pytest

from medvigil.core.errors import SbomError
from tests.conftest import shared_path
from tests.core.sbom.lockfiles.conftest import LOCKFILE_FIXTURES, purls, read, read_bytes

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*===?\s*([^\s;,#*]+)\s*(;.*)?(#.*)?$")

MONAI_FILES = [
    ("monai-deploy-app-sdk", "requirements.txt"),
    ("monai-deploy-app-sdk", "requirements-dev.txt"),
    ("monai-deploy-app-sdk", "requirements-min.txt"),
    ("monai-deploy-app-sdk", "requirements-examples.txt"),
    ("monai-deploy-app-sdk", "platforms", "nuance_pin", "requirements.txt"),
    ("monai-deploy-app-sdk", "platforms", "aidoc", "restful_app", "requirements.txt"),
    (
        "monai-deploy-app-sdk",
        "examples",
        "apps",
        "cchmc_nnunet_fifteen_ckpt_app",
        "my_app",
        "requirements.txt",
    ),
    ("monai-deploy-app-sdk", "examples", "apps", "cchmc_ped_abd_ct_seg_app", "requirements.txt"),
    ("openaps-oref0", "requirements.txt"),
]


def _expected(text: str) -> tuple[set[str], int]:
    """Pinned purls and the number of other requirement/include lines, by a plain regex scan."""
    pinned, others = set(), 0
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        if match:
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            pinned.add(f"pkg:pypi/{name}@{match.group(3)}")
        else:
            others += 1
    return pinned, others


@pytest.mark.parametrize("parts", MONAI_FILES, ids=["/".join(p) for p in MONAI_FILES])
def test_real_requirements_pins_and_warnings(parts: tuple[str, ...]) -> None:
    path = shared_path("lockfiles", *parts)
    pinned, others = _expected(path.read_text())
    parsed = read("requirements", path)
    assert purls(parsed) == pinned
    assert len(parsed.components) == len(pinned)
    assert len(parsed.warnings) == others  # every unpinned line and include is reported, nothing silent


def test_known_medical_imaging_pins() -> None:
    nuance = read("requirements", shared_path("lockfiles", *MONAI_FILES[4]))
    assert purls(nuance) == {
        "pkg:pypi/monai-deploy-app-sdk@0.4.0",
        "pkg:pypi/monai@0.9.0",
        "pkg:pypi/pydicom@2.3.0",
        "pkg:pypi/highdicom@0.19.0",
    }
    monai = next(c for c in nuance.components if c.name == "monai")
    assert ("medvigil:pip:extras", "all") in monai.properties
    oref0 = read("requirements", shared_path("lockfiles", "openaps-oref0", "requirements.txt"))
    assert purls(oref0) == {"pkg:pypi/requests@2.25.1", "pkg:pypi/six@1.15.0", "pkg:pypi/pytz@2021.1"}


def test_hashes_continuations_markers_and_includes() -> None:
    parsed = read("requirements", LOCKFILE_FIXTURES / "requirements" / "requirements.txt")
    assert purls(parsed) == {
        "pkg:pypi/certifi@2023.11.17",
        "pkg:pypi/pillow@10.1.0",
        "pkg:pypi/requests@2.31.0",
        "pkg:pypi/pydicom@2.4.3",  # ===
        "pkg:pypi/zope-interface@6.1",  # PEP 503: dots become dashes
        "pkg:pypi/typing-extensions@4.8.0",  # two spellings, one purl, one component
    }
    assert len(parsed.components) == 6
    by_name = {c.name: c for c in parsed.components}
    assert [h.alg for h in by_name["certifi"].hashes] == ["SHA-256", "SHA-256"]
    assert by_name["certifi"].hashes[0].value.startswith("9b469f3a")
    assert ("medvigil:pip:marker", 'python_version >= "3.8"') in by_name["Pillow"].properties
    assert ("medvigil:pip:extras", "security,socks") in by_name["requests"].properties
    assert [w.split(":", 1)[0] for w in parsed.warnings] == [f"line {n}" for n in range(21, 28)]
    assert "base.txt not followed" in parsed.warnings[2]


def test_invalid_requirement_names_the_first_line_of_a_continuation() -> None:
    text = b"six==1.16.0\n# comment\nfoo==1.0 \\\n    ; python_version >>> '3'\n"
    with pytest.raises(SbomError) as info:
        read_bytes("requirements", text, source="requirements.txt")
    assert (info.value.source, info.value.location) == ("requirements.txt", "line 3")


def test_a_pinned_file_under_any_name_is_recognised_by_content() -> None:
    from medvigil.core.sbom.registry import detect_format, read_sbom

    data = b"# our deps\nflask==2.0.1\nrequests[socks]==2.31.0 ; python_version >= '3.8'\nnumpy>=1.24\n"
    assert detect_format("deps.txt", data) == "requirements"
    parsed = read_sbom(data, source="deps.txt")
    assert [c.purl for c in parsed.components] == ["pkg:pypi/flask@2.0.1", "pkg:pypi/requests@2.31.0"]


@pytest.mark.parametrize(
    "text",
    [
        b"flask>=2\nrequests\n",  # nothing pinned: no version to match, so not claimed by content
        b"hello world\n",
        b"x == 1\ndef f():\n    pass\n",
        b'[package]\nname = "serde"\nversion = "1.0.0"\n',
        b"component,support_level,end_of_support\nopenssl==1,2,3\n",
        b"SPDXVersion: SPDX-2.3\nPackageName: a==1\n",
    ],
)
def test_other_text_is_not_claimed_by_content(text: bytes) -> None:
    from medvigil.core.sbom.lockfiles.requirements import RequirementsReader

    assert RequirementsReader().sniff("notes.txt", text) is False
    assert RequirementsReader().sniff("requirements.txt", text) is True  # the name still decides
