"""Recovery: finish every attempt a crash left open, by asking Netgíró first and acting second."""

from __future__ import annotations

from dataclasses import dataclass

from pos.core.checkout import Phase
from pos.crashpoints import crash_point
from pos.journal import Journal
from pos.services.checkout_runner import CheckoutRunner
from pos.services.status import label_of


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

    @property
    def resolved(self) -> bool:
        return self.after not in {Phase.INSERTING, Phase.PENDING, Phase.NEEDS_CODE} | {
            Phase.CONFIRMING,
            Phase.CANCELLING,
        }


async def recover_open_attempts(runner: CheckoutRunner, journal: Journal) -> list[Recovered]:
    """Resolve each open attempt (headless: nobody is at the counter) and report what happened."""
    crash_point("recovery.started")
    report = []
    for attempt in journal.open_attempts():
        crash_point("recovery.attempt_loaded")
        ended = await runner.resume(attempt)
        report.append(
            Recovered(
                reference=ended.reference,
                sale_id=ended.sale_id,
                transaction_id=ended.state.transaction_id,
                before=attempt.state.phase,
                after=ended.state.phase,
                label=label_of(ended.state),
                note=ended.state.note,
                invoice_number=ended.state.invoice_number,
            )
        )
        crash_point("recovery.attempt_done")
    crash_point("recovery.finished")
    return report
