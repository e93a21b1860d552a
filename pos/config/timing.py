"""``[timing]``: timeouts and retry pacing."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from pos.config.reader import Reader
from pos.config.section import Section


@dataclass(frozen=True)
class TimingSettings:
    """Timeouts and retry pacing; every value is a positive, finite number."""

    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    poll_fallback_ms: int = 3000
    """CheckCart interval when Netgíró names none."""
    backoff_cap_s: float = 30.0
    """The longest wait between CheckCart retries."""
    deadline_s: float = 180.0
    """Cancel a cart the customer has not approved by then."""
    give_up_after_s: float = 60.0
    """Then leave an unresolved attempt to recovery."""
    code_tries: int = 3
    """Wrong SMS codes before the cart is cancelled."""


def parse_timing(reader: Reader) -> TimingSettings:
    default = TimingSettings()
    values: dict[str, float | int] = {}
    for item in fields(TimingSettings):
        fallback = getattr(default, item.name)
        if isinstance(fallback, int):
            value: float | int = reader.whole(item.name, fallback)
        else:
            value = reader.number(item.name, fallback)
        if not (math.isfinite(value) and value > 0):
            reader.error(
                item.name,
                f"{reader.name(item.name)} must be above 0 (and finite).",
                f"Use a positive number, like the default {fallback}.",
            )
            value = fallback
        values[item.name] = value
    return TimingSettings(**values)  # type: ignore[arg-type]


SECTION = Section("timing", parse_timing, role="core")
