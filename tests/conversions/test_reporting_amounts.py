"""Each conversion and commission records, at its occurred_at, the rate to the merchant's
reporting currency and its amount there (minor units, half to even); a later rate never
rewrites them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Merchant, Partner
from conversions.models import Commission, Conversion
from fx import selectors as fx_selectors
from fx.models import ExchangeRateSet
from fx.services import reporting_currency_set
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory, ProgramFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db


def usd_set(rates: dict[str, str], hours_ago: float = 1) -> ExchangeRateSet:
    at = timezone.now() - timedelta(hours=hours_ago)
    return ExchangeRateSet.objects.create(
        fetched_at=at, effective_at=at, confirmed_at=at, source="json", base="USD", rates=rates
    )


def report(client: Any, click: Click, txid: str = "order_456", **fields: Any) -> Conversion:
    response = post(client, body(click_id=str(click.pk), external_transaction_id=txid, **fields))
    assert response.status_code == 201, response.content
    return Conversion.objects.get(external_transaction_id=txid)


def reported(row: Any) -> tuple[str, str, int | None]:
    return (row.reporting_currency, row.reporting_rate, row.reporting_amount_cents)


def test_a_euro_sale_is_recorded_in_dollars_by_default(sk_live: Any, click: Click) -> None:
    conversion = report(sk_live, click)

    # 49.00 EUR * 1.1476 = 56.2324 USD; the 4.90 EUR commission = 5.62324 USD.
    assert reported(conversion) == ("USD", "1.1476", 5623)
    assert reported(Commission.objects.get()) == ("USD", "1.1476", 562)
    assert conversion.fx_rate_set == ExchangeRateSet.objects.get(source="snapshot")


def test_the_reporting_currency_itself_needs_no_rate(
    sk_live: Any, click: Click, merchant: Merchant
) -> None:
    reporting_currency_set(merchant=merchant, currency="EUR")

    conversion = report(sk_live, click)

    assert reported(conversion) == ("EUR", "1", 4900)
    assert reported(Commission.objects.get()) == ("EUR", "1", 490)
    assert conversion.fx_rate_set_id is None
    assert ExchangeRateSet.objects.count() == 0


def test_zero_decimal_reporting_currency(sk_live: Any, click: Click, merchant: Merchant) -> None:
    reporting_currency_set(merchant=merchant, currency="JPY")

    conversion = report(sk_live, click)

    # 49.00 EUR * 182.85 = 8959.65 yen; 4.90 EUR = 895.965 yen.
    assert reported(conversion) == ("JPY", "182.85", 8960)
    assert reported(Commission.objects.get()) == ("JPY", "182.85", 896)


def test_three_decimal_currencies(sk_live: Any, partner: Partner, merchant: Merchant) -> None:
    usd_set({"BHD": "0.376", "KWD": "0.30712", "KRW": "1491.98"})
    reporting_currency_set(merchant=merchant, currency="KWD")
    program = ProgramFactory(merchant=merchant, mode="live", currency="BHD")
    click = ClickFactory(program=program, partner=partner)

    conversion = report(sk_live, click, currency="BHD", amount_cents=10005)
    won = report(sk_live, click, "o2", currency="KRW", amount_cents=1234567)

    # 10.005 BHD * 0.30712 / 0.376 = 8.17216914 KWD; the 1.000 BHD (1000.5 fils, to even)
    # commission = 0.81680851 KWD.
    assert reported(conversion) == ("KWD", "0.81680851063829787234", 8172)
    commission = Commission.objects.get(conversion=conversion)
    assert (commission.amount_cents, reported(commission)) == (
        1000,
        ("KWD", "0.81680851063829787234", 817),
    )
    # 1,234,567 won = 311.128 BHD (311.1283) and 254.132 KWD (254.1322); its commission,
    # 31.113 BHD (31.1128), = 25.413 KWD (25.4134).
    assert won.converted_amount_cents == 311128
    assert reported(won) == ("KWD", "0.0002058472633681416641", 254132)
    assert Commission.objects.get(conversion=won).reporting_amount_cents == 25413


@pytest.mark.parametrize(("amount", "expected"), [(4901, 9802), (4903, 9806)])
def test_reporting_amounts_round_half_to_even(
    sk_live: Any, click: Click, amount: int, expected: int
) -> None:
    usd_set({"EUR": "0.5"})

    conversion = report(sk_live, click, amount_cents=amount)

    # The commission (10%) is 490.1 -> 490 or 490.3 -> 490 euro cents, then * 2.
    assert reported(conversion) == ("USD", "2", expected)
    assert Commission.objects.get().reporting_amount_cents == 980


def test_halves_in_the_reporting_amount_go_to_even(
    sk_live: Any, click: Click, merchant: Merchant
) -> None:
    usd_set({"EUR": "2"})

    odd = report(sk_live, click, amount_cents=4901)
    even = report(sk_live, click, "o2", amount_cents=4903)

    # 4901 / 2 = 2450.5 -> 2450; 4903 / 2 = 2451.5 -> 2452.
    assert (odd.reporting_amount_cents, even.reporting_amount_cents) == (2450, 2452)


def test_a_later_rate_never_rewrites_recorded_amounts(sk_live: Any, click: Click) -> None:
    usd_set({"EUR": "0.8"}, hours_ago=2)
    first = report(sk_live, click)
    usd_set({"EUR": "0.5"}, hours_ago=0.5)
    # Stored behind the cache's back (the service refuses a set in effect in the past).
    fx_selectors.caches_clear()
    second = report(sk_live, click, "o2")

    first.refresh_from_db()
    assert reported(first) == ("USD", "1.25", 6125)
    assert reported(second) == ("USD", "2", 9800)
    assert Commission.objects.get(conversion=first).reporting_amount_cents == 612


def test_a_reporting_currency_without_a_stored_rate_leaves_the_amount_blank(
    sk_live: Any, click: Click, merchant: Merchant
) -> None:
    reporting_currency_set(merchant=merchant, currency="AED")

    conversion = report(sk_live, click)

    assert conversion.attributed is True
    assert reported(conversion) == ("AED", "", None)
    assert reported(Commission.objects.get()) == ("AED", "", None)
    assert conversion.fx_rate_set_id is None


def test_an_unattributed_conversion_still_records_its_reporting_amount(
    sk_live: Any, merchant: Merchant
) -> None:
    response = post(sk_live, body(promo_code="NOPE", currency="GBP", amount_cents=1000))

    assert response.status_code == 201
    # 10.00 GBP = 10 * 1.1476 / 0.86503 = 13.2666 USD.
    assert reported(Conversion.objects.get()) == ("USD", "1.3266591910107163913", 1327)
    assert Commission.objects.count() == 0
