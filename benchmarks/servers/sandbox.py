"""The embedded Netgíró sandbox, served in the foreground as ``pos sandbox`` serves it.

``python -m benchmarks.servers.sandbox STATE_FILE`` prints ``READY <port>``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pos.netgiro.sandbox.server import SandboxSettings, serve_forever


def announce(line: str) -> None:
    if line.startswith("Netgíró sandbox API:"):
        port = line.rsplit(":", 1)[1].split("/", maxsplit=1)[0]
        print(f"READY {port}", flush=True)


if __name__ == "__main__":
    serve_forever(SandboxSettings(state_file=Path(sys.argv[1]), port=0), announce=announce)
