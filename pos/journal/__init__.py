"""The SQLite journal: sales, payment attempts and their states, print jobs, callbacks."""

from pos.journal.store import (
    AttemptAlreadyLive,
    AttemptRecord,
    Journal,
    JournalError,
    PrintJob,
    SaleLine,
    SaleRecord,
)

__all__ = [
    "AttemptAlreadyLive",
    "AttemptRecord",
    "Journal",
    "JournalError",
    "PrintJob",
    "SaleLine",
    "SaleRecord",
]
