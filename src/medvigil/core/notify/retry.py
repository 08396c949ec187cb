"""The retry schedule of deliveries: exponential backoff with a ceiling, then the dead letter."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RetryPolicy"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` tries in all; the wait after failed attempt ``n`` is ``base * 2**(n-1)``
    seconds, at most ``ceiling``. After the last failure the delivery is dead (an admin retries)."""

    attempts: int = 8
    """Tries before the delivery is dead (at least 1)."""
    base: int = 30
    """Seconds after the first failure."""
    ceiling: int = 3600
    """Longest wait between two tries."""

    def delay(self, failed: int) -> int | None:
        """Seconds to wait after ``failed`` failed attempts, or None when none is left."""
        if failed >= self.attempts:
            return None
        return int(min(self.ceiling, self.base * 2 ** max(0, failed - 1)))

    def schedule(self) -> list[int]:
        """Every wait, in order (for documentation and the admin page)."""
        return [d for n in range(1, self.attempts) if (d := self.delay(n)) is not None]
