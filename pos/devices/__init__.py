"""The till's physical side: receipt printers (python-escpos), the cash drawer, barcode scanners.

Only this package imports escpos or serial. Everything above it sees small protocols
(``Printer``, ``Drawer``, ``Scanner``) whose status is ok, fault(kind) or unknown.
"""

import logging as _logging

from pos.devices.escpos_cache import use_private_cache

# Before any module of this package imports escpos (see escpos_cache: ~0.3 s per process).
use_private_cache()


def _import_escpos_keeping_logging() -> None:
    """python-escpos' capabilities module calls ``logging.basicConfig()`` on import.

    That would give the root logger a stderr handler of its own choosing (warnings over the
    till's screen and ``pos pay --json``), or none of the till's: the handlers are put back.
    """
    root = _logging.getLogger()
    handlers = list(root.handlers)
    import escpos.capabilities  # noqa: F401  (imported here, once, for its side effect)

    root.handlers[:] = handlers


_import_escpos_keeping_logging()
