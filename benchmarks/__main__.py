"""``python -m benchmarks [NAME…] [--quick]``: run them, print one table, keep the samples."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from pathlib import Path

from benchmarks.harness import RESULTS, Result, table, write_json

BENCHMARKS = {
    "client": "benchmarks.client",
    "sandbox": "benchmarks.sandbox",
    "confirmation": "benchmarks.confirmation",
    "journal": "benchmarks.journal",
    "receipt": "benchmarks.receipt",
    "screen": "benchmarks.screen",
    "startup": "benchmarks.startup",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)} (default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="few rounds: checks they still run")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}: choose from {', '.join(BENCHMARKS)}")
    results: list[Result] = []
    failed = 0
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", file=sys.stderr)
    for name in args.names or list(BENCHMARKS):
        print(f"running {name}…", file=sys.stderr, flush=True)
        module = importlib.import_module(BENCHMARKS[name])
        try:
            results.append(module.run(quick=args.quick))
        except Exception as exc:  # one broken benchmark must not cost the others' figures
            traceback.print_exc()
            failed += 1
            results.append(Result(name, [], {"failed": f"{type(exc).__name__}: {exc}"}))
    print(table(results))
    path = write_json(results, quick=args.quick, folder=args.out)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; samples in {path}")
    for result in results:
        if "failed" in result.extra:
            print(f"{result.name} FAILED: {result.extra['failed']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
