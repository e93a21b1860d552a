"""Network fault matrix: {InsertCart, CheckCart, ConfirmCart, CancelCart} × eight faults.

A loopback TCP proxy sits between ``pos pay`` and a separate ``pos sandbox``; it logs what it
forwarded and which fault it applied, and each case asserts its fault hit the named call. Every
case keeps the invariants (at most one paid cart per sale, journal PAID iff the sandbox says
paid, nothing stuck), and where the truth was not known for a while the cashier saw
"Unknown — checking…".

Which call a fault hits: every exchange through the proxy is its own connection, so faults
that act at connect time (refused, connect timeout) are armed for the n-th connection, and the
flows are chosen so that n is fixed: InsertCart is always the 1st; the first CheckCart of a
phone-number payment is the 2nd; an app-code payment confirms right after InsertCart (2nd); a
phone-number payment whose deadline passes before the first poll cancels on the 3rd.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.harness import (
    SandboxProcess,
    assert_invariants,
    run_pos,
    sandbox_process,
    write_config,
)
from tests.e2e.test_crash_sweep import generator_token
from tests.support.fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.slow

CONNECT_FAULTS = {Fault.REFUSED, Fault.CONNECT_TIMEOUT}
ALL_FAULTS = list(Fault)


@dataclass(frozen=True)
class Call:
    name: str
    path: str
    connection: int  # which connection carries this call in its flow
    hold_s: float  # how long a connect fault lasts: past the moment this call is made


CALLS = {
    "insert": Call("insert", "Checkout/InsertCart", 1, 5.0),  # pos pay starts after arming
    "check": Call("check", "Checkout/CheckCart", 2, 0.2),  # right after InsertCart
    "confirm": Call("confirm", "Checkout/ConfirmCart", 2, 0.2),  # right after InsertCart
    "cancel": Call("cancel", "Checkout/CancelCart", 3, 1.0),  # at the 0.5 s deadline
}


@pytest.fixture(scope="module")
def accepting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    with sandbox_process(
        tmp_path_factory.mktemp("fm-accepting"), "--auto-accept-after", "0.3"
    ) as sb:
        yield sb


@pytest.fixture(scope="module")
def slow_polling(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    # A 5 s poll interval: a 0.5 s deadline passes before the first poll, so the cancel is 3rd.
    with sandbox_process(tmp_path_factory.mktemp("fm-slow"), "--poll-interval-ms", "5000") as sb:
        yield sb


def expected_outcome(call: str, fault: Fault, confirmation: str) -> tuple[int, set[str]]:
    """(exit code, acceptable final states) for a fault on a call."""
    if call == "insert":
        if fault in CONNECT_FAULTS or fault is Fault.UNAUTHORIZED:
            return 2, {"FAILED"}
        if confirmation == "manual":
            return 2, {"ABANDONED"}
        return 2, {"UNKNOWN_ABANDONED"}
    if call == "cancel":
        return 1, {"CANCELLED"}
    return 0, {"PAID"}


def pay_through(
    proxy: FaultProxy, sandbox: SandboxProcess, call: str, tmp_path: Path, confirmation: str
) -> tuple[int, dict[str, object], str, Path, Path]:
    data_dir = tmp_path / "data"
    deadline = 0.5 if call == "cancel" else 20.0
    config = write_config(
        tmp_path / "register.toml",
        proxy.base_url(),
        data_dir,
        confirmation=confirmation,
        deadline_s=deadline,
        read_timeout_s=1.5,
        connect_timeout_s=0.5,
    )
    customer = f"500004-{generator_token(sandbox)}" if call == "confirm" else "8223281"
    done = run_pos(["pay", "1990", customer, "--json", "--config", str(config)], data_dir)
    outcome = done.json() if done.stdout.strip() else {}
    return done.returncode, outcome, done.stderr, config, data_dir


def sandbox_for(
    call: str, accepting: SandboxProcess, slow_polling: SandboxProcess
) -> SandboxProcess:
    return slow_polling if call == "cancel" else accepting


@pytest.mark.parametrize("fault", ALL_FAULTS, ids=[f.value for f in ALL_FAULTS])
@pytest.mark.parametrize("call", list(CALLS))
def test_a_fault_on_a_call_loses_and_doubles_nothing(
    call: str,
    fault: Fault,
    accepting: SandboxProcess,
    slow_polling: SandboxProcess,
    tmp_path: Path,
) -> None:
    sandbox = sandbox_for(call, accepting, slow_polling)
    target = CALLS[call]
    with FaultProxy("127.0.0.1", sandbox.port) as proxy:
        if fault in CONNECT_FAULTS:
            proxy.arm_connect_fault(fault, on_connection=target.connection, hold_s=target.hold_s)
        else:
            proxy.arm(target.path, fault)
        code, outcome, stderr, config, data_dir = pay_through(
            proxy, sandbox, call, tmp_path, "manual"
        )
        assert_fault_hit(proxy, target, fault)
    exit_code, states = expected_outcome(call, fault, "manual")
    assert code == exit_code, stderr
    assert outcome["state"] in states, outcome
    if call != "insert":
        assert "Unknown — checking" in stderr
    assert "Traceback" not in stderr
    assert_invariants(sandbox, config, data_dir)


def assert_fault_hit(proxy: FaultProxy, target: Call, fault: Fault) -> None:
    if fault in CONNECT_FAULTS:
        assert proxy.connect_faults_applied() == [(target.connection, fault)]
        later = [e.path for e in proxy.log if e.fault is None]
        if target.name != "insert":
            # The call was retried after a re-read: the refused connection was for it.
            assert any(path.lower().endswith(target.path.lower()) for path in later)
        return
    assert proxy.faults_applied(target.path) == [fault]


@pytest.mark.parametrize("confirmation", ["automatic", "callback"])
def test_a_lost_insert_answer_outside_manual_mode_ends_unknown_with_exit_2(
    confirmation: str, accepting: SandboxProcess, tmp_path: Path
) -> None:
    with FaultProxy("127.0.0.1", accepting.port) as proxy:
        proxy.arm("Checkout/InsertCart", Fault.ANSWER_DROPPED)
        code, outcome, stderr, config, data_dir = pay_through(
            proxy, accepting, "insert", tmp_path, confirmation
        )
        assert proxy.faults_applied("Checkout/InsertCart") == [Fault.ANSWER_DROPPED]
    assert code == 2
    assert outcome["state"] == "UNKNOWN_ABANDONED"
    assert "Ask the customer what their Netgíró app shows" in stderr + str(outcome)
    assert_invariants(accepting, config, data_dir)
