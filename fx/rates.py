"""Exchange-rate arithmetic: exact fractions, one rounding at the end. No floats.

A set holds rates per one unit of its base, as published. The rate from currency A to
currency B is `rate(B) / rate(A)`, computed as an exact fraction and written as a
decimal of `RATE_DIGITS` significant digits (half to even): that decimal is "the rate
used", stored with the conversion and shown in its attribution steps. An amount is
converted with exactly that decimal and rounded once, half to even, to a whole minor
unit of B (ISO 4217 exponents, `fx.currencies`), so the stored amount can always be
recomputed from the stored rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

from fx.currencies import exponent

RATE_DIGITS = 20
# The USD map of GET /exchange/rates: significant digits of each rebased rate.
API_DIGITS = 10


class RateUnavailable(Exception):
    """The set has no rate for the currency (or the code has no minor unit)."""

    def __init__(self, currency: str) -> None:
        super().__init__(currency)
        self.currency = currency


def _rate_of(rates: Mapping[str, Decimal], base: str, currency: str) -> Fraction:
    if currency == base:
        return Fraction(1)
    value = rates.get(currency)
    if value is None:
        raise RateUnavailable(currency)
    return Fraction(value)


def _decimal(value: Fraction, digits: int) -> Decimal:
    with localcontext() as context:
        context.prec = digits
        context.rounding = ROUND_HALF_EVEN
        return Decimal(value.numerator) / Decimal(value.denominator)


def plain(value: Decimal) -> str:
    """A decimal as plain digits, without exponent or trailing zeros ("0.93897", "150")."""
    text = format(value.normalize(), "f")
    return text


def cross_rate(
    rates: Mapping[str, Decimal], *, base: str, source: str, target: str, digits: int = RATE_DIGITS
) -> Decimal:
    """Units of `target` for one unit of `source`, to `digits` significant digits."""
    if source == target:
        return Decimal(1)
    for code in (source, target):
        if exponent(code) is None:
            raise RateUnavailable(code)
    return _decimal(_rate_of(rates, base, target) / _rate_of(rates, base, source), digits)


def convert_minor(amount_minor: int, *, source: str, target: str, rate: Decimal) -> int:
    """`amount_minor` of `source` in minor units of `target` at `rate`, half to even."""
    source_exp, target_exp = exponent(source), exponent(target)
    if source_exp is None:
        raise RateUnavailable(source)
    if target_exp is None:
        raise RateUnavailable(target)
    exact = Fraction(amount_minor) * Fraction(rate) * Fraction(10) ** (target_exp - source_exp)
    # round() of a Fraction rounds half to even.
    return round(exact)


def rebased(rates: Mapping[str, Decimal], *, base: str, to: str = "USD") -> dict[str, Decimal]:
    """Every rate of the set per one unit of `to`, to `API_DIGITS` significant digits."""
    out = {to: Decimal(1)}
    for code in sorted({*rates, base} - {to}):
        out[code] = cross_rate(rates, base=base, source=to, target=code, digits=API_DIGITS)
    return out
