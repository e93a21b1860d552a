"""Netgíró's request signature: plain SHA-256 over secret + nonce + full URL + the exact body bytes."""

from __future__ import annotations

import hashlib
import hmac


def signature(secret_key: str, nonce: str, full_url: str, body: bytes) -> str:
    """Lowercase hex SHA-256 of ``secret + nonce + url + body`` (Netgíró calls it HMAC; it is not)."""
    digest = hashlib.sha256()
    digest.update(secret_key.encode("utf-8"))
    digest.update(nonce.encode("utf-8"))
    digest.update(full_url.encode("utf-8"))
    digest.update(body)
    return digest.hexdigest()


def signature_matches(expected: str, given: str) -> bool:
    """Compare two signatures in constant time."""
    return hmac.compare_digest(
        expected.encode("ascii", "replace"), given.encode("ascii", "replace")
    )
