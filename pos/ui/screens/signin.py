"""Name and PIN: a cashier's sign-in at shift start, manager mode (F9), a manager's approval.

The PIN is never echoed; the check (scrypt, audited, lockout counted in the journal) runs in a
worker that posts ``PinAccepted`` or ``PinRefused``. A cashier's sign-in cannot be escaped: no
sale starts before someone signs in. Enter never answers for a blank field (a scanner sends one).
"""

from __future__ import annotations

import contextlib
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from pos.core.errors import PosError
from pos.core.sale import Discount
from pos.services.manager_auth import Session
from pos.services.till_manager import SignInRefused, TillManager
from pos.ui.messages import WorkFailed
from pos.ui.text import Messages
from pos.ui.widgets.entry_line import EntryLine

Purpose = Literal["cashier", "manager", "discount"]
TITLES = {
    "cashier": "manager.pin.title_cashier",
    "manager": "manager.pin.title",
    "discount": "manager.pin.title_discount",
}


class PinAccepted(Message):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session


class PinRefused(Message):
    def __init__(self, refusal: SignInRefused, name: str) -> None:
        super().__init__()
        self.refusal = refusal
        self.name = name


async def check_pin(
    target: MessagePump, manager: TillManager, name: str, pin: str, purpose: Purpose
) -> None:
    """The worker: signs in (audited either way) and posts what came of it."""
    try:
        if purpose == "cashier":
            session = manager.sign_in_cashier(name, pin)
        else:
            session = manager.enter_manager_mode(name, pin)
    except SignInRefused as refusal:
        target.post_message(PinRefused(refusal, name))
        return
    target.post_message(PinAccepted(session))


class DiscountApproved(Message):
    """A manager approved a discount above the limit; it is on the sale now."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


async def approve_discount(
    target: MessagePump, manager: TillManager, session: Session, discount: Discount, on_line: bool
) -> None:
    """The worker after a manager's PIN: the discount given and audited, then the manager out."""
    try:
        manager.approve_discount(session, discount, on_line=on_line)
    except PosError as exc:
        target.post_message(WorkFailed(exc))
    else:
        target.post_message(DiscountApproved(session.person.name))
    finally:
        with contextlib.suppress(PosError):
            manager.leave(session)


def refusal_text(say: Messages, refusal: SignInRefused, name: str) -> str:
    """A refusal in the screen's words: tries left, how long a lock lasts."""
    if refusal.kind == "wrong" and refusal.tries_left is not None:
        return say("manager.pin.wrong_tries", tries=refusal.tries_left, name=name)
    if refusal.kind == "locked":
        return say("manager.pin.locked", name=name, minutes=refusal.minutes or 30)
    if refusal.kind == "people_file":
        return say("manager.pin.people_file", detail=refusal.message)
    return say(f"manager.pin.{refusal.kind}", name=name)


class PinScreen(ModalScreen[Session | None]):
    """Dismisses with the signed-in session, or None on Esc (never for a cashier's sign-in)."""

    BINDINGS = [Binding("escape", "close", "keys.manager.leave", priority=True)]  # noqa: RUF012

    def __init__(self, messages: Messages, manager: TillManager, purpose: Purpose) -> None:
        super().__init__()
        self.say = messages
        self.manager = manager
        self.purpose: Purpose = purpose
        self.checking = False

    def compose(self) -> ComposeResult:
        say = self.say
        with Vertical(id="pin-box"):
            yield Static(say(TITLES[self.purpose]), id="pin-title")
            if self.purpose == "cashier":
                yield Static(say("manager.pin.hint_cashier"), id="pin-hint")
            yield EntryLine(placeholder=say("manager.pin.name"), id="pin-name")
            yield EntryLine(placeholder=say("manager.pin.pin"), id="pin-pin", password=True)
            yield Static("", id="pin-notice")
            keys = "manager.pin.keys_cashier" if self.purpose == "cashier" else "manager.pin.keys"
            yield Static(say(keys), id="pin-keys")

    def on_mount(self) -> None:
        self.query_one("#pin-name").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return self.purpose != "cashier"
        return True

    @on(Input.Submitted, "#pin-name")
    def name_entered(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.query_one("#pin-pin").focus()

    @on(Input.Submitted, "#pin-pin")
    def pin_entered(self, event: Input.Submitted) -> None:
        name = self.query_one("#pin-name", EntryLine).value.strip()
        pin = event.value
        if not name:
            self.query_one("#pin-name").focus()
            return
        if not pin or self.checking:
            return
        self.checking = True
        self.query_one("#pin-notice", Static).update(self.say("manager.pin.checking"))
        work = check_pin(self, self.manager, name, pin, self.purpose)
        self.run_worker(work, name="pin", exit_on_error=False)

    @on(PinAccepted)
    def accepted(self, message: PinAccepted) -> None:
        self.dismiss(message.session)

    @on(PinRefused)
    def refused(self, message: PinRefused) -> None:
        pin = self.query_one("#pin-pin", EntryLine)
        pin.take()
        notice = self.query_one("#pin-notice", Static)
        text = refusal_text(self.say, message.refusal, message.name)
        wait = message.refusal.wait_s
        if wait:  # the last manager who can enter is slowed down, never locked
            text += " " + self.say("manager.pin.wait", seconds=wait)
            self.set_timer(wait, self._wait_over)
        else:
            self.checking = False
        notice.update(text)
        notice.set_class(True, "error")
        pin.focus()

    def _wait_over(self) -> None:
        self.checking = False
        self.query_one("#pin-notice", Static).update(self.say("manager.pin.try_again"))

    def action_close(self) -> None:
        self.dismiss(None)
