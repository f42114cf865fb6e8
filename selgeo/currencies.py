"""ISO 4217 currencies and their minor-unit exponents (how many decimals a unit has).

Money is always integer minor units plus a code: 4900 EUR is 49.00 EUR, 4900 JPY is
4,900 yen, 4900 BHD is 4.900 dinars.

The table is read from the `iso4217` package, which ships ISO's own published list (its
version is the list's publication date) and is released when ISO amends it: a hand-kept
copy drifts (it still had ANG after the Caribbean guilder replaced it, and BGN after
Bulgaria joined the euro). Every code with a minor unit is a code Selgeo takes, funds
codes included (CLF has four decimals); codes without one (gold, SDR, the test code
XTS) cannot be amounts. `fx.currencies` reads the same table.
"""

from __future__ import annotations

from iso4217 import Currency

# {code: exponent}, sorted by code so that lists built from it (the OpenAPI enum, form
# choices) are stable.
CURRENCIES: dict[str, int] = dict(
    sorted((c.code, c.exponent) for c in Currency if c.exponent is not None)
)

# The codes alone: the OpenAPI document's one `CurrencyEnum` (settings.py).
CURRENCY_CODES: list[str] = list(CURRENCIES)


def is_currency(code: str) -> bool:
    return code in CURRENCIES


def minor_unit_exponent(code: str) -> int:
    return CURRENCIES[code]


def format_amount(amount_cents: int, code: str) -> str:
    """Human text for an amount in minor units, exact (no float on the way)."""
    exponent = CURRENCIES.get(code, 2)
    sign = "-" if amount_cents < 0 else ""
    units, minor = divmod(abs(amount_cents), 10**exponent)
    if exponent == 0:
        return f"{sign}{units:,} {code}"
    return f"{sign}{units:,}.{minor:0{exponent}d} {code}"
