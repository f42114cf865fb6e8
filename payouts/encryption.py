"""Encryption at rest for payout and tax secrets (IBANs, tax ids, signatures).

Values are Fernet tokens (AES-128-CBC with HMAC-SHA256) under a MultiFernet built from
`SELGEO_ENCRYPTION_KEYS`: the first key encrypts, every key decrypts, so a key is
rotated by putting the new one first and re-encrypting the stored values
(`manage.py selgeo_rotate_encryption`) before the old one is dropped. Without the
setting, outside production, a key is derived from `SECRET_KEY` so that the embedded
mode works with no configuration; production refuses to encrypt without one.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        if settings.PRODUCTION:
            raise ImproperlyConfigured(
                "SELGEO_ENCRYPTION_KEYS must be set in production (Fernet keys, comma-separated)"
            )
        derived = hashlib.sha256(f"selgeo-encryption:{secret_key}".encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "SELGEO_ENCRYPTION_KEYS holds a value that is not a Fernet key"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.SELGEO_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same value under the first key (a no-op for values already under it)."""
    return fernet().rotate(token.encode()).decode()


def mask(value: str, visible: int = 4) -> str:
    """All but the last `visible` characters hidden: what every answer, page and log shows."""
    if not value:
        return ""
    tail = value[-visible:] if len(value) > visible else ""
    return f"•••• {tail.strip()}".rstrip()


class EncryptedTextField(models.TextField):
    """Text stored encrypted; the model holds the plaintext, the row only the token.

    An empty value is stored empty (nothing to hide, and "not given" stays visible).
    Encrypted values cannot be searched or compared in SQL: keep a masked copy (last
    four characters) beside the field where one is needed.
    """

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str:
        if not value:
            return ""
        try:
            return decrypt(value)
        except InvalidToken as exc:
            raise ImproperlyConfigured(
                "A stored value cannot be decrypted with SELGEO_ENCRYPTION_KEYS"
            ) from exc

    def get_prep_value(self, value: object) -> str:
        value = super().get_prep_value(value)
        if not value:
            return ""
        return encrypt(str(value))
