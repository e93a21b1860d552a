"""The load generator: N registers, each on its own kept-alive connection, sending InsertCarts.

Reads one command a line from stdin, ``<port> <registers> <requests per register>``, and
answers one JSON line: every request's latency (ms), the errors, and the wall time from the
first request out to the last answer in. Raw asyncio streams, so the generator's own cost
stays small and the same for every server it loads.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import sys
import time

from pos.core.public_test_data import FIRST_TEST_APPLICATION, TEST_GSM_NUMBERS

APP_KEY = FIRST_TEST_APPLICATION.app_key
SECRET = FIRST_TEST_APPLICATION.secret_key
PATH = "/v1/Checkout/InsertCart"
TIMEOUT_S = 10.0
_serial = itertools.count(1)
_nonce = [0]  # the last nonce sent: each is above it


def request_bytes(port: int) -> bytes:
    reference = f"B-{time.time_ns() % 10**9}-{next(_serial)}"
    body = json.dumps(
        {
            "Amount": 1990,
            "Reference": reference,
            "CustomerId": TEST_GSM_NUMBERS[0],
            "ConfirmationType": 0,
            "Description": "benchmark",
        },
        separators=(",", ":"),
    ).encode()
    _nonce[0] = max(time.time_ns() // 100, _nonce[0] + 1)
    nonce = str(_nonce[0])
    host = f"127.0.0.1:{port}"
    signature = hashlib.sha256(
        (SECRET + nonce + f"http://{host}{PATH}").encode() + body
    ).hexdigest()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"netgiro_appkey: {APP_KEY}\r\nnetgiro_nonce: {nonce}\r\n"
        f"netgiro_signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


async def read_answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length)
    if status == 200 and b'"Success":true' not in body.replace(b" ", b""):
        return 600  # an answer that says no is an error here
    return status


async def register(port: int, count: int, latencies: list[float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(count):
            start = time.perf_counter()
            try:
                writer.write(request_bytes(port))
                status = await asyncio.wait_for(read_answer(reader), TIMEOUT_S)
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                errors.append(type(exc).__name__)
                return
            latencies.append((time.perf_counter() - start) * 1000)
            if status != 200:
                errors.append(f"HTTP {status}")
    finally:
        writer.close()


async def load(port: int, registers: int, each: int) -> dict[str, object]:
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    await asyncio.gather(*(register(port, each, latencies, errors) for _ in range(registers)))
    wall = time.perf_counter() - start
    return {"latencies_ms": latencies, "errors": errors, "wall_s": wall}


def main() -> None:
    print("READY", flush=True)
    for line in sys.stdin:
        port, registers, each = (int(part) for part in line.split())
        print(json.dumps(asyncio.run(load(port, registers, each))), flush=True)


if __name__ == "__main__":
    main()
