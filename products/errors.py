"""Product errors."""

from __future__ import annotations

from selgeo.api.errors import ValidationFailed

CODE_TAKEN = {"field": "code", "message": "A product with this code already exists in this mode"}


def code_taken() -> ValidationFailed:
    return ValidationFailed(CODE_TAKEN["message"], details=[CODE_TAKEN])
