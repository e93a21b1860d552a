"""What every benchmark shares: interleaved rounds, rows with their target, the table, the JSON.

A row compares *ours* with a *baseline* measured in the same run, round by round: each round
measures both (in alternating order, so a drift in the machine's load hits both arms alike),
and the row's figure is the median over the rounds of ``ours/baseline`` (or ``ours − baseline``
for a target in milliseconds over a floor). A target is met only when the far end of that
median's 95 % confidence interval is within it.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from benchmarks.stats import median, percentile, quantile_bounds

Kind = Literal["ratio", "diff", "value"]
"""What a target bounds: ours/baseline, ours − baseline, or ours alone."""
ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Target:
    """``kind`` compared with ``limit`` by ``op``; ``quantile`` 0.5 bounds the median."""

    kind: Kind
    op: Literal["<=", ">="]
    limit: float
    quantile: float = 0.5

    def describe(self, unit: str) -> str:
        what = {"ratio": "", "diff": f"+{self.limit:g} {unit}", "value": f"{self.limit:g} {unit}"}
        limit = f"{self.limit:g}×" if self.kind == "ratio" else what[self.kind]
        at = "" if self.quantile == 0.5 else f" p{self.quantile * 100:g}"
        return f"{self.op} {limit}{at}"


@dataclass
class Row:
    """One line of the table, with every sample it was computed from."""

    what: str
    unit: str
    ours: list[float]
    baseline: list[float] | None = None
    baseline_what: str = ""
    target: Target | None = None
    kind: Kind = "ratio"
    """How the figure is formed when there is no target (reported rows)."""
    note: str = ""
    exact: bool = False
    """The samples are counts, not estimates (errors): the target bounds their total as it is."""
    pooled: float | None = None
    """Report this quantile of each arm's pooled samples (p99 of every call), not per round."""
    figure: float | None = field(default=None, init=False)
    low: float | None = field(default=None, init=False)
    high: float | None = field(default=None, init=False)
    met: bool | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.evaluate()

    @property
    def per_round(self) -> list[float]:
        kind = self.target.kind if self.target else self.kind
        if self.baseline is None or kind == "value":
            return list(self.ours)
        if kind == "diff":
            return [o - b for o, b in zip(self.ours, self.baseline, strict=True)]
        return [o / b for o, b in zip(self.ours, self.baseline, strict=True)]

    def evaluate(self) -> None:
        if self.pooled is not None:
            self._evaluate_pooled(self.pooled)
            return
        if self.exact:
            self.figure = self.low = self.high = sum(self.ours)
            if self.target is not None:
                self.met = self.figure <= self.target.limit
            return
        values = self.per_round
        q = self.target.quantile if self.target else 0.5
        self.figure = median(values) if q == 0.5 else percentile(values, q)
        self.low, self.high = quantile_bounds(values, q) if len(values) > 1 else (None, None)
        if self.target is None:
            return
        bound = self.high if self.target.op == "<=" else self.low
        if bound is None and q > 0.5 and self.target.op == "<=" and values:
            # A 95 % bound on a p99 needs hundreds of samples; the largest one is the honest
            # stand-in (it is at least the p99 of these samples).
            bound = self.high = max(values)
            self.note = (self.note + "; " if self.note else "") + (
                f"gated on the largest of {len(values)} samples (a 95 % bound on p"
                f"{q * 100:g} needs more)"
            )
        if bound is None:
            self.met = False
            self.note = (self.note + "; " if self.note else "") + "too few samples for a bound"
        elif self.target.op == "<=":
            self.met = bound <= self.target.limit
        else:
            self.met = bound >= self.target.limit

    def _evaluate_pooled(self, q: float) -> None:
        ours = percentile(self.ours, q)
        if self.baseline is None:
            self.figure = ours
            return
        base = percentile(self.baseline, q)
        kind = self.target.kind if self.target else self.kind
        self.figure = ours / base if kind == "ratio" else ours - base
        if self.target is not None:
            within = self.figure <= self.target.limit
            self.met = within if self.target.op == "<=" else self.figure >= self.target.limit
            self.note = (self.note + "; " if self.note else "") + "pooled samples: no interval"

    def shown(self, samples: list[float]) -> float:
        """The figure shown for one arm: its pooled quantile, target quantile or median."""
        if self.pooled is not None:
            return percentile(samples, self.pooled)
        q = self.target.quantile if self.target else 0.5
        return median(samples) if q == 0.5 else percentile(samples, q)


@dataclass
class Result:
    """One benchmark's rows and whatever else it wants kept (profiles, raw latencies)."""

    name: str
    rows: list[Row]
    extra: dict[str, Any] = field(default_factory=dict)


def interleaved(
    rounds: int, ours: Callable[[], float], baseline: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """``rounds`` measurements of each arm, alternating which goes first (ABBA)."""
    mine: list[float] = []
    theirs: list[float] = []
    for n in range(rounds):
        if n % 2 == 0:
            mine.append(ours())
            theirs.append(baseline())
        else:
            theirs.append(baseline())
            mine.append(ours())
    return mine, theirs


def per_call_ms(calls: int, run: Callable[[int], None], clock: Callable[[], float]) -> float:
    """Milliseconds of ``clock`` per call of ``run(calls)``."""
    start = clock()
    run(calls)
    return (clock() - start) * 1000 / calls


# --- processes -------------------------------------------------------------------------------


@contextmanager
def child(
    args: Sequence[str], *, ready: str = "READY", env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A helper process (server or load generator) of this package, killed whatever happens.

    It prints one line starting with ``ready`` when it is ready; that line is returned.
    """
    process = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith(ready):
            raise RuntimeError(f"{args} did not start: {line!r}")
        yield process, line
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- the machine, the table, the file --------------------------------------------------------


def machine() -> dict[str, Any]:
    """What ran the benchmarks: enough to tell two machines (and two loads) apart."""
    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kib = 0
    with open("/proc/meminfo", encoding="utf-8") as info:
        memory_kib = int(info.readline().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def git_sha() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return done.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def _figure(row: Row) -> str:
    kind = row.target.kind if row.target else row.kind
    if row.baseline is None and kind != "value":
        return "—"
    if kind == "ratio":
        return f"{row.figure:.2f}×" if row.figure is not None else "—"
    if kind == "diff":
        return f"{row.figure:+.3g} {row.unit}" if row.figure is not None else "—"
    return _number(row.figure, row.unit)


def _bound(row: Row) -> str:
    kind = row.target.kind if row.target else row.kind
    op = row.target.op if row.target else "<="
    value = row.high if op == "<=" else row.low
    if value is None:
        return "—"
    unit = "×" if kind == "ratio" else f" {row.unit}"
    return f"{op} {value:.3g}{unit}" if kind != "value" else f"{op} {_number(value, row.unit)}"


def table(results: Sequence[Result]) -> str:
    """The one table: what, ours, baseline, ratio, 95 % bound, target, met."""
    header = ("what", "ours", "baseline", "ratio / diff", "95% CI bound", "target", "met")
    lines = [header]
    for result in results:
        for row in result.rows:
            ours = row.shown(row.ours)
            base = "—"
            if row.baseline is not None:
                base = _number(row.shown(row.baseline), row.unit)
                if row.baseline_what:
                    base += f" ({row.baseline_what})"
            met = "—" if row.met is None else ("yes" if row.met else "NO")
            target = row.target.describe(row.unit) if row.target else "reported"
            lines.append(
                (
                    f"{result.name}: {row.what}",
                    _number(ours, row.unit),
                    base,
                    _figure(row),
                    _bound(row),
                    target,
                    met,
                )
            )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def write_json(results: Sequence[Result], *, quick: bool, folder: Path = RESULTS) -> Path:
    """Every sample, the git SHA and the machine, in ``results/<time>-<names>.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    names = "-".join(result.name for result in results)
    path = folder / f"{stamp}{'-quick' if quick else ''}-{names}.json"
    document = {
        "git_sha": git_sha(),
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine(),
        "benchmarks": {
            result.name: {"rows": [asdict(row) for row in result.rows], "extra": result.extra}
            for result in results
        },
    }
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def now_ms() -> float:
    return time.perf_counter() * 1000
