"""ISO 4217 minor-unit exponents, as `selgeo.currencies` reads them from the `iso4217`
package (ISO's own published table). pycountry's currencies carry no minor units, and
Babel's digits are CLDR's display preferences, which differ from ISO 4217 for several
currencies. Codes without an exponent (gold, SDR, the test code XTS) cannot be amounts.
"""

from __future__ import annotations

from selgeo.currencies import CURRENCIES


def exponent(code: str) -> int | None:
    """The number of decimals of `code`'s minor unit, or None for a code that has none."""
    return CURRENCIES.get(code)
