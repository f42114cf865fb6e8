"""ISO 4217 minor-unit exponents from the `iso4217` package.

That package ships ISO's own published table (its version is the table's publication
date) and is released when ISO amends the list; pycountry's currencies carry no minor
units, and Babel's digits are CLDR's display preferences, which differ from ISO 4217 for
several currencies. Codes without an exponent (gold, SDR, the test code XTS) cannot be
amounts.
"""

from __future__ import annotations

from functools import cache

from iso4217 import Currency


@cache
def _exponents() -> dict[str, int]:
    return {c.code: c.exponent for c in Currency if c.exponent is not None}


def exponent(code: str) -> int | None:
    """The number of decimals of `code`'s minor unit, or None for a code that has none."""
    return _exponents().get(code)
