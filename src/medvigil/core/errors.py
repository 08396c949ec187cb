"""The one exception tree of medvigil.

::

    Error                      base; ``diagnostics()`` gives the user-facing text
    ├── InputError             bad user or upstream input, located (file, pointer/line, field)
    │   ├── SbomError          an SBOM or lockfile cannot be read
    │   │   ├── UnsupportedFormatError   format not recognised / not supported
    │   │   └── SbomTooLargeError        over the configured size limit
    │   ├── FeedParseError     a feed file or record cannot be read
    │   ├── VectorError        a malformed CVSS vector
    │   ├── InvalidVersionError  (matching.versions) a version its ecosystem cannot parse
    │   ├── RangeSyntaxError     (matching.native_ranges) a malformed npm or vers range
    │   ├── CpeError             (matching.cpe) a malformed CPE name
    │   └── PublishError         (publish) a document medvigil writes fails its own checks
    ├── FeedError              a feed source failed as a whole
    │   └── FeedUnavailableError  network / HTTP failure after retries
    ├── NotifyError            (notify) a notification cannot be built, sent or checked
    │   ├── DeliveryError         one delivery attempt failed (``retryable`` says whether to retry)
    │   └── WebhookVerificationError  a received webhook's signature or timestamp is not valid
    └── NotFoundError          a named object does not exist
"""

from __future__ import annotations


class Error(Exception):
    """Base class of every medvigil error."""

    def diagnostics(self) -> str:
        """Return a human-readable explanation for CLI and API output."""
        return str(self)


class InputError(Error):
    """Bad input, with the place it was found.

    ``source`` names the file (or upload), ``location`` a JSON pointer, XPath-ish path or
    ``line N``, and ``field`` the offending field when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        location: str = "",
        field: str = "",
    ) -> None:
        """Build the error from a message and its location parts."""
        self.message = message
        self.source = source
        self.location = location
        self.field = field
        super().__init__(self.diagnostics())

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle with the location parts (errors cross process boundaries in feed imports)."""
        return (_rebuild, (type(self), self.message, self.source, self.location, self.field))

    def diagnostics(self) -> str:
        """Return ``source: location: field: message`` with empty parts left out."""
        parts = [p for p in (self.source, self.location) if p]
        if self.field:
            parts.append(f"field '{self.field}'")
        parts.append(self.message)
        return ": ".join(parts)


def _rebuild(cls: type[InputError], message: str, source: str, location: str, field: str) -> InputError:
    return cls(message, source=source, location=location, field=field)


class SbomError(InputError):
    """An SBOM or lockfile cannot be read."""


class UnsupportedFormatError(SbomError):
    """The document's format is not recognised or not supported."""


class SbomTooLargeError(SbomError):
    """The document is larger than the configured limit."""


class FeedParseError(InputError):
    """A feed file or one of its records cannot be read."""


class VectorError(InputError):
    """A CVSS vector is malformed."""


class PublishError(InputError):
    """A document medvigil is about to publish fails its schema or mandatory tests."""


class FeedError(Error):
    """A feed source failed as a whole."""


class FeedUnavailableError(FeedError):
    """A feed could not be fetched (network or HTTP failure after retries)."""


class NotifyError(Error):
    """A notification cannot be built, sent or checked."""


class DeliveryError(NotifyError):
    """One delivery attempt failed; ``retryable`` is False when retrying cannot help."""

    def __init__(self, message: str, *, retryable: bool = True, status: int | None = None) -> None:
        """Keep whether to retry and the HTTP status (None: no response)."""
        self.retryable = retryable
        self.status = status
        super().__init__(message)


class WebhookVerificationError(NotifyError):
    """A received webhook's signature, timestamp or headers are not valid (reject the request)."""


class NotFoundError(Error):
    """A named object (product, version, document) does not exist."""
