"""``pos smoke`` as a technician runs it: no terminal, an exit code and a report.

One test runs a real ``pos`` process; the rest call ``pos``'s own ``main()`` in this process
(the same parser, printing and exit codes, without a second interpreter's start-up).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pos.cli import main
from pos.core.public_test_data import FIRST_TEST_APPLICATION
from pos.journal import Journal, SaleLine
from pos.netgiro.sandbox.server import RunningSandbox, SandboxSettings

from .harness import child_env, free_port, run_pos, wait_until

CHECK_KEYS = {"name", "verdict", "message", "fix", "details"}


def test_pos_smoke_passes_on_the_embedded_defaults_from_an_empty_directory(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    done = run_pos(["smoke"], data_dir)

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert all(line.startswith("ok ") for line in lines[:-1]), lines
    assert lines[-1].startswith("smoke passed:")
    assert "Traceback" not in done.stderr
    assert list(data_dir.iterdir()) == []  # the smoke kept its sales in its own temporary dir


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def smoke_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["smoke", "--json", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    report: dict[str, Any] = json.loads(out)
    return code, report


def test_pos_smoke_json_is_one_object_for_monitoring(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = smoke_json(capsys)

    assert code == 0 and report["ok"] is True and report["exit_code"] == 0
    assert report["failed"] == 0 and report["till_open"] is False
    assert isinstance(report["seconds"], float) and report["kept"] is None
    names = [check["name"] for check in report["checks"]]
    assert {"config", "till", "data_dir", "journal", "netgiro", "payment.gsm"} <= set(names)
    for check in report["checks"]:
        assert set(check) == CHECK_KEYS
        assert check["verdict"] in ("ok", "warn", "fail")


@pytest.fixture
def till_holding_the_lock(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Another process holding the register lock, as the open till does all day."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    holder = (
        "import fcntl, os, sys, time\n"
        f"f = open({str(data_dir / 'register.lock')!r}, 'a+')\n"
        "fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "f.seek(0); f.truncate(); f.write(str(os.getpid())); f.flush()\n"
        "print('locked', flush=True)\n"
        "time.sleep(120)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", holder], stdout=subprocess.PIPE, env=child_env(data_dir)
    )
    try:
        assert process.stdout is not None
        wait_until(lambda: process.stdout.readline().strip() == b"locked", what="the lock")  # type: ignore[union-attr]
        yield process
    finally:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_pos_smoke_works_while_the_till_holds_the_register_lock(
    data_dir: Path,
    till_holding_the_lock: subprocess.Popen[bytes],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Journal(data_dir / "journal.sqlite3") as journal:
        journal.create_sale("R1", [SaleLine("keyed", "Keyed amount", 500, 1000, 500)])
    before = (data_dir / "journal.sqlite3").read_bytes()

    code, report = smoke_json(capsys)

    assert code == 0, report
    assert report["till_open"] is True
    assert report["till_pid"] == str(till_holding_the_lock.pid)
    till = next(check for check in report["checks"] if check["name"] == "till")
    assert f"pid {till_holding_the_lock.pid}" in till["message"]
    verdicts = {check["name"]: check["verdict"] for check in report["checks"]}
    assert verdicts["journal.integrity"] == "ok" and verdicts["payment.gsm"] == "ok"
    assert (data_dir / "journal.sqlite3").read_bytes() == before
    assert till_holding_the_lock.poll() is None  # the till was not disturbed


def test_keep_prints_where_the_smoke_data_dir_is(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["smoke", "--keep"])

    out = capsys.readouterr().out
    assert code == 0, out
    (kept_line,) = [line for line in out.splitlines() if "are kept in" in line]
    kept = Path(kept_line.rsplit(" ", 1)[1])
    try:
        assert len(list((kept / "data" / "receipts").glob("receipt-*.bin"))) == 3
    finally:
        shutil.rmtree(kept)


FAILURES = {
    "wrong secret": ("netgiro", "HTTP 401"),
    "dead Netgíró URL": ("netgiro", "cannot be reached"),
    "unwritable printer path": ("printer", "cannot write its test print"),
    "missing serial port": ("scanner", "does not open"),
}


@pytest.mark.parametrize("mistake", list(FAILURES))
def test_each_check_fails_alone_with_its_own_message_and_no_traceback(
    mistake: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("POS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMOKE_CLI_SECRET", "not-the-secret")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    sections = {
        "wrong secret": (
            '[netgiro]\nbase_url = "{sandbox}"\n'
            f'app_key = "{FIRST_TEST_APPLICATION.app_key}"\nsecret_key_env = "SMOKE_CLI_SECRET"\n'
        ),
        "dead Netgíró URL": f'[netgiro]\nbase_url = "http://127.0.0.1:{free_port()}/v1/"\n',
        "unwritable printer path": f'[printer]\nkind = "file"\nfolder = "{blocker}"\n',
        "missing serial port": f'[scanner]\nkind = "serial"\nport = "{tmp_path / "ttyACM9"}"\n',
    }
    sandbox_settings = SandboxSettings(state_file=tmp_path / "sb" / "carts.sqlite3", port=0)
    with RunningSandbox(sandbox_settings) as sandbox:
        config = tmp_path / "register.toml"
        text = sections[mistake].replace("{sandbox}", sandbox.base_url)
        config.write_text(text + f'[paths]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")

        code = main(["smoke", "--config", str(config)])

    out, err = capsys.readouterr()
    name, words = FAILURES[mistake]
    failed = [line for line in out.splitlines() if line.startswith("fail ")]
    assert code == 1
    assert len(failed) == 1, out
    assert failed[0].startswith(f"fail {name}: ") and words in failed[0] and "Fix: " in failed[0]
    assert "Traceback" not in out + err
    assert "not-the-secret" not in out + err
