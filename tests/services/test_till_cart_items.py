"""CartItemRequests: a whole-sale Netgíró tender sends its lines, a partial one sends none.

The sandbox does not keep request bodies, so InsertCart goes to a tiny loopback server that
records each body and declines (a well-formed no: nothing is charged, the sale stays).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pos.core.checkout import Phase
from pos.core.customer_ids import parse_gsm
from tests.services.till_fixtures import counter_at, sandbox_at

GSM = parse_gsm("8223281")
DECLINE = {
    "Success": False,
    "ResultCode": 10306,
    "Message": "No such customer",
    "TransactionId": None,
}


@contextmanager
def recording_netgiro() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    bodies: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            bodies.append(json.loads(self.rfile.read(length)))
            answer = json.dumps(DECLINE).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/", bodies
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_a_whole_tender_sends_its_lines_and_a_partial_one_none(tmp_path: Path) -> None:
    with recording_netgiro() as (base_url, bodies):
        async with (
            sandbox_at(tmp_path) as sandbox,
            counter_at(tmp_path, sandbox, base_url=base_url) as counter,
        ):
            session = counter.session
            session.enter("2*5690010000012")
            session.enter("990")
            declined = await session.pay_netgiro(GSM)
            assert declined.checkout.phase is Phase.DECLINED and not declined.left_counter
            session.pay_cash(500)
            await session.pay_netgiro(GSM)
    whole, partial = bodies
    assert whole["Amount"] == 1448
    assert [
        (i["ProductNo"], i["Name"], i["UnitPrice"], i["Quantity"], i["Amount"])
        for i in whole["CartItemRequests"]
    ] == [("101", "Mjólk 1 l", 229, 2000, 458), ("OPEN", "Opin vara", 990, 1000, 990)]
    assert sum(i["Amount"] for i in whole["CartItemRequests"]) == whole["Amount"]
    assert partial["Amount"] == 948
    assert "CartItemRequests" not in partial
