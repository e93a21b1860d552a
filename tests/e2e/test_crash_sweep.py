"""Crash-point sweep: SIGKILL ``pos pay`` at every named point it passes, restart, recover, check.

Each flow is run once with ``POS_CRASH_TRACE`` to learn which points it passes; then, for each
point, a fresh ``pos pay`` is killed there (``POS_CRASH_AT``), the trace must show the point
fired and the exit must be SIGKILL, ``pos recover`` settles what was left, and the invariants
are checked against the separate ``pos sandbox`` process's own carts. Then recovery itself is
killed at each of its steps, and run again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pos.core.public_test_data import FIRST_TEST_APPLICATION, TEST_SSN_UNLIMITED_CREDIT
from pos.netgiro.signing import signature
from tests.e2e.harness import (
    SIGKILLED,
    SandboxProcess,
    assert_invariants,
    run_pos,
    sandbox_process,
    write_config,
)

# Each flow kills `pos pay` at every point it passes (now with the print queue's too) and runs
# `pos recover` after each: minutes on a loaded two-core machine, so a bound of its own.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def accepting_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    with sandbox_process(tmp_path_factory.mktemp("accepting"), "--auto-accept-after", "0.3") as sb:
        yield sb


@pytest.fixture(scope="module")
def silent_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    with sandbox_process(tmp_path_factory.mktemp("silent")) as sb:
        yield sb


def generator_token(sandbox: SandboxProcess) -> str:
    """A fresh SMS-code token from the test code generator (single use)."""
    url = f"{sandbox.base_url}Account/RequestConfirmation?Customer={TEST_SSN_UNLIMITED_CREDIT}"
    nonce = str(time.time_ns())
    headers = {
        "netgiro_appkey": FIRST_TEST_APPLICATION.app_key,
        "netgiro_nonce": nonce,
        "netgiro_signature": signature(FIRST_TEST_APPLICATION.secret_key, nonce, url, b""),
    }
    answer = httpx.get(url, headers=headers, timeout=5)
    answer.raise_for_status()
    return str(answer.json()["Message"])


class Flow:
    """One counter flow to sweep: how to pay, against which sandbox, in which mode."""

    def __init__(
        self,
        name: str,
        customer: str,
        confirmation: str,
        *,
        deadline_s: float = 20.0,
        code: bool = False,
    ) -> None:
        self.name, self.customer, self.confirmation = name, customer, confirmation
        self.deadline_s, self.code = deadline_s, code

    def pay(self, sandbox: SandboxProcess, workdir: Path, **env: str) -> tuple[int, Path, Path]:
        data_dir = workdir / "data"
        config = write_config(
            workdir / "register.toml",
            sandbox.base_url,
            data_dir,
            confirmation=self.confirmation,
            deadline_s=self.deadline_s,
        )
        args = ["pay", "1990", self.customer, "--config", str(config)]
        if self.code:
            args += ["--code", generator_token(sandbox)]
        done = run_pos(args, data_dir, **env)
        return done.returncode, config, data_dir


FLOWS = {
    "gsm_manual_accepted": Flow("gsm_manual_accepted", "8223281", "manual"),
    "ssn_manual_code": Flow("ssn_manual_code", TEST_SSN_UNLIMITED_CREDIT, "manual", code=True),
    "gsm_manual_deadline": Flow("gsm_manual_deadline", "7700001", "manual", deadline_s=0.8),
    "gsm_automatic_accepted": Flow("gsm_automatic_accepted", "8223281", "automatic"),
    "gsm_callback_accepted": Flow("gsm_callback_accepted", "8223281", "callback"),
}
SANDBOX_OF = {
    "gsm_manual_accepted": "accepting_sandbox",
    "ssn_manual_code": "silent_sandbox",
    "gsm_manual_deadline": "silent_sandbox",
    "gsm_automatic_accepted": "accepting_sandbox",
    "gsm_callback_accepted": "accepting_sandbox",
}


def passed_points(trace: Path) -> list[str]:
    """The points a run passed, each as ``name#n`` for its n-th pass, in order."""
    seen: dict[str, int] = {}
    points = []
    for line in trace.read_text().splitlines():
        kind, _, name = line.partition(" ")
        if kind == "pass":
            seen[name] = seen.get(name, 0) + 1
            points.append(f"{name}#{seen[name]}")
    return points


def fired(trace: Path) -> list[str]:
    return [
        line.split(" ", 1)[1]
        for line in trace.read_text().splitlines()
        if line.startswith("fired ")
    ]


def sweep_points(points: list[str]) -> list[str]:
    """Every point's first pass, and the second pass of points passed more than once."""
    return [p for p in points if p.endswith(("#1", "#2"))]


SHARDS = 4
"""Each flow's crash points are swept in this many tests (every SHARDS-th point from the k-th),
so that parallel test workers share the longest sweep; together they cover every point."""


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("flow_name", list(FLOWS))
def test_killing_pos_pay_at_every_crash_point_loses_and_doubles_nothing(
    flow_name: str, shard: int, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    flow = FLOWS[flow_name]
    sandbox: SandboxProcess = request.getfixturevalue(SANDBOX_OF[flow_name])
    trace = tmp_path / "trace.txt"
    code, config, data_dir = flow.pay(sandbox, tmp_path / "clean", POS_CRASH_TRACE=str(trace))
    assert code == (1 if flow.deadline_s < 5 else 0)
    points = sweep_points(passed_points(trace))
    assert len({p.split("#")[0] for p in points}) >= 10, points
    failures = []
    for n, point in list(enumerate(points))[shard::SHARDS]:
        workdir = tmp_path / f"crash{n}"
        point_trace = workdir / "trace.txt"
        workdir.mkdir()
        code, config, data_dir = flow.pay(
            sandbox, workdir, POS_CRASH_AT=point, POS_CRASH_TRACE=str(point_trace)
        )
        if code != SIGKILLED or fired(point_trace) != [point.split("#")[0]]:
            failures.append(f"{point}: exit {code}, fired {fired(point_trace)}")
            continue
        recovered = run_pos(["recover", "--json", "--config", str(config)], data_dir)
        if recovered.returncode != 0:
            failures.append(f"{point}: recover exit {recovered.returncode}: {recovered.stdout}")
            continue
        try:
            assert_invariants(sandbox, config, data_dir)
        except AssertionError as exc:
            failures.append(f"{point}: {exc}")
    assert not failures, "\n".join(failures)


def test_killing_recovery_at_each_of_its_steps_still_recovers(
    accepting_sandbox: SandboxProcess, tmp_path: Path
) -> None:
    flow = FLOWS["gsm_manual_accepted"]
    first = tmp_path / "learn"
    first.mkdir()
    code, config, data_dir = flow.pay(
        accepting_sandbox, first, POS_CRASH_AT="journal.insert_accepted"
    )
    assert code == SIGKILLED
    trace = tmp_path / "recovery-trace.txt"
    done = run_pos(["recover", "--config", str(config)], data_dir, POS_CRASH_TRACE=str(trace))
    assert done.returncode == 0, done.stderr
    steps = [p for p in sweep_points(passed_points(trace)) if "nonce" not in p]
    assert any(p.startswith("recovery.") for p in steps), steps
    failures = []
    for n, step in enumerate(steps):
        workdir = tmp_path / f"step{n}"
        workdir.mkdir()
        code, config, data_dir = flow.pay(
            accepting_sandbox, workdir, POS_CRASH_AT="journal.insert_accepted"
        )
        assert code == SIGKILLED
        step_trace = workdir / "trace.txt"
        killed = run_pos(
            ["recover", "--config", str(config)],
            data_dir,
            POS_CRASH_AT=step,
            POS_CRASH_TRACE=str(step_trace),
        )
        if killed.returncode != SIGKILLED or fired(step_trace) != [step.split("#")[0]]:
            failures.append(f"{step}: exit {killed.returncode}, fired {fired(step_trace)}")
            continue
        again = run_pos(["recover", "--config", str(config)], data_dir)
        if again.returncode != 0:
            failures.append(f"{step}: second recovery exit {again.returncode}: {again.stdout}")
            continue
        try:
            assert_invariants(accepting_sandbox, config, data_dir)
        except AssertionError as exc:
            failures.append(f"{step}: {exc}")
    assert not failures, "\n".join(failures)
