"""PIN hashes: salted scrypt, parameters stored with each hash so they can be raised later.

Stored as ``scrypt$<log2 n>$<r>$<p>$<salt hex>$<hash hex>``. A PIN is a few digits, so the hash
is what stands between a copied people file and every PIN: scrypt's memory cost (16 MiB at
n=2**14, r=8) makes each guess dear; the lockout in pos.core.people limits guesses at the till.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCHEME = "scrypt"
LOG2_N, BLOCK_SIZE, PARALLEL = 14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
_MAX_MEMORY = 130 * 1024 * 1024  # n=2**16, r=8 at most: 64 MiB plus headroom


def hash_pin(pin: str, *, salt: bytes | None = None, log2_n: int = LOG2_N) -> str:
    """A new salted hash of ``pin``; tests may give the salt, or a lower cost to run fast."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, log2_n, BLOCK_SIZE, PARALLEL)
    return f"{SCHEME}${log2_n}${BLOCK_SIZE}${PARALLEL}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether ``pin`` hashes to ``stored``, compared in constant time; False for a broken hash."""
    parsed = parse_hash(stored)
    if parsed is None:
        return False
    log2_n, block_size, parallel, salt, digest = parsed
    return hmac.compare_digest(_scrypt(pin, salt, log2_n, block_size, parallel), digest)


def parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    """The parts of a stored hash, or None if it is not one this code can check."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        log2_n, block_size, parallel = (int(part) for part in parts[1:4])
        salt, digest = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        return None
    if not (10 <= log2_n <= 16 and 1 <= block_size <= 8 and 1 <= parallel <= 4):
        return None
    if len(salt) < SALT_BYTES or len(digest) != HASH_BYTES:
        return None
    return log2_n, block_size, parallel, salt, digest


def _scrypt(pin: str, salt: bytes, log2_n: int, block_size: int, parallel: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"),
        salt=salt,
        n=2**log2_n,
        r=block_size,
        p=parallel,
        maxmem=_MAX_MEMORY,
        dklen=HASH_BYTES,
    )
