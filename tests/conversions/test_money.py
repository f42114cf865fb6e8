"""Commission arithmetic: exact, half-even, in minor units of any currency exponent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Merchant, Partner
from conversions.money import add_months, percent_of, split
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory, ProgramFactory


@given(
    amount=st.integers(min_value=0, max_value=10**15),
    bps=st.integers(min_value=0, max_value=10_000),
)
def test_commission_and_merchant_share_add_up_to_the_gross(amount: int, bps: int) -> None:
    commission, merchant_share = split(amount, bps)

    assert commission + merchant_share == amount
    assert 0 <= commission <= amount
    assert 0 <= merchant_share <= amount


@given(
    amount=st.integers(min_value=0, max_value=10**15),
    bps=st.integers(min_value=0, max_value=10_000),
)
def test_percent_of_matches_decimal_half_even(amount: int, bps: int) -> None:
    exact = Decimal(amount) * Decimal(bps) / Decimal(10_000)

    assert percent_of(amount, bps) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@pytest.mark.parametrize(
    ("amount", "bps", "expected"),
    [
        (1, 1000, 0),  # 0.1 of a cent
        (1, 5000, 0),  # exactly half: to the even 0
        (3, 5000, 2),  # 1.5: to the even 2
        (5, 5000, 2),  # 2.5: to the even 2
        (7, 5000, 4),  # 3.5: to the even 4
        (1, 9999, 1),  # 0.9999
        (1, 10_000, 1),
        (4900, 1000, 490),
        (12345, 1000, 1234),  # 1234.5: to the even 1234
        (12355, 1000, 1236),  # 1235.5: to the even 1236
        (9999, 333, 333),  # 332.9667
        (10_001, 1, 1),  # 1.0001
        (15_000, 1, 2),  # 1.5: to the even 2
        (25_000, 1, 2),  # 2.5: to the even 2
        (19_999, 1234, 2468),  # 2467.8766
        (0, 10_000, 0),
        (10**15, 10_000, 10**15),
    ],
)
def test_awkward_amounts_are_exact(amount: int, bps: int, expected: int) -> None:
    assert percent_of(amount, bps) == expected


@pytest.mark.parametrize(("amount", "bps"), [(-1, 100), (100, -1), (100, 10_001)])
def test_out_of_range_inputs_are_refused(amount: int, bps: int) -> None:
    with pytest.raises(ValueError):
        percent_of(amount, bps)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2025, 1, 31, tzinfo=UTC), 1, datetime(2025, 2, 28, tzinfo=UTC)),
        (datetime(2024, 1, 31, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2025, 11, 15, tzinfo=UTC), 3, datetime(2026, 2, 15, tzinfo=UTC)),
        (datetime(2025, 3, 31, tzinfo=UTC), 12, datetime(2026, 3, 31, tzinfo=UTC)),
        (datetime(2025, 8, 31, tzinfo=UTC), 13, datetime(2026, 9, 30, tzinfo=UTC)),
    ],
)
def test_add_months_is_calendar_aware(moment: datetime, months: int, expected: datetime) -> None:
    assert add_months(moment, months) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "amount", "bps", "expected"),
    [
        ("JPY", 999, 1250, 125),  # 124.875 yen
        ("JPY", 1, 1500, 0),
        ("JPY", 5, 1000, 0),  # 0.5 yen: to the even 0
        ("BHD", 12_345, 1000, 1234),  # 12.345 dinars → 1.2345: 1.234 (even)
        ("BHD", 1, 10_000, 1),  # one fils
        ("BHD", 1_005, 50, 5),  # 5.025 fils
        ("EUR", 1, 1, 0),
    ],
)
def test_api_commission_in_zero_and_three_decimal_currencies(
    sk_live: Any,
    merchant: Merchant,
    partner: Partner,
    currency: str,
    amount: int,
    bps: int,
    expected: int,
) -> None:
    program = ProgramFactory(merchant=merchant, currency=currency, percent_bps=bps)
    click = ClickFactory(program=program, partner=partner)

    response = post(sk_live, body(click_id=str(click.pk), amount_cents=amount, currency=currency))

    assert response.status_code == 201, response.content
    commission = response.json()["commission"]
    assert (commission["amount_cents"], commission["currency"]) == (expected, currency)


def test_money_code_never_uses_floats() -> None:
    from pathlib import Path

    import conversions

    root = Path(conversions.__file__).parent
    for path in root.glob("*.py"):
        assert "float(" not in path.read_text(), path
