"""Amounts in currency units (`"149.99"`) to integer minor units, exactly.

The vendor document sends a sale's amount as text in units of its currency. It is read
as a `Decimal` and scaled by the currency's ISO 4217 exponent; an amount with more
decimals than the currency has (`"149.999"` EUR) is refused, never rounded, and a
JSON number with a fraction is refused too: a binary float may already have rounded it
before Selgeo could see it. Zero-decimal (JPY) and three-decimal (BHD) currencies
follow from their exponents.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from typing import Any

from compat.affspace.errors import DialectError
from selgeo.currencies import minor_unit_exponent

AMOUNT_PATTERN = r"^-?[0-9]{1,18}(\.[0-9]{1,18})?$"
_AMOUNT = re.compile(AMOUNT_PATTERN)
# Selgeo's ceiling for an amount in minor units (as on its own Conversion API).
MAX_MINOR = 10**15
FORMAT_MESSAGE = 'amount must be a decimal number such as "149.99"'


def amount_minor(raw: Any, *, currency: str) -> int:
    """`raw` (text, or a JSON integer) in `currency`'s minor units; DialectError if it
    is not a positive amount that the currency can hold exactly."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise DialectError(FORMAT_MESSAGE, field="amount")
    text = str(raw).strip()
    if not _AMOUNT.match(text):
        raise DialectError(FORMAT_MESSAGE, field="amount")
    value = Decimal(text)
    if value <= 0:
        raise DialectError("amount must be positive", field="amount")
    exponent = minor_unit_exponent(currency)
    # Enough digits for any amount the pattern admits: nothing is rounded on the way.
    with localcontext() as context:
        context.prec = 60
        minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise DialectError(
            f"amount has more decimals than {currency} allows ({exponent})", field="amount"
        )
    if minor > MAX_MINOR:
        raise DialectError("amount is too large", field="amount")
    return int(minor)
