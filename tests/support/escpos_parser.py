"""An ESC/POS parser of our own, for tests: every byte becomes a command, or the test fails.

Independent of python-escpos on purpose (written from the ESC/POS command reference, not from
the library's constants), so a receipt's bytes are checked by something that did not make them.
Text is decoded with the code page the bytes selected (``ESC t``); text before any code page
is selected, or a command this parser does not know, raises EscposParseError.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, DLE, LF, NUL = 0x1B, 0x1D, 0x10, 0x0A, 0x00
CODE_PAGES = {0: "cp437", 2: "cp850", 19: "cp858"}
BARCODE_B = {65: "UPC-A", 67: "EAN13", 68: "EAN8", 73: "CODE128"}


class EscposParseError(AssertionError):
    pass


@dataclass(frozen=True)
class Command:
    name: str
    value: object = None


@dataclass
class Parsed:
    """What the bytes say: the commands in order, and the printed text lines with their bold flag."""

    commands: list[Command] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [str(c.value) for c in self.commands if c.name == "line"]

    def names(self) -> list[str]:
        return [c.name for c in self.commands]

    def first(self, name: str) -> Command:
        return next(c for c in self.commands if c.name == name)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise EscposParseError(
                f"truncated command at byte {self.pos}: {self.data[self.pos :]!r}"
            )
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    @property
    def done(self) -> bool:
        return self.pos >= len(self.data)


def parse(data: bytes) -> Parsed:
    reader = _Reader(data)
    parsed = Parsed()
    state = {"codepage": None, "bold": False, "text": bytearray()}
    while not reader.done:
        start = reader.pos
        byte = reader.byte()
        if byte == LF:
            parsed.commands.append(Command("line", _decode(state, start)))
            state["text"] = bytearray()
        elif byte == ESC:
            _esc(reader, parsed, state)
        elif byte == GS:
            _gs(reader, parsed)
        elif byte == DLE:
            _dle(reader, parsed)
        elif byte >= 0x20 and byte != 0x7F:
            state["text"].append(byte)  # type: ignore[attr-defined]
        else:
            raise EscposParseError(f"unknown control byte {byte:#04x} at {start}")
    if state["text"]:
        raise EscposParseError(f"text without a line feed at the end: {bytes(state['text'])!r}")
    return parsed


def _decode(state: dict[str, object], at: int) -> str:
    raw = bytes(state["text"])  # type: ignore[arg-type]
    if not raw:
        return ""
    if state["codepage"] is None:
        raise EscposParseError(f"text before any code page was selected, at byte {at}: {raw!r}")
    return raw.decode(CODE_PAGES[int(state["codepage"])])  # type: ignore[call-overload]


def _flush_check(state: dict[str, object], what: str) -> None:
    if state["text"]:
        raise EscposParseError(f"{what} in the middle of a text line: {bytes(state['text'])!r}")  # type: ignore[arg-type]


def _esc(reader: _Reader, parsed: Parsed, state: dict[str, object]) -> None:
    op = reader.byte()
    if op == ord("@"):
        parsed.commands.append(Command("init"))
    elif op == ord("t"):
        page = reader.byte()
        if page not in CODE_PAGES:
            raise EscposParseError(f"ESC t {page}: a code page this parser does not know")
        state["codepage"] = page
        parsed.commands.append(Command("codepage", CODE_PAGES[page]))
    elif op == ord("E"):
        state["bold"] = bool(reader.byte() & 1)
        parsed.commands.append(Command("bold", state["bold"]))
    elif op == ord("a"):
        parsed.commands.append(
            Command(
                "align",
                {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}[
                    reader.byte()
                ],
            )
        )
    elif op == ord("M"):
        parsed.commands.append(Command("font", {0: "A", 1: "B", 48: "A", 49: "B"}[reader.byte()]))
    elif op == ord("!"):
        parsed.commands.append(Command("mode", reader.byte()))
    elif op == ord("d"):
        _flush_check(state, "ESC d")
        parsed.commands.append(Command("feed", reader.byte()))
    elif op == ord("p"):
        pin, on, off = reader.take(3)
        parsed.commands.append(Command("drawer", (pin, on, off)))
    else:
        raise EscposParseError(f"unknown command ESC {op:#04x} at {reader.pos - 2}")


def _gs(reader: _Reader, parsed: Parsed) -> None:
    op = reader.byte()
    if op == ord("V"):
        mode = reader.byte()
        feed = reader.byte() if mode in (65, 66) else None
        parsed.commands.append(
            Command(
                "cut",
                {0: "full", 48: "full", 1: "partial", 49: "partial", 65: "full", 66: "partial"}[
                    mode
                ],
            )
        )
        del feed
    elif op == ord("("):
        _gs_paren(reader, parsed)
    elif op in (ord("h"), ord("w"), ord("H"), ord("f")):
        parsed.commands.append(
            Command(
                {
                    ord("h"): "barcode_height",
                    ord("w"): "barcode_width",
                    ord("H"): "barcode_hri",
                    ord("f"): "barcode_font",
                }[op],
                reader.byte(),
            )
        )
    elif op == ord("k"):
        kind = reader.byte()
        if kind not in BARCODE_B:
            raise EscposParseError(f"GS k {kind}: a barcode type this parser does not know")
        data = reader.take(reader.byte())
        parsed.commands.append(Command("barcode", (BARCODE_B[kind], data.decode("ascii"))))
    elif op == ord("v"):
        if reader.byte() != ord("0"):
            raise EscposParseError("GS v: only GS v 0 raster images are known")
        reader.byte()  # density
        width_bytes = int.from_bytes(reader.take(2), "little")
        height = int.from_bytes(reader.take(2), "little")
        reader.take(width_bytes * height)
        parsed.commands.append(Command("raster", (width_bytes * 8, height)))
    else:
        raise EscposParseError(f"unknown command GS {op:#04x} at {reader.pos - 2}")


def _gs_paren(reader: _Reader, parsed: Parsed) -> None:
    fn_kind = reader.byte()
    size = int.from_bytes(reader.take(2), "little")
    body = reader.take(size)
    if fn_kind != ord("k") or body[0] != ord("1"):
        raise EscposParseError(f"GS ( {chr(fn_kind)}: only QR codes (GS ( k, cn 49) are known")
    fn = body[1]
    if fn == 80:  # store the data: cn fn m d…
        parsed.commands.append(Command("qr_data", body[3:].decode("utf-8")))
    elif fn == 81:
        parsed.commands.append(Command("qr_print"))
    elif fn in (65, 67, 69):
        parsed.commands.append(Command({65: "qr_model", 67: "qr_size", 69: "qr_ec"}[fn], body[2]))
    else:
        raise EscposParseError(f"GS ( k QR function {fn}: not known")


def _dle(reader: _Reader, parsed: Parsed) -> None:
    op = reader.byte()
    if op == 0x14:  # DLE DC4 1 m t: real-time pulse
        fn, pin, time = reader.take(3)
        if fn != 1:
            raise EscposParseError(f"DLE DC4 {fn}: only the real-time pulse (1) is known")
        parsed.commands.append(Command("realtime_pulse", (pin, time)))
    elif op == 0x04:
        parsed.commands.append(Command("status_query", reader.byte()))
    else:
        raise EscposParseError(f"unknown command DLE {op:#04x}")
