"""The till's physical side: receipt printers (python-escpos), the cash drawer, barcode scanners.

Only this package imports escpos or serial. Everything above it sees small protocols
(``Printer``, ``Drawer``, ``Scanner``) whose status is ok, fault(kind) or unknown.
"""

from pos.devices.escpos_cache import use_private_cache

# Before any module of this package imports escpos (see escpos_cache: ~0.3 s per process).
use_private_cache()
