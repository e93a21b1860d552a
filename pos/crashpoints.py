"""Named crash points: the till can be killed at any journal commit or network boundary, on purpose.

Production code calls ``crash_point("name")`` at every commit and every send/receive boundary.
Normally that is one dictionary lookup. Tests arm a point with ``POS_CRASH_AT=name`` (a
comma-separated list; ``name#N`` fires on the Nth pass) and the process SIGKILLs itself there,
as a power cut would. ``POS_CRASH_TRACE=FILE`` appends every point passed, so a sweep knows
which points a flow reaches and can assert that each armed point really fired.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ARM_ENV = "POS_CRASH_AT"
TRACE_ENV = "POS_CRASH_TRACE"

_passes: Counter[str] = Counter()


def _armed() -> dict[str, int]:
    spec = os.environ.get(ARM_ENV, "")
    armed: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, nth = item.partition("#")
        armed[name] = int(nth) if nth.isascii() and nth.isdigit() else 1
    return armed


def _trace(line: str) -> None:
    trace_file = os.environ.get(TRACE_ENV)
    if trace_file:
        with open(trace_file, "a", encoding="utf-8") as trace:
            trace.write(line + "\n")
            trace.flush()
            os.fsync(trace.fileno())


def crash_point(name: str) -> None:
    """Pass the named point; die here, without cleanup, if a test armed it."""
    if ARM_ENV not in os.environ and TRACE_ENV not in os.environ:
        return
    _passes[name] += 1
    _trace(f"pass {name}")
    nth = _armed().get(name)
    if nth is not None and _passes[name] == nth:
        _trace(f"fired {name}")
        os.kill(os.getpid(), signal.SIGKILL)
