"""``pos smoke`` in one process: real sandbox over loopback HTTP, real SQLite files, real config files.

Each check fails once here with its own message; none raises. The real data dir is only read.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.journal import Journal, SaleLine
from pos.journal.migrations import latest_version
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings
from pos.services.smoke import SmokeOptions, run_smoke
from pos.services.smoke_results import Check, SmokeReport

FIXTURE_V1 = Path(__file__).parents[1] / "fixtures" / "journal_v1.sqlite3"
SECRET_ENV = "SMOKE_TEST_SECRET"
PAYMENTS = ("payment.gsm", "payment.ssn", "payment.app_code")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NETGIRO_SECRET_KEY", raising=False)
    monkeypatch.delenv(SECRET_ENV, raising=False)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    settings = SandboxSettings(state_file=tmp_path / "sb" / "sandbox.sqlite3", port=0)
    with RunningSandbox(settings) as running:
        yield running


def fast(tmp_path: Path, config: Path | None = None, **extra: object) -> SmokeOptions:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return SmokeOptions(
        config=config,
        poll_interval_ms=50,
        payment_deadline_s=10.0,
        netgiro_timeout_s=3.0,
        work_root=work,
        **extra,  # type: ignore[arg-type]
    )


def write_config(tmp_path: Path, netgiro: str = "", extra: str = "") -> Path:
    path = tmp_path / "register.toml"
    path.write_text(
        f'[netgiro]\n{netgiro}\n\n[paths]\ndata_dir = "{tmp_path / "data"}"\n{extra}',
        encoding="utf-8",
    )
    return path


def by_name(report: SmokeReport, name: str) -> Check:
    found = [check for check in report.checks if check.name == name]
    assert len(found) == 1, [c.line() for c in report.checks]
    return found[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- passing ---------------------------------------------------------------------------------


async def test_the_embedded_defaults_pass_and_leave_the_real_data_dir_untouched(
    tmp_path: Path,
) -> None:
    report = await run_smoke(fast(tmp_path))

    assert report.exit_code == 0, report.lines()
    assert [c.verdict for c in report.checks] == ["ok"] * len(report.checks)
    names = [c.name for c in report.checks]
    assert names[:7] == ["config", "till", "data_dir", "journal", "printer", "scanner", "netgiro"]
    assert names[7:] == [
        "payment.gsm",
        "receipt.gsm",
        "payment.ssn",
        "receipt.ssn",
        "payment.app_code",
        "receipt.app_code",
    ]
    assert "10201" in by_name(report, "netgiro").message
    assert by_name(report, "netgiro").details["netgiro_signature"]
    assert not (tmp_path / "data").exists()  # no smoke sale, lock or log in the real data dir
    assert list((tmp_path / "work").iterdir()) == []  # its temporary data dir is gone
    assert report.kept is None


async def test_keep_keeps_the_temporary_data_dir_with_its_journal(tmp_path: Path) -> None:
    report = await run_smoke(fast(tmp_path, keep=True))

    assert report.exit_code == 0, report.lines()
    assert report.kept is not None and report.kept.parent == tmp_path / "work"
    with Journal(report.kept / "data" / "journal.sqlite3", read_only=True) as journal:
        sales = journal.recent_sales()
    assert sorted(sale.status for sale in sales) == ["paid"] * 3
    assert (report.kept / "pos.log").exists()
    receipts = sorted((report.kept / "data" / "receipts").glob("*.bin"))
    assert len(receipts) == 3
    for receipt in receipts:
        assert receipt.read_bytes().startswith(b"\x1b@")  # ESC @: the printer's reset
        assert "100" in receipt.with_suffix(".txt").read_text(encoding="utf-8")
    assert any(str(report.kept) in line for line in report.lines())


async def test_a_configured_loopback_sandbox_takes_the_three_payments(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    config = write_config(tmp_path, f'base_url = "{sandbox.base_url}"\nconfirmation = "automatic"')

    report = await run_smoke(fast(tmp_path, config))

    assert report.exit_code == 0, report.lines()
    for name in PAYMENTS:
        assert f"127.0.0.1:{sandbox.port}" in by_name(report, name).message
        assert "automatic confirmation" in by_name(report, name).message
    carts = httpx.get(f"{sandbox.root_url}sandbox/carts", timeout=5).json()
    assert sorted(cart["Kind"] for cart in carts) == ["app_code", "gsm", "ssn"]
    assert {cart["Status"] for cart in carts} == {"paid"}
    assert {cart["Amount"] for cart in carts} == {100}


async def test_a_sandbox_payment_that_ends_unpaid_fails_with_its_state(tmp_path: Path) -> None:
    # A cart waiting for the customer has expired by its next call; an app code is approved
    # at insert, so it still pays.
    settings = SandboxSettings(
        state_file=tmp_path / "sb" / "sandbox.sqlite3", port=0, cart_ttl_s=0.0
    )
    with RunningSandbox(settings) as short_lived:
        config = write_config(tmp_path, f'base_url = "{short_lived.base_url}"')

        report = await run_smoke(fast(tmp_path, config))

    verdicts = {name: by_name(report, name).verdict for name in PAYMENTS}
    assert verdicts == {"payment.gsm": "fail", "payment.ssn": "fail", "payment.app_code": "ok"}
    gsm = by_name(report, "payment.gsm")
    assert "ended CANCELLED" in gsm.message and "pos pay" in gsm.fix
    assert "receipt.gsm" not in [c.name for c in report.checks]


# --- each check fails once, with its own message -----------------------------------------------


async def test_a_wrong_secret_fails_the_netgiro_check_with_401(
    tmp_path: Path, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "not-the-secret-at-all")
    app_key = FIRST_TEST_APPLICATION.app_key
    config = write_config(
        tmp_path,
        f'base_url = "{sandbox.base_url}"\napp_key = "{app_key}"\nsecret_key_env = "{SECRET_ENV}"',
    )

    report = await run_smoke(fast(tmp_path, config))

    netgiro = by_name(report, "netgiro")
    assert netgiro.verdict == "fail"
    assert "HTTP 401" in netgiro.message
    assert "netgiro.app_key" in netgiro.fix and "secret" in netgiro.fix
    assert by_name(report, "payment").verdict == "warn"  # same server, same keys: not run
    assert report.failed == (netgiro,)
    assert report.exit_code == 1
    assert "not-the-secret-at-all" not in json.dumps(report.as_json())


async def test_a_dead_netgiro_url_fails_as_unreachable(tmp_path: Path) -> None:
    config = write_config(tmp_path, f'base_url = "http://127.0.0.1:{free_port()}/v1/"')

    report = await run_smoke(fast(tmp_path, config))

    netgiro = by_name(report, "netgiro")
    assert netgiro.verdict == "fail"
    assert "cannot be reached" in netgiro.message
    assert "netgiro.base_url" in netgiro.fix
    assert report.failed == (netgiro,)


async def test_a_real_netgiro_is_never_paid_on_the_smoke_pays_on_its_own_sandbox(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, 'base_url = "https://netgiro.invalid/v1/"')

    report = await run_smoke(fast(tmp_path, config))

    assert by_name(report, "netgiro").verdict == "fail"
    for name in PAYMENTS:
        check = by_name(report, name)
        assert check.verdict == "ok"
        assert "embedded sandbox, never the configured Netgíró" in check.message


async def test_an_unwritable_printer_path_fails_the_printer_check(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")  # even root cannot write under it
    config = write_config(tmp_path, extra=f'\n[printer]\nkind = "file"\nfolder = "{blocker}"\n')

    report = await run_smoke(fast(tmp_path, config))

    printer = by_name(report, "printer")
    assert printer.verdict == "fail" and "cannot write its test print" in printer.message
    assert "printer.folder" in printer.fix
    assert [c.name for c in report.failed] == ["printer"], report.lines()
    assert by_name(report, "receipt.gsm").verdict == "ok"  # smoke sales print in their own dir


async def test_a_missing_serial_port_fails_the_scanner_check(tmp_path: Path) -> None:
    gone = tmp_path / "ttyACM-gone"
    config = write_config(tmp_path, extra=f'\n[scanner]\nkind = "serial"\nport = "{gone}"\n')

    report = await run_smoke(fast(tmp_path, config))

    scanner = by_name(report, "scanner")
    assert scanner.verdict == "fail" and str(gone) in scanner.message
    assert "scanner.port" in scanner.fix
    assert [c.name for c in report.failed] == ["scanner"], report.lines()


async def test_a_network_printer_that_refuses_fails_as_unreachable(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        extra=f'\n[printer]\nkind = "network"\nhost = "127.0.0.1"\nport = {free_port()}\n'
        "timeout_s = 1\n",
    )

    report = await run_smoke(fast(tmp_path, config))

    printer = by_name(report, "printer")
    assert printer.verdict == "fail" and "unreachable" in printer.message
    assert "printer.host" in printer.fix


async def test_a_config_error_that_stops_the_till_fails_and_skips_netgiro(tmp_path: Path) -> None:
    config = write_config(tmp_path, extra='\n[register]\nstore_id = "far-too-long"\n')

    report = await run_smoke(fast(tmp_path, config))

    (config_check,) = [c for c in report.failed if c.name == "config"]
    assert "store_id" in config_check.message and config_check.fix
    assert config_check.details["key"] == "register.store_id"
    assert by_name(report, "netgiro").verdict == "warn"
    assert by_name(report, "data_dir").verdict == "ok"  # the read-only checks still run
    assert report.exit_code == 1


async def test_a_missing_config_file_fails_and_nothing_else_runs(tmp_path: Path) -> None:
    report = await run_smoke(fast(tmp_path, tmp_path / "nowhere.toml"))

    assert [c.verdict for c in report.checks] == ["fail", "warn"], report.lines()
    assert "does not exist" in report.checks[0].message and report.checks[0].fix
    assert report.exit_code == 1


async def test_a_degraded_section_only_warns(tmp_path: Path) -> None:
    config = write_config(tmp_path, extra='\n[store]\nname = "Búðin"\nkennitala = "12"\n')

    report = await run_smoke(fast(tmp_path, config))

    assert any(
        c.name == "config" and c.verdict == "warn" and "degraded" in c.message
        for c in report.checks
    ), report.lines()
    assert report.exit_code == 0, report.lines()


async def test_a_data_dir_that_is_a_file_fails(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")

    report = await run_smoke(fast(tmp_path))

    check = by_name(report, "data_dir")
    assert check.verdict == "fail"
    assert "is not a folder" in check.message and "paths.data_dir" in check.fix


# --- the real journal, read-only -----------------------------------------------------------------


def _journal_file(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    return tmp_path / "data" / "journal.sqlite3"


async def test_an_older_journal_warns_to_open_the_till_and_stays_byte_for_byte(
    tmp_path: Path,
) -> None:
    journal_file = _journal_file(tmp_path)
    shutil.copyfile(FIXTURE_V1, journal_file)
    before = journal_file.read_bytes()

    report = await run_smoke(fast(tmp_path))

    schema = by_name(report, "journal.schema")
    assert schema.verdict == "warn"
    assert "version 1" in schema.message and "open the till" in schema.fix.lower()
    assert by_name(report, "journal.integrity").verdict == "ok"
    assert journal_file.read_bytes() == before
    assert report.exit_code == 0, report.lines()


async def test_a_newer_journal_fails(tmp_path: Path) -> None:
    journal_file = _journal_file(tmp_path)
    Journal(journal_file).close()
    with sqlite3.connect(journal_file) as db:
        db.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (latest_version() + 1,)
        )
    db.close()

    report = await run_smoke(fast(tmp_path))

    schema = by_name(report, "journal.schema")
    assert schema.verdict == "fail" and "newer" in schema.message
    assert report.exit_code == 1


async def test_a_damaged_journal_fails_and_names_salvage(tmp_path: Path) -> None:
    journal_file = _journal_file(tmp_path)
    Journal(journal_file).close()
    data = bytearray(journal_file.read_bytes())
    data[200:4096] = b"\xff" * (4096 - 200)  # the first page's btree: SQLite calls it malformed
    journal_file.write_bytes(bytes(data))

    report = await run_smoke(fast(tmp_path))

    failed = [c for c in report.failed if c.name.startswith("journal")]
    assert len(failed) == 1, report.lines()
    assert "damaged" in failed[0].message or "malformed" in failed[0].message
    assert "salvage" in failed[0].fix or "support" in failed[0].fix


async def test_open_attempts_unsettled_sales_and_stuck_print_jobs_warn(tmp_path: Path) -> None:
    journal_file = _journal_file(tmp_path)
    _journal_with_open_work(journal_file)

    report = await run_smoke(fast(tmp_path))

    open_attempts = by_name(report, "journal.open_attempts")
    assert open_attempts.verdict == "warn" and "pos recover" in open_attempts.fix
    sales = by_name(report, "journal.sales")
    assert sales.verdict == "warn" and "1 sale(s) need a manager" in sales.message
    assert "--settle" in sales.fix
    jobs = by_name(report, "journal.print_jobs")
    assert jobs.verdict == "warn"
    assert "1 print job(s) queued" in jobs.message and "1 uncertain" in jobs.message
    assert "AFRIT" in jobs.fix
    assert report.exit_code == 0, report.lines()


def _journal_with_open_work(journal_file: Path) -> None:
    from pos.core.checkout import CustomerKind, start
    from pos.core.result_codes import ConfirmationType

    with Journal(journal_file) as journal:
        line = [SaleLine("keyed", "Keyed amount", 500, 1000, 500)]
        open_sale, manager_sale, printed_sale = (journal.create_sale("R1", line) for _ in "abc")
        state, _ = start(CustomerKind.GSM, ConfirmationType.MANUAL)
        journal.begin_attempt(open_sale, "***-**81", state)
    with sqlite3.connect(journal_file) as db:
        db.execute("UPDATE sales SET status = 'manager' WHERE id = ?", (manager_sale,))
        for sale, status in ((printed_sale, "queued"), (manager_sale, "uncertain")):
            db.execute(
                "INSERT INTO print_jobs (sale_id, kind, status, snapshot, created_at) "
                "VALUES (?, 'receipt', ?, '{}', '2026-12-01T00:00:00Z')",
                (sale, status),
            )
    db.close()
