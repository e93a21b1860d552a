"""``pos smoke``: a register checked in seconds, without a screen — one verdict per check, each with its fix.

Rules kept (TILL-CONTRACTS "One register, one writer"): the smoke takes no lock, so it works
while the till is open. The real journal is only opened read-only; real devices are only asked
for their status, or skipped while the till owns them. Its payments run on a sandbox in a
temporary data dir with its own journal and file printer, so no smoke sale enters the real
journal, its receipt numbers or the real printer. Nothing here raises: a check that cannot run
says why, and the report's exit code is 0 only if nothing failed.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pos.config import Settings, TimingSettings
from pos.config.printer import SECTION as PRINTER
from pos.core.addresses import is_loopback
from pos.core.errors import PosError
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.netgiro.client import Timeouts
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings, state_file_in
from pos.services.devices import profile_from_settings
from pos.services.receipts import configured_printer, receipt_format
from pos.services.smoke_devices import (
    SmokeReceipts,
    configured_scanner,
    printer_check,
    scanner_check,
)
from pos.services.smoke_local import (
    data_dir_check,
    journal_checks,
    load_config,
    till_check,
    till_holder,
)
from pos.services.smoke_netgiro import NetgiroTarget, netgiro_check
from pos.services.smoke_payments import SandboxTarget, sandbox_payments
from pos.services.smoke_results import Check, SmokeReport, fail, warn

log = logging.getLogger(__name__)

EMBEDDED = "the embedded sandbox"


@dataclass(frozen=True)
class SmokeOptions:
    """What to check and how fast; tests shorten the poll interval and the deadline."""

    config: Path | None = None
    keep: bool = False
    """Keep the temporary data dir (its journal, log and ESC/POS receipts) and say where."""
    poll_interval_ms: int = 100
    """How often the embedded sandbox asks the till to check a cart."""
    payment_deadline_s: float = 20.0
    """A smoke payment not paid by then is cancelled and fails."""
    netgiro_timeout_s: float = 5.0
    """The longest the Netgíró check waits to connect, and then for the answer."""
    work_root: Path | None = None
    """Where the temporary data dir is made (None: the system's temp folder)."""


async def run_smoke(options: SmokeOptions) -> SmokeReport:
    """Every check, in order: config, till, data dir, journal, devices, Netgíró, payments."""
    started = time.monotonic()
    loaded = load_config(options.config)
    checks = list(loaded.checks)
    read = loaded.read_settings
    if read is None:
        reason = "the config cannot be read (or its [paths] is wrong)"
        checks.append(_not_run("everything else", reason))
        return SmokeReport(tuple(checks), options.config, seconds=time.monotonic() - started)
    holder = till_holder(read.data_dir)
    checks.extend(await _local_checks(read, holder))
    kept = None
    try:
        work = Path(tempfile.mkdtemp(prefix="pos-smoke-", dir=options.work_root))
    except OSError as exc:
        checks.append(
            fail(
                "payment",
                f"no temporary folder for the smoke's own data dir ({exc.strerror}).",
                "Free some space in the temp folder, or point TMPDIR at one with room.",
            )
        )
    else:
        try:
            with _logged_to(work / "pos.log"):
                settings = loaded.settings
                remote = await _guarded("payment", lambda: _remote_checks(settings, options, work))
                checks.extend(remote)
        finally:
            kept = work if options.keep else None
            if not options.keep:
                shutil.rmtree(work, ignore_errors=True)
    seconds = time.monotonic() - started
    return SmokeReport(tuple(checks), options.config, holder, kept, seconds)


async def _local_checks(read: Settings, holder: str | None) -> list[Check]:
    """What this machine holds: the lock, the data dir, the journal (read-only), the devices."""
    till_open = holder is not None
    checks = [till_check(holder)]
    checks.extend(await _guarded("data_dir", _sync(lambda: [data_dir_check(read.data_dir)])))
    checks.extend(
        await _guarded(
            "journal", _sync(lambda: journal_checks(read.journal_file, till_open=till_open))
        )
    )
    checks.extend(await _guarded("devices", _sync(lambda: _device_checks(read, holder))))
    return checks


async def _remote_checks(
    settings: Settings | None, options: SmokeOptions, work: Path
) -> list[Check]:
    """Netgíró with the configured keys, then the sandbox payments (one sandbox for both)."""
    if settings is None:
        reason = "the config has errors that stop the till"
        return [_not_run("netgiro", reason), _not_run("payment", reason)]
    async with _embedded_sandbox_if_needed(settings, options, work) as sandbox:
        target = _netgiro_target(settings, sandbox)
        timeouts = Timeouts(connect=options.netgiro_timeout_s, read=options.netgiro_timeout_s)
        netgiro = await _guarded("netgiro", lambda: _one(netgiro_check(target, timeouts)))
        checks = list(netgiro)
        payments = _payment_target(settings, sandbox)
        if netgiro[0].verdict == "fail" and payments.base_url == target.base_url:
            checks.append(_not_run("payment", "the netgiro check above failed"))
            return checks
        timing = _smoke_timing(options)
        checks.extend(
            await _guarded(
                "payment",
                lambda: sandbox_payments(
                    settings,
                    payments,
                    work / "data",
                    timing,
                    after_paid=SmokeReceipts(receipt_format(settings)),
                ),
            )
        )
        return checks


def _device_checks(settings: Settings, holder: str | None) -> list[Check]:
    till_open = holder is not None
    profile = profile_from_settings(settings.get(PRINTER))
    return [
        printer_check(configured_printer(settings), till_open=till_open, profile=profile),
        scanner_check(configured_scanner(settings), till_open=till_open),
    ]


@asynccontextmanager
async def _embedded_sandbox_if_needed(
    settings: Settings, options: SmokeOptions, work: Path
) -> AsyncIterator[RunningSandbox | None]:
    """A sandbox of the smoke's own, unless the config names one on this machine."""
    if settings.netgiro.base_url is not None and _on_loopback(settings.netgiro.base_url):
        yield None
        return
    sandbox = RunningSandbox(
        SandboxSettings(
            state_file=state_file_in(work),
            port=0,
            poll_interval_ms=options.poll_interval_ms,
        )
    ).start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def _netgiro_target(settings: Settings, sandbox: RunningSandbox | None) -> NetgiroTarget:
    netgiro = settings.netgiro
    if netgiro.base_url is None and sandbox is not None:
        return NetgiroTarget(sandbox.base_url, netgiro.app_key, netgiro.secret_key, EMBEDDED)
    base_url = netgiro.base_url or ""
    return NetgiroTarget(base_url, netgiro.app_key, netgiro.secret_key, _where(base_url))


def _payment_target(settings: Settings, sandbox: RunningSandbox | None) -> SandboxTarget:
    """The configured sandbox on this machine, else the smoke's own (never a real Netgíró)."""
    netgiro = settings.netgiro
    if sandbox is None and netgiro.base_url is not None:
        root = _root(netgiro.base_url)
        where = f"the sandbox at {urlsplit(netgiro.base_url).netloc}"
        return SandboxTarget(netgiro.base_url, root, netgiro.app_key, netgiro.secret_key, where)
    assert sandbox is not None  # started above for every other case
    if netgiro.base_url is None:
        app_key, secret_key, where = netgiro.app_key, netgiro.secret_key, EMBEDDED
    else:  # a real Netgíró is configured: pay on the smoke's sandbox with the public test keys
        app = FIRST_TEST_APPLICATION
        app_key, secret_key = app.app_key, app.secret_key
        where = f"{EMBEDDED}, never the configured Netgíró"
    return SandboxTarget(sandbox.base_url, sandbox.root_url, app_key, secret_key, where)


@contextmanager
def _logged_to(path: Path) -> Iterator[None]:
    """The smoke's own log beside its journal (kept with ``--keep``), never the register's."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("pos")
    level, propagate = root.level, root.propagate
    root.setLevel(logging.INFO)
    # python-escpos calls logging.basicConfig() on import: without this, INFO lines would
    # reach its stderr handler and mix into the report.
    root.propagate = False
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        root.propagate = propagate
        handler.close()


def _smoke_timing(options: SmokeOptions) -> TimingSettings:
    return TimingSettings(
        connect_timeout_s=2.0,
        read_timeout_s=10.0,
        poll_fallback_ms=options.poll_interval_ms,
        backoff_cap_s=1.0,
        deadline_s=options.payment_deadline_s,
        give_up_after_s=5.0,
        code_tries=3,
    )


def _on_loopback(base_url: str) -> bool:
    try:
        return is_loopback(urlsplit(base_url).hostname or "")
    except ValueError:
        return False


def _where(base_url: str) -> str:
    try:
        host = urlsplit(base_url).netloc
    except ValueError:
        host = base_url
    return f"the sandbox at {host}" if _on_loopback(base_url) else f"Netgíró at {host}"


def _root(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}/"


def _not_run(name: str, reason: str) -> Check:
    return warn(name, f"not run: {reason}.", "Fix the failures above, then run `pos smoke` again.")


# --- every check group is guarded: a surprise becomes a failed line, never a traceback ---------


async def _guarded(name: str, run: Callable[[], Awaitable[list[Check]]]) -> list[Check]:
    try:
        return await run()
    except PosError as exc:
        return [fail(name, exc.message, "Fix what it says, then run `pos smoke` again.")]
    except Exception as exc:  # the smoke reports every failure as a line
        log.exception("smoke check %s crashed", name)
        return [
            fail(
                name,
                f"the check itself failed ({type(exc).__name__}: {exc}).",
                "Report this to support with `pos smoke --keep -v`'s output.",
            )
        ]


def _sync(run: Callable[[], list[Check]]) -> Callable[[], Awaitable[list[Check]]]:
    async def wrapped() -> list[Check]:
        return run()

    return wrapped


async def _one(check: Awaitable[Check]) -> list[Check]:
    return [await check]
