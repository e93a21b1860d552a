"""Request nonces that only ever rise, even when the clock steps back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def _ticks() -> int:
    return time.time_ns() // 100  # .NET ticks resolution, like Netgíró's own samples


class MonotonicNonce:
    """``max(now, last + 1)``; ``on_issue`` lets the journal persist a floor across restarts."""

    def __init__(
        self,
        *,
        last: int = 0,
        clock: Callable[[], int] = _ticks,
        on_issue: Callable[[int], None] | None = None,
    ) -> None:
        self._last = last
        self._clock = clock
        self._on_issue = on_issue
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            self._last = max(self._clock(), self._last + 1)
            if self._on_issue is not None:
                self._on_issue(self._last)
            return str(self._last)
