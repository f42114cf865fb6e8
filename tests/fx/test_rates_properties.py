"""Properties of the conversion arithmetic over random amounts, rates and currencies,
zero-decimal (JPY, KRW) and three-decimal (BHD, KWD) ones included."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from fx.currencies import exponent
from fx.rates import convert_minor, cross_rate

CODES = ["USD", "EUR", "JPY", "KRW", "BHD", "KWD", "IDR", "GBP", "CLF"]
rates = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("50000"), places=6, allow_nan=False
)
amounts = st.integers(min_value=0, max_value=10**13)


def exact_value(amount: int, source: str, target: str, rate: Decimal) -> Fraction:
    shift = Fraction(10) ** (exponent(target) - exponent(source))  # type: ignore[operator]
    return Fraction(amount) * Fraction(rate) * shift


@given(amounts, st.sampled_from(CODES), st.sampled_from(CODES), rates, rates)
def test_a_conversion_is_within_half_a_minor_unit_of_the_exact_value(
    amount: int, source: str, target: str, source_rate: Decimal, target_rate: Decimal
) -> None:
    table = {source: source_rate, target: target_rate}
    rate = cross_rate(table, base="XXX", source=source, target=target)

    converted = convert_minor(amount, source=source, target=target, rate=rate)

    assert abs(converted - exact_value(amount, source, target, rate)) <= Fraction(1, 2)
    # The rate is the set's cross rate to 20 significant digits.
    exact_rate = Fraction(target_rate) / Fraction(source_rate) if source != target else 1
    assert abs(Fraction(rate) - exact_rate) <= Fraction(exact_rate) / 10**19


@given(amounts, st.sampled_from(CODES), st.sampled_from(CODES), rates, rates)
def test_a_round_trip_comes_back_within_half_a_minor_unit_of_the_other_currency(
    amount: int, source: str, target: str, source_rate: Decimal, target_rate: Decimal
) -> None:
    table = {source: source_rate, target: target_rate}
    there = cross_rate(table, base="XXX", source=source, target=target)

    converted = convert_minor(amount, source=source, target=target, rate=there)

    # Read back at the same rate, the converted amount is the original to within the
    # half minor unit of the target currency that rounding may take, valued in the source.
    back = Fraction(converted) / exact_value(1, source, target, there)
    half_target_unit = Fraction(1, 2) / exact_value(1, source, target, there)
    assert abs(back - amount) <= half_target_unit


@given(amounts, st.sampled_from(CODES), rates)
def test_the_same_currency_is_never_changed(amount: int, code: str, rate: Decimal) -> None:
    assert cross_rate({code: rate}, base="XXX", source=code, target=code) == 1
    assert convert_minor(amount, source=code, target=code, rate=Decimal(1)) == amount
