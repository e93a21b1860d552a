"""Cash management: the opening float, paid-in and paid-out with a reason, no-sale drawer openings.

Each is a manager's action (manager mode), journaled with its audit row in one transaction, and
counted in the next Z: the float, paid-in and paid-out in the expected cash, a no-sale as an
opening of the drawer. When a drawer is given it is kicked after the commit; a drawer that does
not open never undoes the movement (the cashier opens it with the key: the message says so).
On the till's event loop pass ``drawer=None`` and ``await kick_drawer(drawer)`` after: the kick
then runs in a thread of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pos.core.errors import PosError
from pos.core.money import MAX_AMOUNT, format_isk
from pos.devices.protocols import Drawer
from pos.journal import Journal
from pos.journal import z_reports as zdb
from pos.journal.z_reports import MovementRecord
from pos.services.devices import kick_drawer
from pos.services.manager_auth import ManagerAuth, Session

log = logging.getLogger(__name__)
MAX_REASON = 100


class CashError(PosError):
    """The cash movement is refused as given; nothing was written."""

    title = "Cash"


@dataclass(frozen=True)
class CashMoved:
    """A journaled movement, and what the drawer did ("" when it opened or none was asked)."""

    movement: MovementRecord
    drawer_problem: str = ""


def opening_float(
    auth: ManagerAuth,
    session: Session,
    journal: Journal,
    amount: int,
    *,
    reason: str = "",
    drawer: Drawer | None = None,
) -> CashMoved:
    """The change put in the drawer at the start of a period."""
    return _move(auth, session, journal, "float", _amount(amount), reason.strip(), drawer)


def paid_in(
    auth: ManagerAuth,
    session: Session,
    journal: Journal,
    amount: int,
    reason: str,
    *,
    drawer: Drawer | None = None,
) -> CashMoved:
    """Cash put in the drawer that is not a sale (change from the bank, …)."""
    return _move(auth, session, journal, "paid_in", _amount(amount), _reason(reason), drawer)


def paid_out(
    auth: ManagerAuth,
    session: Session,
    journal: Journal,
    amount: int,
    reason: str,
    *,
    drawer: Drawer | None = None,
) -> CashMoved:
    """Cash taken from the drawer that is not a refund (a delivery paid in cash, …)."""
    return _move(auth, session, journal, "paid_out", _amount(amount), _reason(reason), drawer)


def no_sale(
    auth: ManagerAuth,
    session: Session,
    journal: Journal,
    *,
    reason: str = "",
    drawer: Drawer | None = None,
) -> CashMoved:
    """The drawer opened without a sale: counted on the Z, and the drawer kicked if given."""
    return _move(auth, session, journal, "no_sale", 0, reason.strip()[:MAX_REASON], drawer)


def open_movements(journal: Journal) -> list[MovementRecord]:
    """The movements since the last Z, oldest first (read-only)."""
    return zdb.movements(journal)


def _amount(amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise CashError("Enter the amount in whole krónur.")
    if not 0 < amount <= MAX_AMOUNT:
        raise CashError(f"The amount is more than 0 and at most {format_isk(MAX_AMOUNT)}.")
    return amount


def _reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise CashError("Say why: the reason is written into the journal and printed on the Z.")
    if len(cleaned) > MAX_REASON or not cleaned.isprintable():
        raise CashError(f"Keep the reason to one line of at most {MAX_REASON} letters.")
    return cleaned


def _move(
    auth: ManagerAuth,
    session: Session,
    journal: Journal,
    kind: str,
    amount: int,
    reason: str,
    drawer: Drawer | None,
) -> CashMoved:
    auth.require_manager(session)
    if reason and (len(reason) > MAX_REASON or not reason.isprintable()):
        raise CashError(f"Keep the reason to one line of at most {MAX_REASON} letters.")
    try:
        movement = zdb.add_movement(journal, kind, amount, reason, session.actor, at=auth.clock())
    except zdb.CashRefused as exc:
        raise CashError(exc.message) from exc
    if drawer is None:
        return CashMoved(movement, "")
    # After the movement's commit; audited as every kick is (drawer.kicked / open_with_key).
    opened, message = kick_drawer(drawer, journal, actor=session.actor, why=kind)
    return CashMoved(movement, "" if opened else message)
