"""A brake on guessing passwords: after repeated failures for one username from one
address, sign-in is refused for a while, whatever the password."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoginBrake:
    """Counts failed sign-ins per (username, client address).

    After `limit` failures in a row the pair must wait `wait_seconds` (doubled for each
    further failure, up to `max_wait_seconds`) before the next attempt is even checked.
    A successful sign-in clears the count. `clock` returns seconds (injectable for tests).
    """

    limit: int = 5
    wait_seconds: float = 30.0
    max_wait_seconds: float = 15 * 60.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)

    @staticmethod
    def _key(username: str, address: str) -> tuple[str, str]:
        return (username.strip().lower(), address)

    def seconds_to_wait(self, username: str, address: str) -> int:
        """0 when an attempt may be made now; otherwise how many seconds remain."""
        count, last = self._failures.get(self._key(username, address), (0, 0.0))
        if count < self.limit:
            return 0
        wait = min(self.wait_seconds * 2 ** (count - self.limit), self.max_wait_seconds)
        remaining = last + wait - self.clock()
        return max(0, int(remaining + 0.999))

    def failed(self, username: str, address: str) -> None:
        key = self._key(username, address)
        count, _ = self._failures.get(key, (0, 0.0))
        self._failures[key] = (count + 1, self.clock())
        if len(self._failures) > 100_000:  # bound memory under a spraying attack
            oldest = min(self._failures, key=lambda k: self._failures[k][1])
            del self._failures[oldest]

    def succeeded(self, username: str, address: str) -> None:
        self._failures.pop(self._key(username, address), None)
