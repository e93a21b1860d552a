"""``[timing]``: timeouts and retry pacing."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

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
    call_total_s: float = 20.0
    """One Netgíró call, start to last byte (read_timeout_s ≤ it ≤ give_up_after_s / 3);
    unset: the most that fits."""


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
    return _call_total(reader, TimingSettings(**values))  # type: ignore[arg-type]


def _call_total(reader: Reader, timing: TimingSettings) -> TimingSettings:
    """A slow-drip answer must not outlive the give-up: read ≤ call_total ≤ give_up / 3."""
    most = timing.give_up_after_s / 3
    if "call_total_s" not in reader.table:
        timing = replace(timing, call_total_s=max(timing.read_timeout_s, min(20.0, most)))
    if not timing.read_timeout_s <= timing.call_total_s <= most:
        reader.error(
            "call_total_s",
            f"{reader.name('call_total_s')} ({timing.call_total_s:g}) must be at least "
            f"{reader.name('read_timeout_s')} ({timing.read_timeout_s:g}) and at most a third "
            f"of {reader.name('give_up_after_s')} ({timing.give_up_after_s:g}).",
            "Lower read_timeout_s or call_total_s, or raise give_up_after_s (one Netgíró call "
            "must fit three times into the give-up time).",
        )
    return timing


SECTION = Section("timing", parse_timing, role="core")
