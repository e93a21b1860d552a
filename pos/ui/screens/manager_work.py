"""Manager mode's workers and the messages they post: they call TillManager, never a widget.

Each action ends in one message. ``ManagerModeEnded`` (15 idle minutes) becomes ``ManagerEnded``
wherever it is raised, so the screen closes the same way from a timer or from a key.
"""

from __future__ import annotations

from textual.message import Message
from textual.message_pump import MessagePump

from pos.config.editing import KeyChange
from pos.core.errors import PosError
from pos.core.reservations import Decided
from pos.journal.refunds import RefundRecord
from pos.journal.store import Outcome
from pos.services.manager_auth import ManagerModeEnded, Session
from pos.services.status import Unsettled
from pos.services.till_manager import Reprinted, TillManager
from pos.ui.messages import WorkFailed


class UnsettledLoaded(Message):
    def __init__(self, items: list[Unsettled], refunds: list[RefundRecord]) -> None:
        super().__init__()
        self.items = items
        self.refunds = refunds


class SaleSettled(Message):
    def __init__(self, sale_id: int, outcome: Outcome) -> None:
        super().__init__()
        self.sale_id = sale_id
        self.outcome: Outcome = outcome


class ReservationDecided(Message):
    def __init__(self, sale_id: int, decided: Decided) -> None:
        super().__init__()
        self.sale_id = sale_id
        self.decided = decided


class DrawerOpened(Message):
    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class ReceiptCopied(Message):
    def __init__(self, reprinted: Reprinted) -> None:
        super().__init__()
        self.reprinted = reprinted


class SettingChanged(Message):
    def __init__(self, change: KeyChange) -> None:
        super().__init__()
        self.change = change


class PersonUnlocked(Message):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class ZCopied(Message):
    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number


class ManagerEnded(Message):
    """Manager mode is over: left on purpose, or 15 minutes idle."""

    def __init__(self, idle: bool) -> None:
        super().__init__()
        self.idle = idle


def _failed(target: MessagePump, exc: PosError) -> None:
    if isinstance(exc, ManagerModeEnded):
        target.post_message(ManagerEnded(idle=True))
    else:
        target.post_message(WorkFailed(exc))


async def load_unsettled(
    target: MessagePump, manager: TillManager, *, recover: bool = False
) -> None:
    """What waits for a manager; ``recover`` (at entry only): refunds a crash left half done."""
    try:
        if recover:
            manager.recover_refunds()
        items, refunds = manager.unsettled(), manager.unknown_refunds()
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(UnsettledLoaded(items, refunds))


async def settle(
    target: MessagePump,
    manager: TillManager,
    session: Session,
    item: Unsettled,
    outcome: Outcome,
    reason: str,
) -> None:
    try:
        manager.settle(session, item.reference, outcome, reason)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(SaleSettled(item.sale_id, outcome))


async def decide_reservation(
    target: MessagePump, manager: TillManager, session: Session, item: Unsettled, confirm: bool
) -> None:
    """ConfirmCart or CancelCart on a found reservation: the network, so a worker."""
    try:
        if confirm:
            decided = await manager.confirm_reservation(session, item.reference)
        else:
            decided = await manager.release_reservation(session, item.reference)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(ReservationDecided(item.sale_id, decided))


async def open_drawer(target: MessagePump, manager: TillManager, session: Session) -> None:
    try:
        problem = await manager.open_drawer(session)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(DrawerOpened(problem))


async def copy_receipt(
    target: MessagePump, manager: TillManager, session: Session, receipt_no: int
) -> None:
    try:
        reprinted = manager.reprint(session, receipt_no)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(ReceiptCopied(reprinted))


async def copy_z(target: MessagePump, manager: TillManager, session: Session, number: int) -> None:
    try:
        manager.reprint_z(session, number)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(ZCopied(number))


async def change_setting(
    target: MessagePump, manager: TillManager, session: Session, entry: str
) -> None:
    try:
        change = manager.change_setting(session, entry)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(SettingChanged(change))


async def unlock(target: MessagePump, manager: TillManager, session: Session, name: str) -> None:
    try:
        unlocked = manager.unlock(session, name)
    except PosError as exc:
        _failed(target, exc)
        return
    target.post_message(PersonUnlocked(unlocked))


async def check_idle(target: MessagePump, manager: TillManager, session: Session) -> None:
    """The timer's question: 15 minutes without an action ends manager mode (audited)."""
    try:
        ended = manager.end_if_idle(session)
    except PosError as exc:
        _failed(target, exc)
        return
    if ended:
        target.post_message(ManagerEnded(idle=True))


async def leave(target: MessagePump, manager: TillManager, session: Session) -> None:
    try:
        manager.leave(session)
    except PosError as exc:
        target.post_message(WorkFailed(exc))
    target.post_message(ManagerEnded(idle=False))
