"""medvigil: postmarket cybersecurity management for medical devices."""

from __future__ import annotations

__version__ = "0.1.0"
