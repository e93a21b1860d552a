"""The journal's errors: each says what a person can do, and never to move a journal aside blindly."""

from __future__ import annotations

from pos.core.errors import PosError


class JournalError(PosError):
    """The journal cannot be opened or refuses a change."""

    title = "Journal"


class AttemptAlreadyLive(JournalError):
    """The sale already has a payment attempt in progress."""


class SaleNotPayable(JournalError):
    """The sale's status allows no new payment attempt (paid, parked, voided, or unsettled)."""


class JournalReadOnly(JournalError):
    """The journal or its folder cannot be written: fix the owner or mode, never move it."""


class JournalFull(JournalError):
    """The disk under the journal is full."""


class JournalDamaged(JournalError):
    """SQLite says the file is malformed: payments on this register stop until it is salvaged."""
