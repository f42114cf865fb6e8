"""API key format, generation and hashing.

A key is `<kind>_<mode>_<lookup><secret>`: `pk`/`sk`, `test`/`live`, a 12-character
lookup id and a 32-character secret, all base62 from the `secrets` CSPRNG
(about 261 bits). The stored prefix is everything up to the end of the lookup id.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

_ALPHABET = string.ascii_letters + string.digits
LOOKUP_LEN = 12
SECRET_LEN = 32
KEY_RE = re.compile(
    rf"^(?P<kind>pk|sk)_(?P<mode>test|live)_"
    rf"(?P<lookup>[A-Za-z0-9]{{{LOOKUP_LEN}}})(?P<secret>[A-Za-z0-9]{{{SECRET_LEN}}})$"
)
KIND_BY_PREFIX = {"pk": "public", "sk": "secret"}
PREFIX_BY_KIND = {"public": "pk", "secret": "sk"}


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def digests_match(raw: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_key(raw), stored_hash)


@dataclass(frozen=True)
class ParsedKey:
    kind: str  # "public" | "secret"
    mode: str  # "test" | "live"
    prefix: str
    raw: str


def parse_key(raw: str) -> ParsedKey | None:
    """Shape check without touching the database: garbage never costs a query."""
    match = KEY_RE.match(raw)
    if match is None:
        return None
    prefix = f"{match['kind']}_{match['mode']}_{match['lookup']}"
    return ParsedKey(kind=KIND_BY_PREFIX[match["kind"]], mode=match["mode"], prefix=prefix, raw=raw)


def generate_key(*, kind: str, mode: str) -> ParsedKey:
    raw = f"{PREFIX_BY_KIND[kind]}_{mode}_{_random(LOOKUP_LEN)}{_random(SECRET_LEN)}"
    parsed = parse_key(raw)
    assert parsed is not None
    return parsed
