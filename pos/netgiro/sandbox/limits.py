"""The sandbox's limits that its command line shows too: importing them costs no web stack."""

from __future__ import annotations

MAX_REFERENCE_LENGTH = 32
"""A longer Reference is refused with 10304 (the cart is not valid)."""
