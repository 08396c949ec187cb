"""The standard-library verification snippet in docs/notifications.md accepts medvigil's signatures
and refuses wrong secrets, changed bodies and old timestamps, like the helper."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medvigil.core.notify.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header

DOC = Path(__file__).resolve().parents[3] / "docs" / "notifications.md"
NOW = 1_780_000_000


def _snippet() -> Callable[..., bool]:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    code = next(b for b in blocks if "def verify(" in b)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]  # type: ignore[no-any-return]


def test_the_documented_snippet_agrees_with_the_helper() -> None:
    verify = _snippet()
    body = '{"schema":"medvigil.notification/1","title":"Überwachung 🩺"}'.encode()
    headers = {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: signature_header(["new", "old"], NOW, body)}
    assert verify(["old"], headers, body, NOW + 5)
    assert verify(["new"], headers, body, NOW - 5)
    assert not verify(["wrong"], headers, body, NOW)
    assert not verify(["new"], headers, body + b" ", NOW)
    assert not verify(["new"], headers, body, NOW + 301)
