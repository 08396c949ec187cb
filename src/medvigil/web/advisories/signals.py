"""Signals other apps listen to.

``vulnerabilities_merged(sender, survivor: int, merged: list[int])`` is sent inside the import
transaction when a record links identities that were separate: every ``Alias`` and
``AdvisoryRecord`` of the ``merged`` vulnerabilities has moved to ``survivor``, and the merged
``Vulnerability`` rows are deleted right after the signal returns. An app holding a foreign key
to ``Vulnerability`` (findings, cases) must re-point its rows to ``survivor`` in its receiver.
"""

from __future__ import annotations

from django.dispatch import Signal

vulnerabilities_merged = Signal()
