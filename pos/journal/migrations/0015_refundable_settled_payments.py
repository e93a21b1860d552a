"""Step 0015: a Netgíró payment a manager settled paid can be refunded, as any paid one.

Step 0011's ``refunds_within_payment`` let a Netgíró refund go back only to a PAID attempt or a
double charge. A NEEDS_REVIEW or UNKNOWN_ABANDONED payment that a manager settled paid after
reading Netgíró's portal keeps its phase, but its tender is taken and the sale is paid: its
money is at Netgíró, so a refund must be able to take it back. The trigger is dropped and made
again with the rule ``pos.journal.refunds.REFUNDABLE`` states: the attempt has a TransactionId,
and it was PAID, or its Netgíró tender is taken, or it is a double charge. A payment settled
paid without a TransactionId still takes no refund here (only Netgíró's portal can refund it).

The rule is written out here, not imported: a step says what it did the day it was written.
"""

from __future__ import annotations

import sqlite3

NETGIRO_WITHIN_PAYMENT = """
CREATE TRIGGER refunds_within_payment BEFORE INSERT ON refunds
WHEN NEW.tender = 'netgiro'
 AND NEW.amount + COALESCE((SELECT SUM(r.amount) FROM refunds r
                            WHERE r.attempt_id = NEW.attempt_id AND r.status <> 'FAILED'), 0)
     > COALESCE((SELECT a.amount FROM attempts a
                 WHERE a.id = NEW.attempt_id AND a.sale_id = NEW.sale_id
                   AND a.transaction_id = NEW.transaction_id
                   AND (a.phase = 'PAID'
                        OR EXISTS (SELECT 1 FROM tenders t WHERE t.attempt_id = a.id
                                   AND t.kind = 'netgiro' AND t.status = 'taken')
                        OR (a.phase = 'NEEDS_REVIEW' AND EXISTS (
                            SELECT 1 FROM attempt_events e WHERE e.attempt_id = a.id
                            AND e.event LIKE '%+double!_charge' ESCAPE '!')))), 0)
BEGIN SELECT RAISE(ABORT, 'refunds would exceed what the payment took'); END
"""


def apply(db: sqlite3.Connection) -> None:
    db.execute("DROP TRIGGER refunds_within_payment")
    db.execute(NETGIRO_WITHIN_PAYMENT)
