"""The composition root: builds the till's parts from settings, for the CLI, the smoke test and tests.

With no Netgíró configured it starts the embedded sandbox on a loopback port with the default
state file and the first public test application: no network, no setup.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pos.config import Settings
from pos.core.errors import PosError
from pos.journal import Journal
from pos.netgiro.client import NetgiroClient, Timeouts
from pos.netgiro.nonce import MonotonicNonce
from pos.services.checkout_runner import CheckoutRunner, RunnerTiming
from pos.services.lock_holder import lock_holder
from pos.services.private_files import private_dir, private_file
from pos.services.status import CheckoutView

if TYPE_CHECKING:
    from pos.netgiro.sandbox.server import RunningSandbox

NONCE_BLOCK = 600_000_000  # 60 s of 100 ns ticks: one journal write a minute, not one a request


@dataclass
class Till:
    """The parts one register process works with."""

    settings: Settings
    journal: Journal
    client: NetgiroClient
    runner: CheckoutRunner
    sandbox: RunningSandbox | None


def runner_timing(settings: Settings) -> RunnerTiming:
    timing = settings.timing
    return RunnerTiming(
        deadline_s=timing.deadline_s,
        give_up_after_s=timing.give_up_after_s,
        backoff_cap_s=timing.backoff_cap_s,
        poll_fallback_ms=timing.poll_fallback_ms,
        code_tries=timing.code_tries,
        call_total_s=timing.call_total_s,
    )


def journal_backed_nonce(journal: Journal) -> Callable[[], str]:
    """Nonces that rise across restarts even if the clock steps back: blocks are reserved ahead."""
    reserved = journal.nonce_floor()

    def on_issue(value: int) -> None:
        nonlocal reserved
        if value >= reserved:
            reserved = value + NONCE_BLOCK
            journal.reserve_nonces(reserved)

    source = MonotonicNonce(last=reserved, on_issue=on_issue)
    return source.next


def receipt_header(settings: Settings) -> dict[str, object]:
    """``[store]`` as each paid sale's receipt snapshot keeps it (a reprint never changes)."""
    store = settings.store
    return {
        "name": store.name,
        "address": store.address,
        "kennitala": store.kennitala,
        "vsk_number": store.vsk_number,
    }


@contextmanager
def register_lock(data_dir: Path) -> Iterator[None]:
    """One process drives a register's payments: another one's recovery would cancel them."""
    lock_file = private_file(private_dir(data_dir) / "register.lock")
    with open(lock_file, "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = lock_holder(lock_file)
            doing = "the till" if holder.is_till else f"`pos {holder.command}`"
            raise PosError(
                f"This register is busy: {doing} (pid {holder.pid}) holds it. Wait for it "
                "to finish, or stop it; nothing was sent.",
                "Register busy",
            ) from exc
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        yield  # the kernel releases the lock if this process dies


@asynccontextmanager
async def open_till(
    settings: Settings,
    *,
    announce: Callable[[str], None] = lambda line: None,
    on_update: Callable[[CheckoutView], None] | None = None,
) -> AsyncIterator[Till]:
    """Open the journal, the Netgíró client (and the embedded sandbox when none is configured)."""
    with register_lock(settings.data_dir):
        async with _parts(settings, announce, on_update) as till:
            yield till


@asynccontextmanager
async def _parts(
    settings: Settings,
    announce: Callable[[str], None],
    on_update: Callable[[CheckoutView], None] | None,
) -> AsyncIterator[Till]:
    sandbox = None
    base_url = settings.netgiro.base_url
    if base_url is None:
        # starlette and uvicorn: only for a till on the embedded sandbox, not at every start
        from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings, state_file_in

        sandbox = RunningSandbox(
            SandboxSettings(state_file=state_file_in(settings.data_dir), port=0)
        ).start()
        base_url = sandbox.base_url
        announce(
            f"Embedded Netgíró sandbox at {sandbox.base_url}\n"
            f"Play the customer's phone at {sandbox.customer_page_url}"
        )
    journal = Journal(
        settings.journal_file,
        store_id=settings.register.store_id,
        receipt_header=receipt_header(settings),
    )
    timing = settings.timing
    client = NetgiroClient(
        base_url,
        settings.netgiro.app_key,
        settings.netgiro.secret_key,
        timeouts=Timeouts(
            connect=timing.connect_timeout_s,
            read=timing.read_timeout_s,
            call_total=timing.call_total_s,
        ),
        nonce=journal_backed_nonce(journal),
    )
    runner = CheckoutRunner(client, journal, runner_timing(settings), on_update=on_update)
    try:
        yield Till(settings, journal, client, runner, sandbox)
    finally:
        await client.aclose()
        journal.close()
        if sandbox is not None:
            sandbox.stop()
