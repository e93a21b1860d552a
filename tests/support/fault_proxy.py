"""A loopback TCP proxy that breaks HTTP/1.1 exchanges on purpose, and logs what it did.

It sits between the till's HTTP client (httpx) and a loopback upstream (the Netgíró sandbox)
and is built on plain sockets and threads, so it runs beside any event loop. ``stop()`` closes
every socket it opened and joins every thread it started (pytest runs with
``filterwarnings=error``: a leaked socket would fail a test through ``ResourceWarning``).

One exchange per connection
    Every answer the client gets says ``Connection: close`` (replacing whatever upstream said)
    and the proxy closes the client connection after it, so httpx opens a fresh connection for
    every request. That makes "the n-th connection" name one call in a sequential flow, which
    is what the connect-time faults need. Upstream gets a fresh connection per request too.

Requests are forwarded byte for byte
    Nothing in the request is rewritten: the ``Host`` header stays as the client sent it (the
    sandbox checks a signature over the URL the client used, rebuilt from ``Host``). Requests
    must frame their body with ``Content-Length``; a ``Transfer-Encoding`` request body is
    answered ``501`` (and ``Expect`` with ``417``) without reaching upstream, and the reason is
    kept in :attr:`FaultProxy.errors`. Upstream answers may use ``Content-Length``, chunked
    (the proxy de-chunks and sends ``Content-Length``) or close-delimited bodies.

Faults armed by path: ``arm("Checkout/CheckCart", Fault.HTTP_500, times=1)``
    The suffix is matched case-insensitively against the end of the request path (query string
    left out); the next ``times`` matching requests get the fault, later ones are forwarded
    normally. ``ANSWER_DROPPED``, ``TRUNCATED_BODY``, ``RESET_MID_ANSWER``, ``HTTP_500`` and
    ``MALFORMED_JSON`` forward the request in full and read upstream's whole answer first (the
    server has processed the call); ``UNAUTHORIZED`` never forwards.

Faults armed by connection: ``arm_connect_fault(Fault.REFUSED, on_connection=None, hold_s=0.2)``
    ``REFUSED`` and ``CONNECT_TIMEOUT`` act before a request exists, so they cannot be matched
    to a path, nor counted per attempt: a refused or stalled connect never reaches any socket
    the proxy owns. They close a *gate* instead:

    - ``on_connection=None``: the gate closes now, so the next connection attempt meets it;
    - ``on_connection=n``: the gate closes right before the answer to connection ``n - 1``
      leaves (a sequential client only opens connection ``n`` after reading that answer);
    - the gate opens again ``hold_s`` seconds after it closed, or, with ``hold_s=None``, when
      :meth:`FaultProxy.reopen` is called. It opens on the same port. The hold must outlast the
      client's pause between answer ``n - 1`` and attempt ``n`` (a poll interval, say): if it
      opens first, the fault hits nobody, and the proxy cannot tell.

    Closing the gate is logged once as ``ProxyEvent(path="<connect>", fault=…,
    connection=n)``; :meth:`FaultProxy.connect_faults_applied` lists them.

    ``REFUSED``: the listening socket is closed and a non-listening socket stays bound to the
    port (``SO_REUSEADDR`` on both), so nobody else can take the port; connects get an RST
    (``ECONNREFUSED``). Reopening binds a new listener beside it and then lets it go.

    ``CONNECT_TIMEOUT``: the proxy stops accepting, shrinks the listener's backlog with
    ``listen(0)`` and connects idle sockets of its own until one of them hangs. Observed on
    Linux 6.18 loopback (``tcp_syncookies=1``, ``tcp_abort_on_overflow=0``): with ``listen(0)``
    the accept queue holds exactly one connection (``listen(1)``: two), because the kernel calls
    it full only when it holds *more* than the backlog; after that the kernel drops every SYN
    (``ListenOverflows``), sends no SYN-ACK and no RST, so ``connect()`` hangs until the
    client's connect timeout (httpx: ``ConnectTimeout``). Syncookies do not change that, since
    the accept-queue check comes first. Calling ``listen()`` again on the listening socket
    changes its backlog in place. When the gate reopens, the backlog goes back to normal and the
    proxy's own idle connections are drained; a client still retrying its SYN (Linux resends
    after 1 s, 3 s, …) then connects late, so a hold shorter than the client's connect timeout
    may turn the fault into a slow connect.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import queue
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

CONNECT_PATH = "<connect>"
MAX_HEAD_BYTES = 64 * 1024
NORMAL_BACKLOG = 64
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


def no_delay(sock: socket.socket) -> None:
    """Send each write at once: no ~40 ms wait for a delayed ACK on a small answer."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


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
PATH_FAULTS = frozenset(set(Fault) - CONNECT_FAULTS)


@dataclass(frozen=True)
class ProxyEvent:
    """One request the proxy saw, or one closing of the gate (``path == "<connect>"``)."""

    path: str
    method: str
    fault: Fault | None
    forwarded_upstream: bool
    upstream_status: int | None
    connection: int = 0  # the client connection (1-based); for "<connect>", the one aimed at
    note: str = ""


def _canned(status: int, reason: str, content_type: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


ANSWER_500 = _canned(
    500, "Internal Server Error", "text/html; charset=utf-8", b"<h1>Server Error</h1>"
)
ANSWER_MALFORMED = _canned(200, "OK", "application/json; charset=utf-8", b'{"Success":tru')
ANSWER_401 = _canned(
    401,
    "Unauthorized",
    "application/json; charset=utf-8",
    b'{"Success":false,"ResultCode":401,"Message":"signature"}',
)


class _ProtocolError(Exception):
    """The peer broke HTTP/1.1 framing; ``status`` is what to answer a client (0: nothing)."""

    def __init__(self, message: str, status: int = 400, reason: str = "Bad Request") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class _Reader:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = bytearray()

    def _fill(self) -> bool:
        chunk = self._sock.recv(65536)
        self._buf += chunk
        return bool(chunk)

    def _take(self, n: int) -> bytes:
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data

    def read_head(self) -> bytes | None:
        """Bytes up to and including the blank line; ``None`` on a clean EOF before any byte."""
        while (end := self._buf.find(b"\r\n\r\n")) < 0:
            if len(self._buf) > MAX_HEAD_BYTES:
                raise _ProtocolError("header section too large", 431, "Header Too Large")
            if not self._fill():
                if not self._buf:
                    return None
                raise _ProtocolError("connection closed inside the header section", 0)
        return self._take(end + 4)

    def read_line(self) -> bytes:
        while (end := self._buf.find(b"\r\n")) < 0:
            if len(self._buf) > MAX_HEAD_BYTES:
                raise _ProtocolError("line too long", 0)
            if not self._fill():
                raise _ProtocolError("connection closed inside a line", 0)
        return self._take(end + 2)

    def read_exact(self, n: int) -> bytes:
        while len(self._buf) < n:
            if not self._fill():
                raise _ProtocolError(f"connection closed after {len(self._buf)} of {n} bytes", 0)
        return self._take(n)

    def read_to_eof(self) -> bytes:
        while self._fill():
            pass
        return self._take(len(self._buf))


@dataclass(frozen=True)
class _Message:
    start_line: str
    headers: list[tuple[str, str]]

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name]


def _parse_head(head: bytes) -> _Message:
    lines = head[:-4].decode("latin-1").split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or line[:1] in " \t":
            raise _ProtocolError(f"malformed header line {line!r}")
        headers.append((name, value.strip()))
    return _Message(lines[0], headers)


def _content_length(message: _Message) -> int | None:
    values = {value for joined in message.values("content-length") for value in joined.split(",")}
    values = {value.strip() for value in values}
    if not values:
        return None
    if len(values) > 1 or not next(iter(values)).isdigit():
        raise _ProtocolError(f"bad Content-Length {sorted(values)}")
    return int(next(iter(values)))


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    raw: bytes  # exactly the bytes the client sent: head and body


def _read_request(reader: _Reader) -> _Request | None:
    head = reader.read_head()
    if head is None:
        return None
    message = _parse_head(head)
    parts = message.start_line.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _ProtocolError(f"malformed request line {message.start_line!r}")
    method, target, _version = parts
    if message.values("transfer-encoding"):
        raise _ProtocolError(
            "fault proxy: request bodies must use Content-Length; "
            "Transfer-Encoding (chunked) is not supported",
            501,
            "Not Implemented",
        )
    if message.values("expect"):
        raise _ProtocolError(
            "fault proxy: Expect (100-continue) is not supported", 417, "Expectation Failed"
        )
    body = reader.read_exact(_content_length(message) or 0)
    if "://" in target:  # absolute form: keep only the path
        target = "/" + target.split("://", 1)[1].partition("/")[2]
    path = target.split("?", 1)[0].split("#", 1)[0]
    return _Request(method, path, head + body)


@dataclass(frozen=True)
class _Answer:
    status: int
    head: bytes  # status line and headers for the client, ``Connection: close``, blank line
    body: bytes

    @property
    def raw(self) -> bytes:
        return self.head + self.body


def _read_answer(reader: _Reader, method: str) -> _Answer:
    while True:
        head = reader.read_head()
        if head is None:
            raise _ProtocolError("upstream closed without answering", 0)
        message = _parse_head(head)
        version, _, rest = message.start_line.partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise _ProtocolError(f"malformed status line {message.start_line!r}", 0)
        status = int(code)
        if not (100 <= status < 200 and status != 101):  # skip interim answers
            break
    chunked = any("chunked" in v.lower() for v in message.values("transfer-encoding"))
    length = _content_length(message)
    if method == "HEAD" or status in (101, 204, 304) or 100 <= status < 200:
        body = b""
    elif chunked:
        body = _read_chunked(reader)
    elif length is not None:
        body = reader.read_exact(length)
    else:
        body = reader.read_to_eof()
    headers = [(k, v) for k, v in message.headers if k.lower() not in HOP_BY_HOP]
    if chunked:
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    if chunked or (length is None and body):
        headers.append(("Content-Length", str(len(body))))
    headers.append(("Connection", "close"))
    lines = [message.start_line, *(f"{k}: {v}" for k, v in headers)]
    return _Answer(status, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), body)


def _read_chunked(reader: _Reader) -> bytes:
    body = bytearray()
    while True:
        size_line = reader.read_line().split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise _ProtocolError(f"bad chunk size {size_line!r}", 0) from None
        if size == 0:
            while reader.read_line() != b"\r\n":  # trailers
                pass
            return bytes(body)
        body += reader.read_exact(size)
        if reader.read_line() != b"\r\n":
            raise _ProtocolError("chunk not followed by CRLF", 0)


@dataclass
class _Armed:
    suffix: str
    fault: Fault
    times: int


@dataclass
class _PendingGate:
    fault: Fault
    on_connection: int
    hold_s: float | None


@dataclass
class _Command:
    run: Callable[[], None]
    done: threading.Event
    error: BaseException | None = None


class FaultProxy:
    """See the module docstring. ``with FaultProxy(host, port) as proxy: …``."""

    def __init__(
        self, upstream_host: str, upstream_port: int, *, io_timeout_s: float = 10.0
    ) -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.io_timeout_s = io_timeout_s
        self.port = 0
        self._lock = threading.Lock()  # log, errors, arming, connection count, live sockets
        self._log: list[ProxyEvent] = []
        self._errors: list[str] = []
        self._armed: list[_Armed] = []
        self._pending_gates: list[_PendingGate] = []
        self._connections = 0
        self._live: set[socket.socket] = set()
        self._workers: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._commands: queue.SimpleQueue[_Command] = queue.SimpleQueue()
        # Owned by the acceptor thread once started: only it touches these.
        self._listener: socket.socket | None = None
        self._placeholder: socket.socket | None = None
        self._fillers: list[socket.socket] = []
        self._gate: Fault | None = None
        self._reopen_at: float | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._acceptor: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        if self._acceptor is not None:
            raise RuntimeError("FaultProxy already started")
        self._listener = self._new_listener(0)
        self.port = self._listener.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"fault-proxy-{self.port}-accept", daemon=True
        )
        self._acceptor.start()
        return self

    def stop(self) -> None:
        if self._acceptor is None or self._stopping.is_set():
            return
        self._stopping.set()
        self._wake()
        self._acceptor.join(timeout=10)
        with self._lock:
            for sock in self._live:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            workers = list(self._workers)
        for worker in workers:
            worker.join(timeout=10)
        stuck = [t.name for t in [self._acceptor, *workers] if t.is_alive()]
        for wake in (self._wake_r, self._wake_w):
            if wake is not None:
                wake.close()
        if stuck:
            raise RuntimeError(f"fault proxy threads did not stop: {stuck}")

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def base_url(self, path_prefix: str = "/v1/") -> str:
        return f"http://127.0.0.1:{self.port}{path_prefix}"

    # --- arming ----------------------------------------------------------------------------

    def arm(self, path_suffix: str, fault: Fault, *, times: int = 1) -> None:
        """The next ``times`` requests whose path ends with ``path_suffix`` get ``fault``."""
        if fault in CONNECT_FAULTS:
            raise ValueError(f"{fault} acts before any path is known: use arm_connect_fault")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._armed.append(_Armed(path_suffix.lower(), fault, times))

    def arm_connect_fault(
        self, fault: Fault, *, on_connection: int | None = None, hold_s: float | None = 0.2
    ) -> None:
        """Close the gate now (``on_connection=None``) or for the n-th client connection."""
        if fault not in CONNECT_FAULTS:
            raise ValueError(f"{fault} is not a connect fault: use arm")
        with self._lock:
            next_connection = self._connections + 1
            if on_connection is not None and on_connection < next_connection:
                raise ValueError(f"connection {on_connection} was already made")
            if on_connection is not None and on_connection > next_connection:
                self._pending_gates.append(_PendingGate(fault, on_connection, hold_s))
                return
        self._run_in_acceptor(lambda: self._close_gate(fault, next_connection, hold_s))

    def reopen(self) -> None:
        """Open the gate now (ends a ``hold_s=None`` connect fault); a no-op when open."""
        self._run_in_acceptor(self._open_gate)

    def disarm(self) -> None:
        """Forget every armed fault, and open the gate."""
        with self._lock:
            self._armed.clear()
            self._pending_gates.clear()
        self.reopen()

    # --- what happened ---------------------------------------------------------------------

    @property
    def log(self) -> list[ProxyEvent]:
        with self._lock:
            return list(self._log)

    @property
    def errors(self) -> list[str]:
        """Protocol errors and unexpected exceptions inside the proxy (empty when all went well)."""
        with self._lock:
            return list(self._errors)

    def faults_applied(self, path_suffix: str) -> list[Fault]:
        suffix = path_suffix.lower()
        return [e.fault for e in self.log if e.fault and e.path.lower().endswith(suffix)]

    def connect_faults_applied(self) -> list[tuple[int, Fault]]:
        return [(e.connection, e.fault) for e in self.log if e.path == CONNECT_PATH and e.fault]

    # --- the acceptor thread: the only one touching the listener ------------------------------

    def _new_listener(self, port: int) -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", port))
            listener.listen(NORMAL_BACKLOG)
        except OSError:
            listener.close()
            raise
        return listener

    def _wake(self) -> None:
        if self._wake_w is not None:
            with contextlib.suppress(OSError):
                self._wake_w.send(b"x")

    def _run_in_acceptor(self, run: Callable[[], None]) -> None:
        command = _Command(run, threading.Event())
        self._commands.put(command)
        self._wake()
        deadline = time.monotonic() + 10
        while not command.done.wait(timeout=0.05):
            if self._stopping.is_set() or self._acceptor is None or not self._acceptor.is_alive():
                return  # stopping: the gate no longer matters
            if time.monotonic() > deadline:
                raise RuntimeError("fault proxy acceptor did not answer")
        if command.error is not None:
            raise command.error

    def _accept_loop(self) -> None:
        assert self._wake_r is not None
        try:
            while not self._stopping.is_set():
                self._run_commands()
                if self._reopen_at is not None and time.monotonic() >= self._reopen_at:
                    self._open_gate()
                timeout = 0.1
                if self._reopen_at is not None:
                    timeout = max(0.0, min(timeout, self._reopen_at - time.monotonic()))
                watched = [self._wake_r]
                if self._gate is None and self._listener is not None:
                    watched.append(self._listener)
                ready, _, _ = select.select(watched, [], [], timeout)
                if self._wake_r in ready:
                    self._wake_r.recv(4096)
                if self._listener is not None and self._listener in ready:
                    try:
                        client, _ = self._listener.accept()
                    except OSError:
                        continue
                    self._spawn(client)
        except BaseException as exc:
            self._error(f"acceptor: {exc!r}")
        finally:
            self._run_commands()
            self._shut_gate_sockets()

    def _run_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                command.run()
            except BaseException as exc:
                command.error = exc
            command.done.set()

    def _shut_gate_sockets(self) -> None:
        for sock in [self._listener, self._placeholder, *self._fillers]:
            if sock is not None:
                sock.close()
        self._listener = self._placeholder = None
        self._fillers.clear()

    def _close_gate(self, fault: Fault, connection: int, hold_s: float | None) -> None:
        if self._stopping.is_set():
            return
        if self._gate is not None:
            self._open_gate()
        self._record(ProxyEvent(CONNECT_PATH, "", fault, False, None, connection))
        assert self._listener is not None
        if fault is Fault.REFUSED:
            self._listener.close()
            self._listener = None
            placeholder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            placeholder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                placeholder.bind(("127.0.0.1", self.port))
            except OSError as exc:
                placeholder.close()
                self._error(f"could not hold port {self.port} while refusing: {exc!r}")
            else:
                self._placeholder = placeholder
        else:
            self._fill_backlog(self._listener)
        self._gate = fault
        self._reopen_at = None if hold_s is None else time.monotonic() + hold_s

    def _fill_backlog(self, listener: socket.socket) -> None:
        listener.listen(0)
        for _ in range(16):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._fillers.append(filler)
            filler.settimeout(0.25)  # a loopback connect that is not dropped takes microseconds
            try:
                filler.connect(("127.0.0.1", self.port))
            except TimeoutError:
                return  # this SYN was dropped: the accept queue is full
            except OSError as exc:
                self._error(f"filling the backlog: {exc!r}")
                return
        self._error("the backlog never filled: connects will not time out")

    def _open_gate(self) -> None:
        gate, self._gate, self._reopen_at = self._gate, None, None
        if gate is Fault.REFUSED:
            for _attempt in range(50):
                try:
                    self._listener = self._new_listener(self.port)
                    break
                except OSError as exc:
                    last = exc
                    time.sleep(0.01)
            else:
                self._error(f"could not listen on port {self.port} again: {last!r}")
            if self._placeholder is not None:
                self._placeholder.close()
                self._placeholder = None
        elif gate is Fault.CONNECT_TIMEOUT and self._listener is not None:
            own = {filler.getsockname() for filler in self._fillers if _bound(filler)}
            self._listener.setblocking(False)
            try:
                while True:
                    try:
                        conn, peer = self._listener.accept()
                    except BlockingIOError:
                        break
                    if peer in own:
                        conn.close()
                    else:  # a client got in before the backlog filled
                        conn.setblocking(True)
                        self._spawn(conn)
            finally:
                self._listener.setblocking(True)
            for filler in self._fillers:
                filler.close()
            self._fillers.clear()
            self._listener.listen(NORMAL_BACKLOG)

    # --- serving ---------------------------------------------------------------------------

    def _spawn(self, client: socket.socket) -> None:
        no_delay(client)
        with self._lock:
            self._connections += 1
            number = self._connections
            self._live.add(client)
            self._workers = [w for w in self._workers if w.is_alive()]
            worker = threading.Thread(
                target=self._serve,
                args=(client, number),
                name=f"fault-proxy-{self.port}-conn-{number}",
                daemon=True,
            )
            self._workers.append(worker)
        worker.start()

    def _serve(self, client: socket.socket, number: int) -> None:
        try:
            client.settimeout(self.io_timeout_s)
            self._exchange(client, number)
        except Exception as exc:
            self._error(f"connection {number}: {exc!r}")
        finally:
            try:
                self._before_answer(number)
            except Exception as exc:
                self._error(f"connection {number}: closing the gate: {exc!r}")
            with self._lock:
                self._live.discard(client)
                client.close()

    def _exchange(self, client: socket.socket, number: int) -> None:
        try:
            request = _read_request(_Reader(client))
        except _ProtocolError as exc:
            self._error(f"connection {number}: {exc}")
            if exc.status:
                self._before_answer(number)
                body = f"{exc}\n".encode()
                client.sendall(_canned(exc.status, exc.reason, "text/plain", body))
                _finish(client)
            return
        if request is None:
            return
        fault = self._take_fault(request.path)
        if fault is Fault.UNAUTHORIZED:
            self._record(ProxyEvent(request.path, request.method, fault, False, None, number))
            self._before_answer(number)
            client.sendall(ANSWER_401)
            _finish(client)
            return
        try:
            answer = self._forward(request)
        except (OSError, _ProtocolError) as exc:
            sent = isinstance(exc, _Upstream) and exc.sent
            note = f"upstream failed: {exc.__cause__ or exc!r}"
            self._record(ProxyEvent(request.path, request.method, fault, sent, None, number, note))
            self._error(f"connection {number}: {note}")
            self._before_answer(number)
            client.sendall(_canned(502, "Bad Gateway", "text/plain", note.encode() + b"\n"))
            _finish(client)
            return
        self._record(ProxyEvent(request.path, request.method, fault, True, answer.status, number))
        self._before_answer(number)
        _send_with_fault(client, answer, fault)

    def _take_fault(self, path: str) -> Fault | None:
        lowered = path.lower()
        with self._lock:
            for armed in self._armed:
                if armed.times > 0 and lowered.endswith(armed.suffix):
                    armed.times -= 1
                    return armed.fault
        return None

    def _before_answer(self, number: int) -> None:
        """Close the gate for connection ``number + 1`` before this answer leaves."""
        with self._lock:
            due = [g for g in self._pending_gates if g.on_connection == number + 1]
            self._pending_gates = [g for g in self._pending_gates if g not in due]
        for gate in due:
            self._run_in_acceptor(
                functools.partial(self._close_gate, gate.fault, gate.on_connection, gate.hold_s)
            )

    def _forward(self, request: _Request) -> _Answer:
        try:
            upstream = socket.create_connection(
                (self.upstream_host, self.upstream_port), timeout=self.io_timeout_s
            )
        except OSError as exc:
            raise _Upstream(sent=False) from exc
        no_delay(upstream)
        with self._lock:
            self._live.add(upstream)
        try:
            try:
                upstream.sendall(request.raw)
            except OSError as exc:
                raise _Upstream(sent=False) from exc
            try:
                return _read_answer(_Reader(upstream), request.method)
            except (OSError, _ProtocolError) as exc:
                raise _Upstream(sent=True) from exc
        finally:
            with self._lock:
                self._live.discard(upstream)
                upstream.close()

    def _record(self, event: ProxyEvent) -> None:
        with self._lock:
            self._log.append(event)

    def _error(self, message: str) -> None:
        with self._lock:
            self._errors.append(message)


class _Upstream(OSError):
    def __init__(self, *, sent: bool) -> None:
        super().__init__("upstream exchange failed")
        self.sent = sent


def _bound(sock: socket.socket) -> bool:
    try:
        port: int = sock.getsockname()[1]
    except OSError:
        return False
    return port != 0


def _finish(client: socket.socket) -> None:
    """End an exchange with a FIN after everything was sent."""
    with contextlib.suppress(OSError):
        client.shutdown(socket.SHUT_WR)


def _send_with_fault(client: socket.socket, answer: _Answer, fault: Fault | None) -> None:
    half_body = answer.body[: len(answer.body) // 2]
    if fault is None:
        client.sendall(answer.raw)
    elif fault is Fault.ANSWER_DROPPED:
        pass  # upstream's answer was read in full; the client gets a FIN and no byte
    elif fault is Fault.TRUNCATED_BODY:
        # The original Content-Length, half the body. An empty body cannot be cut: cut the head.
        client.sendall(answer.head + half_body if answer.body else answer.head[:-4])
    elif fault is Fault.RESET_MID_ANSWER:
        client.sendall(answer.head + half_body if answer.body else answer.head[:-4])
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return  # closing now sends an RST instead of a FIN
    elif fault is Fault.HTTP_500:
        client.sendall(ANSWER_500)
    elif fault is Fault.MALFORMED_JSON:
        client.sendall(ANSWER_MALFORMED)
    else:
        raise AssertionError(f"{fault} is not applied to an answer")
    _finish(client)
