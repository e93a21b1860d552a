"""The till's physical side: receipt printers (python-escpos), the cash drawer, barcode scanners.

Only this package imports escpos or serial. Everything above it sees small protocols
(``Printer``, ``Drawer``, ``Scanner``) whose status is ok, fault(kind) or unknown.
"""
