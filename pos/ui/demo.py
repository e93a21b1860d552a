"""Demo mode: where the sandbox's customer page is, whether a phone can reach it, and who to try."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from pos.core.public_test_data import (
    TEST_GSM_NUMBERS,
    TEST_SSN_NO_CREDIT,
    TEST_SSN_UNLIMITED_CREDIT,
)


@dataclass(frozen=True)
class DemoInfo:
    """The embedded sandbox's customer page, and the test customers it answers to."""

    customer_page_url: str
    gsm_numbers: tuple[str, ...] = TEST_GSM_NUMBERS
    ssn_with_code: str = TEST_SSN_UNLIMITED_CREDIT
    ssn_declined: str = TEST_SSN_NO_CREDIT

    @property
    def phone_can_reach(self) -> bool:
        """A LAN address a phone can open; loopback and unspecified addresses cannot."""
        host = urlsplit(self.customer_page_url).hostname or ""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return host not in {"", "localhost"}
        return not (address.is_loopback or address.is_unspecified or address.is_link_local)


def qr_lines(url: str) -> list[str]:
    """The URL as a QR code in half-block characters (two modules a character row)."""
    import qrcode

    code = qrcode.QRCode(border=1)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    blocks = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    return [
        "".join(blocks[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(matrix[::2], matrix[1::2], strict=True)
    ]
