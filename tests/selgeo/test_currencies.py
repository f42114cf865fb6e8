"""`selgeo.currencies`: the ISO 4217 table as the `iso4217` package publishes it, and
exact amounts in zero-, two-, three- and four-decimal currencies."""

from __future__ import annotations

import pytest
from iso4217 import Currency

from fx.currencies import exponent
from selgeo.api.serializers import CurrencyField
from selgeo.currencies import CURRENCIES, format_amount, is_currency, minor_unit_exponent


def test_the_table_is_iso_4217_as_published() -> None:
    published = {c.code: c.exponent for c in Currency if c.exponent is not None}

    assert published == CURRENCIES
    assert list(CURRENCIES) == sorted(CURRENCIES)


@pytest.mark.parametrize(
    ("code", "decimals"),
    [("JPY", 0), ("KRW", 0), ("USD", 2), ("EUR", 2), ("KWD", 3), ("BHD", 3), ("CLF", 4)],
)
def test_exponents(code: str, decimals: int) -> None:
    assert minor_unit_exponent(code) == decimals
    assert exponent(code) == decimals
    assert is_currency(code)


def test_amendments_are_followed() -> None:
    # The Caribbean guilder (XCG) replaced the Netherlands Antillean guilder (ANG) in
    # 2025, Venezuela's VED sits beside VES, and the euro replaced the lev (BGN) in 2026.
    assert is_currency("XCG") and minor_unit_exponent("XCG") == 2
    assert is_currency("VED")
    assert not is_currency("ANG")
    assert not is_currency("BGN")


@pytest.mark.parametrize("code", ["XAU", "XDR", "XTS", "XXX", "eur", "ZZZ", ""])
def test_codes_without_a_minor_unit_are_not_currencies(code: str) -> None:
    assert not is_currency(code)
    assert exponent(code) is None


@pytest.mark.parametrize(
    ("cents", "code", "text"),
    [
        (4900, "JPY", "4,900 JPY"),
        (1234567, "JPY", "1,234,567 JPY"),
        (4900, "EUR", "49.00 EUR"),
        (4900, "BHD", "4.900 BHD"),
        (1, "KWD", "0.001 KWD"),
        (-1234567, "KWD", "-1,234.567 KWD"),
        (12345, "CLF", "1.2345 CLF"),
    ],
)
def test_format_amount_is_exact(cents: int, code: str, text: str) -> None:
    assert format_amount(cents, code) == text


def test_the_api_takes_the_new_codes_and_refuses_the_withdrawn_ones() -> None:
    field = CurrencyField()

    assert field.run_validation("XCG") == "XCG"
    with pytest.raises(Exception, match="Unknown ISO 4217 currency code"):
        field.run_validation("ANG")
