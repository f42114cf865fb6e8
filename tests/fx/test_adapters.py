"""The ECB XML and JSON adapters read real-format documents exactly and refuse broken ones."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from fx.adapters import MalformedRates, parse, parse_ecb, parse_json
from tests.fx.server import document


def test_ecb_daily_xml_is_read_as_published_per_euro() -> None:
    parsed = parse_ecb(document("ecb-2026-03-13.xml"))

    assert parsed.source == "ecb"
    assert parsed.base == "EUR"
    assert parsed.published_at == datetime(2026, 3, 13, 15, 0, tzinfo=UTC)
    assert len(parsed.rates) == 29
    assert parsed.rates["USD"] == Decimal("1.1476")
    assert parsed.rates["ISK"] == Decimal("144.20")
    assert parsed.rates["IDR"] == Decimal("19395.07")
    assert "EUR" not in parsed.rates


def test_json_rates_are_decimals_from_the_text_and_skip_codes_without_minor_units() -> None:
    parsed = parse_json(document("openexchangerates.json"))

    assert parsed.source == "json"
    assert parsed.base == "USD"
    assert parsed.published_at == datetime(2026, 3, 14, 15, 0, tzinfo=UTC)
    assert parsed.rates == {
        "AED": Decimal("3.6725"),
        "BHD": Decimal("0.376"),
        "EUR": Decimal("0.871687"),
        "GBP": Decimal("0.753817"),
        "JPY": Decimal("159.452"),
        "KRW": Decimal("1491.98"),
        "KWD": Decimal("0.30712"),
    }


def test_json_date_is_accepted_instead_of_a_timestamp() -> None:
    parsed = parse_json(b'{"base": "EUR", "date": "2026-03-13", "rates": {"USD": "1.1476"}}')
    assert parsed.published_at == datetime(2026, 3, 13, tzinfo=UTC)
    assert parsed.rates == {"USD": Decimal("1.1476")}


def test_the_format_is_chosen_by_the_first_character() -> None:
    assert parse(document("ecb-2026-03-13.xml")).source == "ecb"
    assert parse(b" \n" + document("openexchangerates.json")).source == "json"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("ecb-truncated.xml", "not well-formed XML"),
        ("ecb-without-usd.xml", "the EUR-based rates have no USD rate to read them in dollars"),
        ("ecb-bad-rate.xml", "the rate of JPY is not a positive number: '-182.85'"),
        ("ecb-comma-decimals.xml", "the rate of JPY is not a number: '182,85'"),
        ("ecb-no-day.xml", "expected one dated <Cube time=...>, found 0"),
        ("json-truncated.json", "not JSON"),
    ],
)
def test_broken_documents_are_refused_whole(name: str, reason: str) -> None:
    with pytest.raises(MalformedRates) as raised:
        parse(document(name))
    assert str(raised.value).startswith(reason)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[]", 'expected an object with "base" and a "rates" object'),
        (b'{"base": "USD"}', 'expected an object with "base" and a "rates" object'),
        (b'{"base": 1, "rates": {}}', '"base" must be a currency code'),
        (b'{"base": "ZZZ", "rates": {"EUR": 1}}', "the base 'ZZZ' is not an ISO 4217 currency"),
        (b'{"base": "USD", "rates": {}}', "the document has no rates"),
        (b'{"base": "USD", "rates": {"XAU": 0.0003}}', "the document has no rates"),
        (b'{"base": "USD", "rates": {"EUR": "NaN"}}', "the rate of EUR is not a positive number"),
        (b'{"base": "USD", "rates": {"EUR": 0}}', "the rate of EUR is not a positive number"),
        (b'{"base": "USD", "rates": {"EUR": true}}', "the rate of EUR is not a number"),
        (b'{"base": "USD", "rates": {"EUR": null}}', "the rate of EUR is not a number"),
        (b'{"base": "USD", "rates": {"EUR": 1}, "timestamp": 1e30}', "the timestamp or date"),
        (b'{"base": "USD", "rates": {"EUR": 1}, "date": "2026-13-01"}', "the timestamp or date"),
    ],
)
def test_broken_json_is_refused_whole(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedRates) as raised:
        parse_json(body)
    assert str(raised.value).startswith(reason)
