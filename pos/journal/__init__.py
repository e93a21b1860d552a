"""The SQLite journal: sales, payment attempts and their states, print jobs, callbacks."""

from pos.journal.errors import (
    AttemptAlreadyLive,
    JournalDamaged,
    JournalError,
    JournalFull,
    JournalReadOnly,
    SaleNotPayable,
)
from pos.journal.migrator import JournalTooNew
from pos.journal.store import (
    AttemptRecord,
    Journal,
    PrintJob,
    SaleLine,
    SaleRecord,
)

__all__ = [
    "AttemptAlreadyLive",
    "AttemptRecord",
    "Journal",
    "JournalDamaged",
    "JournalError",
    "JournalFull",
    "JournalReadOnly",
    "JournalTooNew",
    "PrintJob",
    "SaleLine",
    "SaleNotPayable",
    "SaleRecord",
]
