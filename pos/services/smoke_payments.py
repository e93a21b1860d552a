"""``pos smoke``'s sandbox payments: GSM, SSN and app code, each paid end to end in a throwaway data dir.

Each goes through the till's own parts (``open_till``, ``CheckoutRunner``, loopback HTTP) with
the sandbox's control API playing the customer's phone: it accepts the push, reads the SMS code,
hands out an app code. The data dir is temporary, with its own journal and lock: no smoke sale
enters the real journal, its receipt numbers or the real printer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from pos.config import DEFAULT_LISTEN, PathsSettings, Settings, TimingSettings
from pos.core.checkout import Phase
from pos.core.customer_ids import parse_customer_id
from pos.core.errors import PosError
from pos.core.public_test_data import TEST_GSM_NUMBERS, TEST_SSN_UNLIMITED_CREDIT
from pos.services.payment import CONFIRMATIONS, take_keyed_payment
from pos.services.smoke_netgiro import tls_context
from pos.services.smoke_results import Check, fail, ok
from pos.services.status import CheckoutView
from pos.services.wiring import Till, open_till

SMOKE_AMOUNT = 100  # krónur: small, and plainly a test on any report
KINDS = ("gsm", "ssn", "app_code")
CONTROL_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class SandboxTarget:
    """A sandbox to pay on: its Netgíró API, its control API (``root``) and the keys to sign with."""

    base_url: str
    root: str
    app_key: str
    secret_key: str
    where: str


class SandboxControl:
    """The customer's phone, played through the sandbox's control API."""

    def __init__(self, root: str) -> None:
        self._http = httpx.AsyncClient(
            base_url=root, timeout=CONTROL_TIMEOUT_S, verify=tls_context()
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def serving(self) -> bool:
        try:
            answer = await self._http.get("sandbox/health")
        except httpx.HTTPError:
            return False
        return answer.status_code == httpx.codes.OK

    async def accept(self, transaction_id: str) -> None:
        (await self._http.post(f"sandbox/carts/{transaction_id}/accept")).raise_for_status()

    async def sms_code(self, transaction_id: str) -> str:
        answer = await self._http.get("sandbox/carts")
        answer.raise_for_status()
        for cart in answer.json():
            if cart.get("TransactionId") == transaction_id and cart.get("SmsCode"):
                return str(cart["SmsCode"])
        raise PosError(f"The sandbox lists no SMS code for cart {transaction_id}.", "Smoke")

    async def app_code(self) -> str:
        answer = await self._http.post("sandbox/app-codes")
        answer.raise_for_status()
        return str(answer.json()["AppCode"])


def smoke_settings(
    settings: Settings, target: SandboxTarget, data_dir: Path, timing: TimingSettings
) -> Settings:
    """The register's settings pointed at the sandbox and a temporary data dir.

    The callback receiver (callback confirmation) listens on any free loopback port, never the
    configured one: the open till may hold it.
    """
    netgiro = replace(
        settings.netgiro,
        base_url=target.base_url,
        app_key=target.app_key,
        secret_key=target.secret_key,
        callback_url=None,
        callback_listen=DEFAULT_LISTEN,
    )
    sections = {
        **settings.sections,
        "netgiro": netgiro,
        "timing": timing,
        "paths": PathsSettings(data_dir),
    }
    return replace(settings, netgiro=netgiro, timing=timing, data_dir=data_dir, sections=sections)


class _Phone:
    """Hands each checkout update to the customer playing the current payment."""

    def __init__(self) -> None:
        self.views: asyncio.Queue[CheckoutView] = asyncio.Queue()

    def on_update(self, view: CheckoutView) -> None:
        self.views.put_nowait(view)

    def next_payment(self) -> None:
        self.views = asyncio.Queue()


async def sandbox_payments(
    settings: Settings,
    target: SandboxTarget,
    data_dir: Path,
    timing: TimingSettings,
    *,
    after_paid: Callable[[Till, str], Check] | None = None,
) -> list[Check]:
    """One full payment of each kind; ``after_paid(till, kind)`` prints its receipt."""
    control = SandboxControl(target.root)
    try:
        if not await control.serving():
            return [
                fail(
                    "payment",
                    f"{target.where} has no sandbox control API (GET /sandbox/health).",
                    "Point netgiro.base_url at a `pos sandbox`, or leave it out for the "
                    "embedded one.",
                )
            ]
        phone = _Phone()
        temporary = smoke_settings(settings, target, data_dir, timing)
        async with open_till(temporary, on_update=phone.on_update) as till:
            checks = []
            for kind in KINDS:
                phone.next_payment()
                checks.append(await _one_payment(till, kind, control, phone, target.where))
                if checks[-1].verdict == "ok" and after_paid is not None:
                    checks.append(after_paid(till, kind))
            return checks
    finally:
        await control.aclose()


async def _one_payment(
    till: Till, kind: str, control: SandboxControl, phone: _Phone, where: str
) -> Check:
    name = f"payment.{kind}"
    try:
        customer = parse_customer_id(await _customer_text(kind, control), sandbox=True, kind=kind)
    except (PosError, httpx.HTTPError, KeyError, ValueError) as exc:
        return fail(name, f"{where} gave no test customer: {_why(exc)}.", _FIX)
    player = asyncio.create_task(_play_customer(kind, phone, control, till))
    try:
        confirmation = CONFIRMATIONS[till.settings.netgiro.confirmation]
        result = await take_keyed_payment(
            till, SMOKE_AMOUNT, customer.customer, confirmation, announce=lambda line: None
        )
    except PosError as exc:
        await _stopped(player)
        return fail(name, f"{customer.customer.masked} on {where}: {exc.message}", _FIX)
    problem = await _stopped(player)
    attempt = result.attempt
    if attempt is None:  # a stopping runner starts no sale
        return fail(name, f"{customer.customer.masked} on {where}: no sale was started.", _FIX)
    state = attempt.state
    if state.phase is Phase.PAID:
        return ok(
            name,
            f"{customer.customer.masked} paid {SMOKE_AMOUNT} kr. on {where} with "
            f"{till.settings.netgiro.confirmation} confirmation: invoice {state.invoice_number}",
            reference=attempt.reference,
            TransactionId=state.transaction_id,
            invoice_number=state.invoice_number,
        )
    said = f"{state.phase.value}: {state.note}" if state.note else state.phase.value
    if problem is not None:
        said += f" (the customer's phone failed: {_why(problem)})"
    return fail(name, f"{customer.customer.masked} on {where} ended {said}.", _FIX)


_FIX = (
    "Check the netgiro line above; run `pos smoke --keep -v` and read the kept pos.log, or pay "
    "by hand with `pos pay 100 8223281` against `pos sandbox`."
)


async def _customer_text(kind: str, control: SandboxControl) -> str:
    if kind == "gsm":
        return TEST_GSM_NUMBERS[0]
    if kind == "ssn":
        return TEST_SSN_UNLIMITED_CREDIT
    return await control.app_code()


async def _play_customer(kind: str, phone: _Phone, control: SandboxControl, till: Till) -> None:
    """Accept the push (GSM) or key in the SMS code (SSN) once; the app code needs nothing."""
    acted = False
    try:
        while True:
            view = await phone.views.get()
            if view.is_final:
                return
            if acted or view.transaction_id is None:
                continue
            if kind == "gsm" and view.phase is Phase.PENDING:
                await control.accept(view.transaction_id)
                acted = True
            elif view.needs_code:
                till.runner.enter_code(await control.sms_code(view.transaction_id))
                acted = True
    except (PosError, httpx.HTTPError, KeyError, ValueError):
        till.runner.press_cancel()  # do not leave the cart waiting until its deadline
        raise


async def _stopped(player: asyncio.Task[None]) -> BaseException | None:
    """Stop the customer's phone; what went wrong on it, if anything did."""
    player.cancel()
    try:
        await player
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise  # the smoke itself is stopping: never swallowed with the phone's
        return None
    except Exception as exc:  # reported as the payment's reason, not raised
        return exc
    return None


def _why(exc: BaseException) -> str:
    if isinstance(exc, PosError):
        return exc.message
    return str(exc) or type(exc).__name__
