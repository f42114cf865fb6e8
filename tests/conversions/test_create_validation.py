"""POST /api/v1/conversions refuses malformed bodies with 400 and per-field details."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conversions.models import Conversion
from tests.conftest import assert_error
from tests.conversions.conftest import body, post
from tracking.models import Click
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def assert_refused(response: Any, field: str) -> list[dict[str, str]]:
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in {d["field"] for d in error["details"]}, error["details"]
    assert Conversion.objects.count() == 0
    assert Event.objects.count() == 0
    return list(error["details"])


@pytest.mark.parametrize(
    "amount",
    [19.99, 19.0, "19", True, -1, None, [1], {"v": 1}, 10**15 + 1],
    ids=["decimal", "float-integral", "string", "bool", "negative", "null", "list", "obj", "huge"],
)
def test_amount_cents_must_be_a_json_integer_from_zero(
    sk_live: Any, click: Click, amount: Any
) -> None:
    response = post(sk_live, body(click_id=str(click.pk), amount_cents=amount))

    if amount is None:
        # null means "no amount", which a CPS program refuses in its own words.
        details = assert_refused(response, "amount_cents")
        assert details[0]["message"].startswith("Required: program SUMMER")
    else:
        assert_refused(response, "amount_cents")


def test_nan_is_refused_as_malformed_json(sk_live: Any, click: Click) -> None:
    raw = f'{{"click_id": "{click.pk}", "external_transaction_id": "o1", "amount_cents": NaN}}'

    response = sk_live.post("/api/v1/conversions", raw, content_type="application/json")

    assert_refused(response, "body")


def test_amount_detail_names_the_type_received(sk_live: Any, click: Click) -> None:
    response = post(sk_live, body(click_id=str(click.pk), amount_cents="4900"))

    details = assert_refused(response, "amount_cents")
    assert details == [{"field": "amount_cents", "message": "Expected an integer, received string"}]


@pytest.mark.parametrize("value", ["", " ", "x" * 256, 123, None], ids=str)
def test_external_transaction_id_is_required_1_to_255_chars(
    sk_live: Any, click: Click, value: Any
) -> None:
    response = post(sk_live, body(click_id=str(click.pk), external_transaction_id=value))

    assert_refused(response, "external_transaction_id")


def test_external_transaction_id_missing_is_refused(sk_live: Any, click: Click) -> None:
    response = post(sk_live, body(click_id=str(click.pk), drop=("external_transaction_id",)))

    assert_refused(response, "external_transaction_id")


def test_external_transaction_id_of_255_chars_is_accepted(sk_live: Any, click: Click) -> None:
    response = post(sk_live, body(click_id=str(click.pk), external_transaction_id="x" * 255))

    assert response.status_code == 201


@pytest.mark.parametrize("value", ["not-a-uuid", 12345, True, ""], ids=str)
def test_click_id_must_be_a_uuid_string(sk_live: Any, value: Any) -> None:
    assert_refused(post(sk_live, body(click_id=value)), "click_id")


@pytest.mark.parametrize("value", ["EURO", "XYZ", "eu", 978], ids=str)
def test_currency_must_be_iso_4217(sk_live: Any, click: Click, value: Any) -> None:
    assert_refused(post(sk_live, body(click_id=str(click.pk), currency=value)), "currency")


@pytest.mark.parametrize("value", ["eur", "Eur"])
def test_a_currency_not_in_upper_case_is_refused_by_name(
    sk_live: Any, click: Click, value: str
) -> None:
    response = post(sk_live, body(click_id=str(click.pk), currency=value))

    details = assert_refused(response, "currency")
    assert details == [
        {
            "field": "currency",
            "message": f"Currency codes are upper case: send 'EUR', not {value!r}",
        }
    ]


def test_amount_without_currency_is_refused(sk_live: Any, click: Click) -> None:
    response = post(sk_live, body(click_id=str(click.pk), drop=("currency",)))

    details = assert_refused(response, "currency")
    assert details == [{"field": "currency", "message": "Required when amount_cents is sent"}]


def test_event_type_must_be_purchase_lead_or_signup(sk_live: Any, click: Click) -> None:
    assert_refused(post(sk_live, body(click_id=str(click.pk), event_type="refund")), "event_type")


def test_occurred_at_in_the_future_is_refused(sk_live: Any, click: Click) -> None:
    future = (timezone.now() + timedelta(hours=1)).isoformat()

    assert_refused(post(sk_live, body(click_id=str(click.pk), occurred_at=future)), "occurred_at")


def test_occurred_at_a_minute_ahead_is_tolerated_as_clock_skew(sk_live: Any, click: Click) -> None:
    ahead = (timezone.now() + timedelta(minutes=1)).isoformat()

    assert post(sk_live, body(click_id=str(click.pk), occurred_at=ahead)).status_code == 201


@pytest.mark.parametrize("value", ["yesterday", 1706234567, "2024-13-01T00:00:00Z"], ids=str)
def test_occurred_at_must_be_iso_8601(sk_live: Any, click: Click, value: Any) -> None:
    assert_refused(post(sk_live, body(click_id=str(click.pk), occurred_at=value)), "occurred_at")


@pytest.mark.parametrize(
    "value",
    [["a"], "text", {f"k{i}": i for i in range(21)}, {"blob": "x" * 4100}],
    ids=["list", "string", "21-keys", "over-4KiB"],
)
def test_metadata_must_be_a_small_object(sk_live: Any, click: Click, value: Any) -> None:
    assert_refused(post(sk_live, body(click_id=str(click.pk), metadata=value)), "metadata")


def test_metadata_with_20_keys_is_accepted(sk_live: Any, click: Click) -> None:
    metadata = {f"k{i}": i for i in range(20)}

    assert post(sk_live, body(click_id=str(click.pk), metadata=metadata)).status_code == 201


def nested(depth: int) -> dict[str, Any]:
    """An object nested `depth` levels deep, itself included."""
    value: Any = "leaf"
    for level in range(depth - 1):
        value = [value] if level % 2 else {"k": value}
    return {"top": value}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"note": "a\x00b"}, "Null characters are not allowed."),
        ({"a\x00": 1}, "Null characters are not allowed."),
        ({"deep": [{"x": ["ok", "\x00"]}]}, "Null characters are not allowed."),
        ({"deep": [{"x\x00": 1}]}, "Null characters are not allowed."),
        (nested(9), "At most 8 levels of nesting are allowed"),
        (nested(900), "At most 8 levels of nesting are allowed"),
    ],
    ids=["nul-value", "nul-key", "nul-nested-value", "nul-nested-key", "9-levels", "900-levels"],
)
def test_metadata_postgresql_could_not_store_is_refused_by_name(
    sk_live: Any, click: Click, value: Any, message: str
) -> None:
    response = post(sk_live, body(click_id=str(click.pk), metadata=value))

    assert assert_refused(response, "metadata") == [{"field": "metadata", "message": message}]


def test_metadata_of_8_levels_is_stored_as_sent(sk_live: Any, click: Click) -> None:
    response = post(sk_live, body(click_id=str(click.pk), metadata=nested(8)))

    assert response.status_code == 201, response.content
    assert Conversion.objects.get().metadata == nested(8)


def test_unknown_fields_are_refused(sk_live: Any, click: Click) -> None:
    details = assert_refused(
        post(sk_live, body(click_id=str(click.pk), offer_code="X")), "offer_code"
    )
    assert details == [{"field": "offer_code", "message": "Unknown field"}]


def test_body_must_be_a_json_object(sk_live: Any) -> None:
    assert_refused(post(sk_live, ["not", "an", "object"]), "body")


def test_several_bad_fields_are_all_reported(sk_live: Any) -> None:
    details = assert_refused(
        post(sk_live, body(promo_code="X", amount_cents=1.5, currency="??", event_type="x")),
        "amount_cents",
    )
    assert {d["field"] for d in details} == {"amount_cents", "currency", "event_type"}


@pytest.mark.parametrize(
    "field",
    ["status", "attributed", "merchant", "mode", "partner", "program", "commission", "id"],
)
def test_server_owned_fields_cannot_be_sent(sk_live: Any, click: Click, field: str) -> None:
    details = assert_refused(post(sk_live, body(click_id=str(click.pk), **{field: "x"})), field)

    assert details == [{"field": field, "message": "Unknown field"}]


@pytest.mark.parametrize(
    "metadata",
    [
        '{"note": "\\ud800"}',
        '{"\\udfff": 1}',
        '{"n": 1e400}',
        '{"n": -1e400}',
        '{"deep": ' + "[" * 2000 + "]" * 2000 + "}",
    ],
    ids=["lone-surrogate-value", "lone-surrogate-key", "overflow", "negative-overflow", "deep"],
)
def test_metadata_no_database_or_response_could_hold_is_malformed_json(
    sk_live: Any, click: Click, metadata: str
) -> None:
    # Valid JSON syntax, but not storable text, not a finite number, or deeper than any
    # parser should follow.
    raw = (
        f'{{"click_id": "{click.pk}", "external_transaction_id": "o1", "amount_cents": 100, '
        f'"currency": "EUR", "metadata": {metadata}}}'
    )

    response = sk_live.post("/api/v1/conversions", raw, content_type="application/json")

    assert_refused(response, "body")
    assert not Conversion.objects.exists()


def test_escaped_surrogate_pairs_and_other_charsets_are_text(sk_live: Any, click: Click) -> None:
    raw = (
        f'{{"click_id": "{click.pk}", "external_transaction_id": "o\\u00e9", "amount_cents": 100,'
        ' "currency": "EUR", "metadata": {"mood": "\\ud83d\\ude00", "city": "Zürich"}}'
    )

    response = sk_live.post(
        "/api/v1/conversions",
        raw.encode("latin-1"),
        content_type="application/json; charset=latin-1",
    )

    assert response.status_code == 201, response.content
    conversion = Conversion.objects.get()
    assert conversion.external_transaction_id == "oé"
    assert conversion.metadata == {"mood": "😀", "city": "Zürich"}
    assert response.json()["metadata"] == {"mood": "😀", "city": "Zürich"}


def test_metadata_numbers_beyond_64_bits_are_kept_exactly(sk_live: Any, click: Click) -> None:
    raw = (
        f'{{"click_id": "{click.pk}", "external_transaction_id": "o1", "amount_cents": 100, '
        '"currency": "EUR", "metadata": {"order": 123456789012345678901234567890, "n": 1.5}}'
    )

    response = sk_live.post("/api/v1/conversions", raw, content_type="application/json")

    assert response.status_code == 201, response.content
    assert b'"order":123456789012345678901234567890' in response.content
    assert Conversion.objects.get().metadata == {"order": 123456789012345678901234567890, "n": 1.5}


def test_a_key_repeated_in_the_body_is_refused_by_name(sk_live: Any, click: Click) -> None:
    raw = (
        f'{{"click_id": "{click.pk}", "external_transaction_id": "o1", "currency": "EUR", '
        '"amount_cents": 100, "amount_cents": 990000}'
    )

    response = sk_live.post("/api/v1/conversions", raw, content_type="application/json")

    details = assert_refused(response, "body")
    assert response.json()["message"] == "Malformed request body"
    assert details == [
        {"field": "body", "message": 'Duplicate key "amount_cents" in a JSON object'}
    ]


def test_a_moment_before_1970_is_refused(sk_live: Any, click: Click) -> None:
    # Year 110 was accepted and answered as "110-03-18T02:20:22.000000Z", no date-time.
    response = post(sk_live, body(click_id=str(click.pk), occurred_at="0110-03-18T02:20:22Z"))

    details = assert_refused(response, "occurred_at")
    assert details == [
        {"field": "occurred_at", "message": "Must not be before 1970-01-01T00:00:00Z"}
    ]
