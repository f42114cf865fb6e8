"""Short, fine-grained transaction locks for rules a unique constraint cannot express.

"CPA pays once per customer" depends on other rows, so two concurrent conversions of
one customer could both see "not yet converted". A PostgreSQL advisory lock taken
for the rest of the transaction makes the second wait until the first commits; under
READ COMMITTED its next query then sees the first conversion. Only conversions of the
same customer or click wait for each other.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def _lock_id(name: str) -> int:
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def serialise_on(*names: str) -> None:
    """Hold a transaction-scoped lock per name; names are taken in a fixed order."""
    if not names or connection.vendor != "postgresql":
        # SQLite, the embedded single-process default, already serialises writers.
        return
    if not connection.in_atomic_block:
        raise RuntimeError("serialise_on() must run inside a transaction")
    with connection.cursor() as cursor:
        for lock_id in sorted({_lock_id(name) for name in names}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
