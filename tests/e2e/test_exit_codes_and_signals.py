"""Issue 14 items 3, 7 and 8 with real ``pos`` processes against a scripted Netgíró on loopback.

The exit code of ``pos pay`` must always match the last durable state in the journal (0 paid,
1 a durable cancel or decline, 2 anything else), whatever happens: signals at odd moments, a
terminal that goes away, a disk that fills up. The journal is read after each run to check.
"""

from __future__ import annotations

import contextlib
import random
import resource
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pos.core.checkout import Phase
from pos.journal import Journal
from pos.services.payment import exit_code_for
from tests.e2e.harness import POS, child_env, finish, run_pos, start_pos, wait_until, write_config
from tests.support.scripted_netgiro import (
    OTHER_TX,
    Reply,
    Script,
    ScriptedNetgiro,
    by_call,
    cart,
    inserted,
    scripted_netgiro,
    sequence,
)

CUSTOMER = "8223281"


@contextmanager
def counter(
    tmp_path: Path, script: Script, **timing: float
) -> Iterator[tuple[ScriptedNetgiro, Path, Path]]:
    with scripted_netgiro(script) as server:
        data_dir = tmp_path / "data"
        config = write_config(tmp_path / "register.toml", server.base_url, data_dir, **timing)  # type: ignore[arg-type]
        yield server, config, data_dir


def pay_args(config: Path, amount: str = "1990") -> list[str]:
    return ["pay", amount, CUSTOMER, "--config", str(config)]


def durable_phases(data_dir: Path) -> list[Phase]:
    """Every attempt's committed phase, newest first; none if no journal could be made."""
    path = data_dir / "journal.sqlite3"
    if not path.exists():
        return []
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        try:
            rows = db.execute("SELECT phase FROM attempts ORDER BY id DESC").fetchall()
        except sqlite3.OperationalError:  # the disk filled up before the schema was written
            return []
    return [Phase(phase) for (phase,) in rows]


def expected_exit(data_dir: Path) -> int:
    """What the exit code must be: from the newest attempt's durable state (none: 2)."""
    phases = durable_phases(data_dir)
    return exit_code_for(phases[0] if phases else None)


WAITING = by_call(InsertCart=inserted(), CheckCart=cart(10425), CancelCart=cart(10201))


def test_one_ctrl_c_cancels_this_sale_and_exits_1(tmp_path: Path) -> None:
    with counter(tmp_path, WAITING) as (server, config, data_dir):
        process = start_pos(pay_args(config), data_dir)
        wait_until(lambda: server.count("CheckCart") >= 1, what="the first CheckCart")
        process.send_signal(signal.SIGINT)
        done = finish(process, timeout=30)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert durable_phases(data_dir) == [Phase.CANCELLED]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_or_sighup_while_waiting_stops_and_leaves_the_attempt_to_recovery(
    tmp_path: Path, sig: signal.Signals
) -> None:
    with counter(tmp_path, WAITING) as (server, config, data_dir):
        process = start_pos(pay_args(config), data_dir)
        wait_until(lambda: server.count("CheckCart") >= 1, what="the first CheckCart")
        process.send_signal(sig)
        done = finish(process, timeout=30)
        assert server.count("CancelCart") == 0
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert durable_phases(data_dir)[0] in {Phase.PENDING}


def test_three_quick_ctrl_cs_exit_by_the_durable_state_never_by_the_signal(
    tmp_path: Path,
) -> None:
    with counter(tmp_path, WAITING) as (server, config, data_dir):
        process = start_pos(pay_args(config), data_dir)
        wait_until(lambda: server.count("CheckCart") >= 1, what="the first CheckCart")
        for _ in range(3):
            process.send_signal(signal.SIGINT)
            time.sleep(0.02)
        done = finish(process, timeout=30)
    assert done.returncode in (1, 2), done.stderr
    assert done.returncode == expected_exit(data_dir)
    assert "Traceback" not in done.stderr


def test_stdout_and_stderr_closed_mid_payment_do_not_change_a_paid_exit(tmp_path: Path) -> None:
    paid_later = by_call(
        InsertCart=inserted(),
        CheckCart=sequence(cart(10425), cart(10425), cart(10426)),
        ConfirmCart=cart(10200),
    )
    with counter(tmp_path, paid_later) as (server, config, data_dir):
        process = subprocess.Popen(
            [*POS, *pay_args(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(data_dir),
        )
        assert process.stdout is not None and process.stderr is not None
        wait_until(lambda: server.count("CheckCart") >= 1, what="the first CheckCart")
        process.stdout.close()  # the terminal goes away while the customer decides
        process.stderr.close()
        assert process.wait(timeout=30) == 0
        assert server.count("ConfirmCart") == 1
    assert durable_phases(data_dir) == [Phase.PAID]


def test_ctrl_c_during_recovery_finishes_the_recovered_confirm_and_starts_no_sale(
    tmp_path: Path,
) -> None:
    confirm_hangs = by_call(
        InsertCart=inserted(), CheckCart=cart(10426), ConfirmCart=Reply(hang=True)
    )
    with counter(tmp_path / "first", confirm_hangs) as (server, config, data_dir):
        process = start_pos(pay_args(config), data_dir)
        wait_until(lambda: server.count("ConfirmCart") >= 1, what="ConfirmCart")
        process.kill()
        finish(process, timeout=30)
    assert durable_phases(data_dir) == [Phase.CONFIRMING]
    slow_check = Reply(cart(10426).body, drip_s=0.004)  # ~1 s: well inside call_total_s
    finishing = by_call(CheckCart=slow_check, ConfirmCart=cart(10200), CancelCart=cart(10201))
    with scripted_netgiro(finishing) as server:
        config = write_config(tmp_path / "second.toml", server.base_url, data_dir)
        process = start_pos(pay_args(config), data_dir)
        wait_until(lambda: server.count("CheckCart") >= 1, what="recovery's CheckCart")
        process.send_signal(signal.SIGINT)
        done = finish(process, timeout=30)
        assert server.count("CancelCart") == 0
        assert server.count("InsertCart") == 0  # the new sale never started
    assert durable_phases(data_dir) == [Phase.PAID], done.stderr
    assert done.returncode == 2, done.stderr
    assert "not start" in done.stderr


def test_needs_review_is_listed_everywhere_and_settled_by_hand(tmp_path: Path) -> None:
    elsewhere = by_call(
        InsertCart=inserted(), CheckCart=cart(10200, info={"TransactionId": OTHER_TX})
    )
    with counter(tmp_path, elsewhere, backoff_cap_s=0.05) as (_server, config, data_dir):
        paid = run_pos(pay_args(config), data_dir, timeout=60)
        assert paid.returncode == 2, paid.stderr
        assert durable_phases(data_dir) == [Phase.NEEDS_REVIEW]
        listed = run_pos(["journal", "--config", str(config)], data_dir)
        assert "NEEDS SETTLING" in listed.stdout and "TransactionId" in listed.stdout
        recovered = run_pos(["recover", "--config", str(config)], data_dir)
        assert "NEEDS SETTLING" in recovered.stdout
        again = run_pos(pay_args(config), data_dir, timeout=60)  # a new sale is fine
        with Journal(data_dir / "journal.sqlite3", read_only=True) as journal:
            sale = [s for s in journal.recent_sales(10) if s.status == "manager"][-1]
            reference = sale.attempts[-1].reference
        assert reference in listed.stdout and reference in recovered.stdout
        no_reason = run_pos(
            ["recover", "--config", str(config), "--settle", reference, "paid"], data_dir
        )
        assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
        settled = run_pos(
            ["recover", "--config", str(config), "--settle", reference, "paid", "--reason",
             "The portal shows it paid"],
            data_dir,
        )  # fmt: skip
        assert settled.returncode == 0, settled.stderr
        assert again.returncode == 2
    with Journal(data_dir / "journal.sqlite3", read_only=True) as journal:
        attempt = journal.attempt_by_reference(reference)
        assert attempt is not None
        assert journal.sale(attempt.sale_id).status == "paid"
        notes = [str(event["note"]) for event in journal.attempt_events(attempt.id)]
        assert any("The portal shows it paid" in note for note in notes)


# --- the sweeps: slow, many processes ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_ctrl_c_at_a_random_moment_in_the_first_two_seconds(tmp_path: Path, seed: int) -> None:
    """From the moment the till's own code runs (its log exists): the interpreter's start-up
    before that, which takes longer on a loaded machine, is beyond any program's reach."""
    paid_later = by_call(
        InsertCart=inserted(),
        CheckCart=sequence(cart(10425), cart(10425), cart(10426)),
        ConfirmCart=cart(10200),
        CancelCart=cart(10201),
    )
    with counter(tmp_path, paid_later) as (_server, config, data_dir):
        process = start_pos(pay_args(config), data_dir)
        wait_until((data_dir / "pos.log").exists, what="the till's log")
        time.sleep(random.Random(seed).uniform(0.0, 1.9))
        process.send_signal(signal.SIGINT)
        done = finish(process, timeout=60)
    assert done.returncode == expected_exit(data_dir), (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.slow
@pytest.mark.parametrize("kib", [48, 96, 160, 200, 240, 320])
def test_a_disk_that_fills_up_mid_payment_exits_by_the_durable_state(
    tmp_path: Path, kib: int
) -> None:
    paid_on_confirm = by_call(InsertCart=inserted(), CheckCart=cart(10426), ConfirmCart=cart(10200))
    with counter(tmp_path, paid_on_confirm) as (_server, config, data_dir):
        data_dir.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [*POS, *pay_args(config)],
            capture_output=True,
            timeout=60,
            env=child_env(data_dir),
            preexec_fn=lambda: _limit_file_size(kib * 1024),
            check=False,
        )
    stderr = done.stderr.decode()
    print(kib, done.returncode, durable_phases(data_dir))  # which layer the fault hit
    assert done.returncode == expected_exit(data_dir), (kib, stderr)
    assert "Traceback" not in stderr.split("--- Logging error ---")[0]


FAULTS = {
    "HTTP 500": Reply({"Message": "boom"}, status=500),
    "not JSON": Reply(raw=b"<html>proxy error</html>"),
    "ResultCode 10^30": Reply(
        raw=b'{"Success":true,"PaymentSuccessful":false,"ResultCode":1' + b"0" * 30 + b"}"
    ),
    "silence": Reply(hang=True),
}


@pytest.mark.slow
@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("call", ["InsertCart", "CheckCart", "ConfirmCart"])
def test_a_network_fault_on_any_call_exits_by_the_durable_state(
    tmp_path: Path, call: str, fault: str
) -> None:
    replies: dict[str, Reply] = {
        "InsertCart": inserted(),
        "CheckCart": cart(10426),
        "ConfirmCart": cart(10200),
        "CancelCart": cart(10201),
    }
    replies[call] = FAULTS[fault]
    timing = {"deadline_s": 1.0, "give_up_after_s": 3.0, "read_timeout_s": 1.0}
    with counter(tmp_path, by_call(**replies), **timing) as (_server, config, data_dir):
        done = run_pos(pay_args(config), data_dir, timeout=60)
    assert done.returncode == expected_exit(data_dir), (call, fault, done.stderr)
    assert "Traceback" not in done.stderr
