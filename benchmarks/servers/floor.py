"""The floor server: answers every HTTP/1.1 request at once with one canned CheckCart answer.

``python -m benchmarks.servers.floor`` prints ``READY <port>``; it parses no more than it must
(head, Content-Length, body), so what a client spends against it is the client's own cost.
"""

from __future__ import annotations

import asyncio
import json
import sys

from pos.core.public_test_data import TEST_GSM_NUMBERS
from pos.core.result_codes import ResultCode
from pos.netgiro.sandbox.rules import PENDING, Cart, cart_answer

TRANSACTION_ID = "0b0e1c3a-5d2f-4f55-9a57-2a6f0c1d9e11"


def canned_answer() -> bytes:
    cart = Cart(
        TRANSACTION_ID,
        "S1-R1-0a1b2c3d-7-1",
        1990,
        sorted(TEST_GSM_NUMBERS)[0],
        "gsm",
        0,
        PENDING,
        1_764_600_000.0,
        "app",
    )
    body = json.dumps(cart_answer(cart, ResultCode.PENDING_CUSTOMER_CONFIRMATION)).encode()
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
        "netgiro_referenceId: 7d1c0e9a-floor\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


class Floor(asyncio.Protocol):
    answer = canned_answer()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in self.buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(self.answer)


async def serve() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Floor, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
    server.close()


if __name__ == "__main__":
    asyncio.run(serve())
