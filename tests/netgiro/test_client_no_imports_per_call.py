"""A warm client imports nothing per call: httpcore asks for ``sniffio`` on every lock it takes,
and without the package installed each request searched the whole path for it, four times
(~0.3 ms of CPU per call, a third of the client's cost; benchmarks/client.py found it)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

from pos.netgiro.client import NetgiroClient
from tests.support.scripted_netgiro import TX, by_call, cart, scripted_netgiro


class ImportsSeen:
    """A finder first in ``sys.meta_path`` that only notes what the import system looked for."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        self.names.append(name)
        return None


async def test_a_warm_check_cart_looks_up_no_module() -> None:
    with scripted_netgiro(by_call(CheckCart=cart(10425))) as server:
        async with NetgiroClient(server.base_url, "app", "secret") as client:
            await client.check_cart(TX)  # warm: whatever a first call imports is imported
            seen = ImportsSeen()
            sys.meta_path.insert(0, seen)
            try:
                for _ in range(3):
                    await client.check_cart(TX)
            finally:
                sys.meta_path.remove(seen)
    assert seen.names == []
