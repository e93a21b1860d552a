"""A loopback TCP proxy that breaks HTTP exchanges on purpose, and logs what it did.

It sits between the till's client and a loopback upstream (the sandbox). Every exchange gets
its own connection (the proxy answers ``Connection: close``), so "the n-th connection" names a
call exactly in a fixed flow. Two families of faults:

- armed by path (``arm("Checkout/CheckCart", Fault.HTTP_500)``): the request is read, and then
  forwarded or not, and the answer dropped, cut, reset, replaced by a 500, by malformed JSON,
  or by a 401 — the next ``times`` matching requests;
- armed by connection (``arm_connect_fault(Fault.REFUSED, on_connection=2)``): they act before
  any request exists. Right before the (n-1)-th answer leaves, the proxy closes its listener
  (REFUSED: connects get RST) or stops accepting with a full backlog (CONNECT_TIMEOUT: on
  Linux loopback, SYNs to a full accept queue are dropped, so connects hang until the client's
  connect timeout), and opens again after ``hold_s``, on the same port.
"""

from __future__ import annotations

import enum
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

ANSWER_500 = (
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: 21\r\n"
    b"Connection: close\r\n\r\n<h1>Server Error</h1>"
)
ANSWER_MALFORMED = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n"
    b'Connection: close\r\n\r\n{"Success":tru'
)
ANSWER_401 = (
    b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 54\r\n"
    b'Connection: close\r\n\r\n{"Success":false,"ResultCode":401,"Message":"signature"}'
)


class Fault(enum.Enum):
    REFUSED = "refused"
    CONNECT_TIMEOUT = "connect_timeout"
    ANSWER_DROPPED = "answer_dropped"
    TRUNCATED_BODY = "truncated_body"
    RESET_MID_ANSWER = "reset"
    HTTP_500 = "http_500"
    MALFORMED_JSON = "malformed_json"
    UNAUTHORIZED = "unauthorized"


CONNECT_FAULTS = frozenset({Fault.REFUSED, Fault.CONNECT_TIMEOUT})
FORWARDED = frozenset(set(Fault) - CONNECT_FAULTS - {Fault.UNAUTHORIZED})


@dataclass(frozen=True)
class ProxyEvent:
    """One request the proxy saw (or ``<connect>`` for a connection it refused or stalled)."""

    path: str
    method: str
    fault: Fault | None
    forwarded_upstream: bool
    upstream_status: int | None
    connection: int


@dataclass
class _Armed:
    path_suffix: str
    fault: Fault
    times: int


@dataclass
class _ConnectFault:
    fault: Fault
    on_connection: int
    hold_s: float
    applied: bool = False


@dataclass
class FaultProxy:
    upstream_host: str
    upstream_port: int
    log: list[ProxyEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []
        self._connect_faults: list[_ConnectFault] = []
        self._listener: socket.socket | None = None
        self._stalled: list[socket.socket] = []
        self._gate_requests: list[tuple[Fault | None, threading.Event | None]] = []
        self._gate_closed = False
        self._stopping = threading.Event()
        self._connections = 0
        self._workers: list[threading.Thread] = []
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._listener = self._listen(0)
        self.port = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._acceptor.join(timeout=5)
        for worker in list(self._workers):
            worker.join(timeout=5)
        self._close_listener()
        self._release_stalled()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def base_url(self, path_prefix: str = "/v1/") -> str:
        return f"http://127.0.0.1:{self.port}{path_prefix}"

    # --- arming ------------------------------------------------------------------------------

    def arm(self, path_suffix: str, fault: Fault, *, times: int = 1) -> None:
        if fault in CONNECT_FAULTS:
            raise ValueError("connect faults act before any path is known: arm_connect_fault")
        with self._lock:
            self._armed.append(_Armed(path_suffix.lower(), fault, times))

    def arm_connect_fault(self, fault: Fault, *, on_connection: int, hold_s: float = 0.2) -> None:
        if fault not in CONNECT_FAULTS:
            raise ValueError(f"{fault} is not a connect fault")
        armed = _ConnectFault(fault, on_connection, hold_s)
        self._connect_faults.append(armed)
        if on_connection == self._connections + 1:
            self._close_gate(armed)

    def faults_applied(self, path_suffix: str) -> list[Fault]:
        suffix = path_suffix.lower()
        return [e.fault for e in self.log if e.fault and e.path.lower().endswith(suffix)]

    def connect_faults_applied(self) -> list[tuple[int, Fault]]:
        return [(f.on_connection, f.fault) for f in self._connect_faults if f.applied]

    # --- the gate: refusing or stalling new connections ---------------------------------------

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        listener.settimeout(0.05)
        return listener

    def _close_gate(self, armed: _ConnectFault) -> None:
        """Ask the accept thread (which owns the listener) to refuse or stall; wait till it has."""
        armed.applied = True
        self.log.append(ProxyEvent("<connect>", "", armed.fault, False, None, armed.on_connection))
        done = threading.Event()
        self._gate_requests.append((armed.fault, done))
        if not done.wait(5):
            raise RuntimeError("the fault proxy's accept thread did not close the gate")
        threading.Timer(armed.hold_s, lambda: self._gate_requests.append((None, None))).start()

    def _run_gate_requests(self) -> None:
        while self._gate_requests:
            fault, done = self._gate_requests.pop(0)
            if fault is Fault.REFUSED:
                self._close_listener()
                self._gate_closed = True
            elif fault is Fault.CONNECT_TIMEOUT:
                self._fill_backlog()
                self._gate_closed = True
            else:
                self._open_gate()
            if done is not None:
                done.set()

    def _open_gate(self) -> None:
        if self._listener is None:
            self._listener = self._listen(self.port)
        else:
            self._release_stalled()
            self._listener.listen(64)
        self._gate_closed = False

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _fill_backlog(self) -> None:
        assert self._listener is not None
        self._listener.listen(0)
        for _ in range(8):  # the accept queue takes one or two; then the kernel drops SYNs
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.settimeout(0.1)
            self._stalled.append(filler)
            try:
                filler.connect(("127.0.0.1", self.port))
            except OSError:
                break

    def _release_stalled(self) -> None:
        if self._listener is not None:
            while True:
                try:
                    self._listener.accept()[0].close()
                except OSError:
                    break
        for filler in self._stalled:
            filler.close()
        self._stalled.clear()

    # --- serving ---------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            self._run_gate_requests()
            listener = self._listener
            if listener is None or self._gate_closed:
                time.sleep(0.01)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            self._connections += 1
            worker = threading.Thread(
                target=self._serve, args=(client, self._connections), daemon=True
            )
            self._workers.append(worker)
            worker.start()

    def _serve(self, client: socket.socket, connection: int) -> None:
        with client:
            client.settimeout(10)
            try:
                request = _read_request(client)
            except (OSError, ValueError):
                return
            if request is None:
                return
            method, path, raw = request
            fault = self._take_fault(path)
            if fault is Fault.UNAUTHORIZED:
                self.log.append(ProxyEvent(path, method, fault, False, None, connection))
                client.sendall(ANSWER_401)
                return
            answer = self._forward(raw)
            status = _status_of(answer)
            self.log.append(ProxyEvent(path, method, fault, True, status, connection))
            self._maybe_close_gate_after(connection)
            _answer_with(client, answer, fault)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for armed in self._armed:
                if armed.times > 0 and path.lower().endswith(armed.path_suffix):
                    armed.times -= 1
                    return armed.fault
        return None

    def _maybe_close_gate_after(self, connection: int) -> None:
        for armed in self._connect_faults:
            if not armed.applied and armed.on_connection == connection + 1:
                self._close_gate(armed)

    def _forward(self, raw: bytes) -> bytes:
        with socket.create_connection((self.upstream_host, self.upstream_port), timeout=10) as up:
            up.sendall(raw)
            chunks = []
            while chunk := up.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def _read_request(client: socket.socket) -> tuple[str, str, bytes] | None:
    """Method, path and the raw request, rewritten to ``Connection: close``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = [line for line in lines[1:] if not line.lower().startswith("connection:")]
    length = 0
    for line in headers:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        if name.strip().lower() == "transfer-encoding":
            raise ValueError("chunked requests are not supported by the fault proxy")
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            return None
        body += chunk
    rebuilt = "\r\n".join([lines[0], *headers, "Connection: close"]).encode("latin-1")
    return method, path, rebuilt + b"\r\n\r\n" + body


def _status_of(answer: bytes) -> int | None:
    try:
        return int(answer.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def _answer_with(client: socket.socket, answer: bytes, fault: Fault | None) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    if fault is None:
        client.sendall(answer)
    elif fault is Fault.ANSWER_DROPPED:
        client.shutdown(socket.SHUT_RDWR)
    elif fault is Fault.TRUNCATED_BODY:
        client.sendall(head + b"\r\n\r\n" + body[: max(1, len(body) // 2)])
    elif fault is Fault.RESET_MID_ANSWER:
        client.sendall(answer[: max(1, len(answer) // 3)])
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    elif fault is Fault.HTTP_500:
        client.sendall(ANSWER_500)
    elif fault is Fault.MALFORMED_JSON:
        client.sendall(ANSWER_MALFORMED)
