"""``python -m benchmarks.profile [NAME…]``: a pyinstrument profile of each measured path.

Written to ``benchmarks/profiles/NAME.txt`` (needs ``pip install -e '.[bench]'``): the evidence
for a target the table shows missed, beside the floor the table measures.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pyinstrument import Profiler

from benchmarks.harness import ROOT, child

PROFILES = Path(__file__).resolve().parent / "profiles"


def save(name: str, profiler: Profiler) -> Path:
    PROFILES.mkdir(exist_ok=True)
    path = PROFILES / f"{name}.txt"
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    path.write_text(text, encoding="utf-8")
    return path


def sampled(work: Callable[[], object], times: int) -> Profiler:
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(times):
        work()
    profiler.stop()
    return profiler


def journal_write() -> Path:
    from benchmarks.journal import journal_with_attempt

    with tempfile.TemporaryDirectory(dir="/dev/shm") as folder:
        journal, attempt_id, state = journal_with_attempt(Path(folder) / "j.sqlite3")
        states = iter([replace(state, note=f"poll {n}") for n in range(3000)])
        profiler = sampled(
            lambda: journal.record(attempt_id, next(states), event="x", point="b"), 3000
        )
        journal.close()
    return save("journal-write", profiler)


def z_report() -> Path:
    from benchmarks.bulk_journal import cached_journal
    from benchmarks.z_report import z_of
    from pos.journal import Journal

    with Journal(cached_journal(100_000), read_only=True) as journal:
        day = z_of(journal, 100_000)
        day()
        return save("z-report-100k", sampled(day, 20))


def receipt() -> Path:
    from benchmarks.receipt import job_of, snapshot
    from pos.services.printing import ReceiptFormat, render_job

    job, fmt = job_of(snapshot()), ReceiptFormat()
    render_job(job, fmt)
    return save("receipt", sampled(lambda: render_job(job, fmt), 300))


def client() -> Path:
    from benchmarks.client import APP_KEY, SECRET
    from benchmarks.servers.floor import TRANSACTION_ID
    from pos.journal import Journal
    from pos.netgiro.client import NetgiroClient
    from pos.services.wiring import journal_backed_nonce

    async def calls(base_url: str, journal: Journal) -> Profiler:
        ours = NetgiroClient(base_url, APP_KEY, SECRET, nonce=journal_backed_nonce(journal))
        for _ in range(50):
            await ours.check_cart(TRANSACTION_ID)
        profiler = Profiler(interval=0.0002, async_mode="disabled")
        profiler.start()
        for _ in range(1000):
            await ours.check_cart(TRANSACTION_ID)
        profiler.stop()
        await ours.aclose()
        return profiler

    with (
        child(["-m", "benchmarks.servers.floor"]) as (_, ready),
        tempfile.TemporaryDirectory() as folder,
        Journal(Path(folder) / "j.sqlite3") as journal,
    ):
        profiler = asyncio.run(calls(f"http://127.0.0.1:{ready.split()[1]}/v1/", journal))
    return save("client", profiler)


def in_child(name: str, args: list[str], env: dict[str, str] | None = None) -> Path:
    """A whole process under ``pyinstrument`` (start-up costs are imports)."""
    PROFILES.mkdir(exist_ok=True)
    path = PROFILES / f"{name}.txt"
    command = [sys.executable, "-m", "pyinstrument", "--no-color", "-o", str(path), *args]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
    return path


def screen_start() -> Path:
    with (
        tempfile.TemporaryDirectory() as folder,
        child(["-m", "benchmarks.servers.sandbox", f"{folder}/sandbox.sqlite3"]) as (_, ready),
    ):
        base_url = f"http://127.0.0.1:{ready.split()[1]}/v1/"
        child_args = ["-m", "benchmarks.servers.screen_child", "start", "till", folder, base_url]
        subprocess.run([sys.executable, *child_args[0:]], cwd=ROOT, check=True, capture_output=True)
        return in_child("screen-start", child_args)


def sandbox() -> Path:
    """The sandbox process under pyinstrument while 50 registers send InsertCarts."""
    from benchmarks.sandbox import load, wait_for_port

    PROFILES.mkdir(exist_ok=True)
    path = PROFILES / "sandbox-50-registers.txt"
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pyinstrument",
                "--no-color",
                "-o",
                str(path),
                "-m",
                "benchmarks.servers.sandbox",
                f"{folder}/sandbox.sqlite3",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline().split()[1])
            wait_for_port(port)
            with child(["-m", "benchmarks.servers.load"]) as (generator, _):
                for _ in range(10):
                    load(generator, port, 50, 8)
        finally:
            server.send_signal(signal.SIGINT)  # uvicorn stops; pyinstrument writes its file
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return path


def startup() -> Path:
    from benchmarks.startup import POS, seeded_data_dir

    with tempfile.TemporaryDirectory() as folder:
        env = seeded_data_dir(Path(folder))
        in_child("startup-help", [POS, "--help"], env)
        return in_child("startup-journal", [POS, "journal"], env)


PROFILED = {
    "journal": journal_write,
    "z": z_report,
    "receipt": receipt,
    "client": client,
    "screen": screen_start,
    "sandbox": sandbox,
    "startup": startup,
}


def main(names: list[str]) -> None:
    for name in names or list(PROFILED):
        print(PROFILED[name]())


if __name__ == "__main__":
    main(sys.argv[1:])
