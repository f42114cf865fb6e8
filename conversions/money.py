"""Commission arithmetic in integer minor units. No floats anywhere.

A percentage commission is `amount_cents * bps / 10 000`, rounded half to even
(banker's rounding) to a whole minor unit of the conversion's currency. Because the
amount is already in minor units, the same rule is exact for zero-decimal (JPY),
two-decimal (EUR) and three-decimal (BHD) currencies. Half-even is chosen over
half-up so that rounding does not drift in one party's favour over many conversions.
"""

from __future__ import annotations

import calendar
from datetime import datetime

BPS_DENOMINATOR = 10_000


def percent_of(amount_cents: int, bps: int) -> int:
    """`amount_cents * bps / 10 000`, rounded half to even; always within [0, amount]."""
    if amount_cents < 0:
        raise ValueError("amount_cents must not be negative")
    if not 0 <= bps <= BPS_DENOMINATOR:
        raise ValueError("bps must be between 0 and 10000")
    quotient, remainder = divmod(amount_cents * bps, BPS_DENOMINATOR)
    twice = remainder * 2
    if twice > BPS_DENOMINATOR or (twice == BPS_DENOMINATOR and quotient % 2 == 1):
        quotient += 1
    return quotient


def split(amount_cents: int, bps: int) -> tuple[int, int]:
    """(partner commission, merchant share): the two always add up to the gross amount."""
    commission = percent_of(amount_cents, bps)
    return commission, amount_cents - commission


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
