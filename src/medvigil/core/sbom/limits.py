"""Hard limits on one SBOM or lockfile: bytes, components and component nesting depth.

Core takes them as a parameter (:class:`SbomLimits`); the web settings
``MEDVIGIL_SBOM_MAX_BYTES``, ``MEDVIGIL_SBOM_MAX_COMPONENTS`` and ``MEDVIGIL_SBOM_MAX_DEPTH``
fill them for uploads, API calls and ``medvigil sbom import``, and ``medvigil sbom check`` reads
the same variables, so every way in refuses the same documents with the same message.
The CycloneDX mapping stops as soon as a limit is passed; other formats are checked once read.
"""

from __future__ import annotations

from dataclasses import dataclass

from medvigil.core.errors import SbomTooLargeError
from medvigil.core.model import ParsedSbom

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""Default limit on the (decompressed) size of one document."""
DEFAULT_MAX_COMPONENTS = 100_000
"""Default limit on the components of one document (nested ones included)."""
DEFAULT_MAX_DEPTH = 32
"""Default limit on how deeply CycloneDX components nest inside components."""


@dataclass(frozen=True, slots=True)
class SbomLimits:
    """The limits one read enforces."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_components: int = DEFAULT_MAX_COMPONENTS
    max_depth: int = DEFAULT_MAX_DEPTH


DEFAULT_LIMITS = SbomLimits()


def too_many_components(
    count: int, limits: SbomLimits, *, source: str, location: str = ""
) -> SbomTooLargeError:
    """The refusal of a document with more than ``limits.max_components`` components."""
    return SbomTooLargeError(
        f"more than {limits.max_components:,} components (found {count:,} so far): over the limit of "
        f"{limits.max_components:,} components per document (MEDVIGIL_SBOM_MAX_COMPONENTS)",
        source=source,
        location=location,
    )


def too_deep(limits: SbomLimits, *, source: str, location: str) -> SbomTooLargeError:
    """The refusal of components nested more than ``limits.max_depth`` levels deep."""
    return SbomTooLargeError(
        f"components are nested more than {limits.max_depth} levels deep: over the limit of "
        f"{limits.max_depth} levels (MEDVIGIL_SBOM_MAX_DEPTH)",
        source=source,
        location=location,
    )


def check_limits(parsed: ParsedSbom, limits: SbomLimits, *, source: str) -> ParsedSbom:
    """Refuse a read document over the component limit (formats whose readers do not stop early)."""
    if len(parsed.components) > limits.max_components:
        raise too_many_components(len(parsed.components), limits, source=source)
    return parsed
