"""Uploads are streamed to a temporary file and stopped at the size cap, never read whole first.

:class:`CappedUploadHandler` runs before Django's ``TemporaryFileUploadHandler`` (settings
``FILE_UPLOAD_HANDLERS``): it counts the bytes of every uploaded file of a request and, past
``MEDVIGIL_SBOM_MAX_BYTES`` (the largest upload medvigil accepts), stops reading the body and
marks the request, so the SBOM upload view and API answer with a refusal naming the limit (413
from the API) and store nothing. Form fields sent before the file (the CSRF token) are kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

REFUSED_ATTRIBUTE = "medvigil_upload_refused"
"""Request attribute holding the refusal message once an upload went over the cap."""


def upload_cap() -> int:
    """Bytes one request may upload in files."""
    return int(settings.SBOM_MAX_BYTES)


def too_large_message(name: str, cap: int) -> str:
    """The refusal text for an upload over ``cap`` bytes."""
    return f"{name}: the upload is larger than the limit of {cap:,} bytes (MEDVIGIL_SBOM_MAX_BYTES)"


class CappedUploadHandler(FileUploadHandler):
    """Counts uploaded bytes and stops the upload once they pass the cap."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.cap = upload_cap()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        """Pass the chunk on to the next handler unless the request went over the cap."""
        self.received += len(raw_data)
        if self.received > self.cap:
            if self.request is not None:
                setattr(
                    self.request, REFUSED_ATTRIBUTE, too_large_message(self.file_name or "upload", self.cap)
                )
            raise StopUpload(connection_reset=True)  # do not read the rest of the body
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        """The next handler (temporary file) builds the uploaded file."""
        return None


def refused(request: HttpRequest, file: Any = None) -> str:
    """The refusal message when the request's upload is over the cap ('' when it is not)."""
    message = str(getattr(request, REFUSED_ATTRIBUTE, ""))
    if not message and file is not None and getattr(file, "size", 0) > upload_cap():
        message = too_large_message(getattr(file, "name", "") or "upload", upload_cap())
    return message
