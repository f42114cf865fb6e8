"""GET /api/v1/exchange/rates: the commerce reference's USD map under `rates`, exact
JSON numbers, with the rates' date and source; secret key or dashboard JWT only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fx.models import ExchangeRateSet
from tests.conftest import api_client, assert_error

URL = "/api/v1/exchange/rates"


def _set() -> ExchangeRateSet:
    return ExchangeRateSet.objects.create(
        fetched_at=datetime(2026, 3, 14, 15, 1, tzinfo=UTC),
        confirmed_at=datetime(2026, 3, 14, 15, 1, tzinfo=UTC),
        published_at=datetime(2026, 3, 14, 15, 0, tzinfo=UTC),
        source="json",
        base="USD",
        rates={"EUR": "0.93897", "GBP": "0.80488", "JPY": "149.5", "KWD": "0.30712"},
    )


def test_the_answer_is_the_reference_map_under_rates_with_exact_numbers(keys: Any) -> None:
    _set()
    response = api_client(keys.sk_live).get(URL)

    assert response.status_code == 200
    assert response.content == (
        b'{"base":"USD","rates":{"USD":1,"EUR":0.93897,"GBP":0.80488,"JPY":149.5,'
        b'"KWD":0.30712},"as_of":"2026-03-14T15:00:00Z","fetched_at":"2026-03-14T15:01:00Z",'
        b'"source":"json"}'
    )


def test_an_ecb_set_is_rebased_to_the_dollar_to_ten_significant_digits(
    alice_client: Any,
) -> None:
    body = alice_client.get(URL).json()

    assert body["source"] == "snapshot"
    assert body["as_of"] == "2026-03-13T15:00:00Z"
    # 1 / 1.1476 = 0.87138375740676...; 182.85 / 1.1476 = 159.3325200418...
    assert body["rates"]["USD"] == 1
    assert body["rates"]["EUR"] == 0.8713837574
    assert body["rates"]["JPY"] == 159.3325200
    assert len(body["rates"]) == 30


def test_the_numbers_are_written_digit_for_digit(alice_client: Any) -> None:
    raw = alice_client.get(URL).content
    assert b'"EUR":0.8713837574,' in raw
    assert b'"ISK":125.6535378,' in raw
    assert b'"IDR":16900.54897,' in raw


def test_a_publishable_key_is_refused(keys: Any) -> None:
    assert_error(api_client(keys.pk_live).get(URL), 403, "FORBIDDEN")


def test_no_credentials_is_401(anon_client: Any) -> None:
    assert_error(anon_client.get(URL), 401, "INVALID_API_KEY")


def test_a_partner_token_is_refused(partner_client: Any) -> None:
    response = partner_client.get(URL)
    assert response.status_code in (401, 403)
    assert "rates" not in response.json()


@pytest.mark.django_db
def test_the_openapi_document_describes_the_answer(anon_client: Any) -> None:
    doc = anon_client.get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/exchange/rates"]["get"]
    assert operation["summary"] == "Current exchange rates (USD-based)"
    schema = doc["components"]["schemas"]["ExchangeRates"]
    assert sorted(schema["properties"]) == ["as_of", "base", "fetched_at", "rates", "source"]
    # The rates are JSON numbers, as the reference and the answer write them.
    assert schema["properties"]["rates"]["additionalProperties"]["type"] == "number"
