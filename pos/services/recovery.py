"""Recovery: finish every attempt a crash left open, by asking Netgíró first and acting second.

Each attempt is recovered on its own: one that fails (a row that cannot be read, a journal
write refused) is reported and the others still are recovered; it stays live in the journal,
so the next recovery tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pos.core.checkout import Phase
from pos.core.errors import PosError
from pos.core.free_text import safe_text
from pos.crashpoints import crash_point
from pos.journal import AttemptRecord, Journal
from pos.services.checkout_runner import CheckoutRunner
from pos.services.status import label_of

log = logging.getLogger(__name__)
UNREADABLE = "(unreadable)"


@dataclass(frozen=True)
class Recovered:
    """What recovery did with one open attempt."""

    reference: str
    sale_id: int
    transaction_id: str | None
    before: Phase
    after: Phase
    label: str
    note: str
    invoice_number: int | None

    failed: bool = False
    """Recovery itself failed for this attempt (see ``note``); it is still open."""

    @property
    def resolved(self) -> bool:
        if self.failed:
            return False
        return self.after not in {Phase.INSERTING, Phase.PENDING, Phase.NEEDS_CODE} | {
            Phase.CONFIRMING,
            Phase.CANCELLING,
            Phase.NEEDS_REVIEW,  # ended, yet a person must settle it: exit 2
        }


async def recover_open_attempts(runner: CheckoutRunner, journal: Journal) -> list[Recovered]:
    """Resolve each open attempt (headless: nobody is at the counter) and report what happened."""
    crash_point("recovery.started")
    report = []
    try:
        attempts, unreadable = journal.open_attempts_row_by_row()
    except PosError as exc:
        log.exception("open attempts could not be read")
        return [
            _unreadable(UNREADABLE, None, f"The journal's open payments could not be read: {exc}")
        ]
    for row in unreadable:
        log.error("open attempt %s cannot be decoded: %s", row.reference, row.problem)
        report.append(
            _unreadable(
                row.reference,
                row.transaction_id,
                f"Its stored state cannot be read ({row.problem}); check it in Netgíró's portal.",
            )
        )
    for attempt in attempts:
        if runner.stopping:
            break
        crash_point("recovery.attempt_loaded")
        report.append(await _recover_one(runner, attempt))
        crash_point("recovery.attempt_done")
    crash_point("recovery.finished")
    return report


async def _recover_one(runner: CheckoutRunner, attempt: AttemptRecord) -> Recovered:
    try:
        ended = await runner.resume(attempt)
    except (PosError, ValueError, KeyError, TypeError, OSError) as exc:
        log.exception("recovering %s failed", attempt.reference)
        return Recovered(
            reference=attempt.reference,
            sale_id=attempt.sale_id,
            transaction_id=attempt.state.transaction_id,
            before=attempt.state.phase,
            after=attempt.state.phase,
            label=label_of(attempt.state),
            note=f"Recovery failed ({safe_text(str(exc))}); it stays open for the next try.",
            invoice_number=attempt.state.invoice_number,
            failed=True,
        )
    return Recovered(
        reference=ended.reference,
        sale_id=ended.sale_id,
        transaction_id=ended.state.transaction_id,
        before=attempt.state.phase,
        after=ended.state.phase,
        label=label_of(ended.state),
        note=ended.state.note,
        invoice_number=ended.state.invoice_number,
    )


def _unreadable(reference: str, transaction_id: str | None, note: str) -> Recovered:
    return Recovered(
        reference=reference,
        sale_id=0,
        transaction_id=transaction_id,
        before=Phase.INSERTING,
        after=Phase.INSERTING,
        label="Unknown — the journal could not be read",
        note=safe_text(note),
        invoice_number=None,
        failed=True,
    )
