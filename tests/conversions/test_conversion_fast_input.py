"""`conversion_values_fast` accepts only what ConversionIn accepts, with the same values."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from conversions.api import conversion_input
from conversions.serializers import ConversionIn, conversion_values_fast

_soon = (timezone.now() + timedelta(minutes=3)).isoformat()
_later = (timezone.now() + timedelta(days=2)).isoformat()
_texts = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "order-1001",
            " order-1001 ",
            "x" * 100,
            "x" * 101,
            "x" * 255,
            "x" * 256,
            "a\x00b",
            "a\tb",
            "\ud800",
            "SUMMER10",
            "eur",
            "EUR",
            " eur ",
            "EURO",
            "XXX",
            "ZZZ",
            "purchase",
            "lead",
            "signup",
            "refund",
            "018f3a4e-9b7c-7d2e-8f10-123456789abc",
            "{018f3a4e-9b7c-7d2e-8f10-123456789abc}",
            "018f3a4e9b7c7d2e8f10123456789abc",
            "018f3a4e-9b7c-7d2e-8f10-123456789abz",
            "2026-11-01T10:00:00Z",
            "2026-11-01T10:00:00+02:00",
            "2026-11-01T10:00:00",
            "2026-13-01T10:00:00Z",
            "0001-01-01T00:00:00+01:00",
            _soon,
            _later,
            "yesterday",
        ]
    ),
    st.text(max_size=20),
)
_values = st.one_of(
    _texts,
    st.integers(min_value=-5, max_value=10**16),
    st.sampled_from([0, 1, 4999, 10**15, 10**15 + 1, -1, 19.0, 19.99, True, False]),
    st.none(),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=22),
    st.lists(st.integers(), max_size=2),
)
_keys = st.sampled_from(
    [
        "click_id",
        "promo_code",
        "event_type",
        "external_transaction_id",
        "amount_cents",
        "currency",
        "customer_id",
        "occurred_at",
        "metadata",
        "unknown",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(body=st.dictionaries(_keys, _values, max_size=8))
def test_fast_values_are_conversion_ins(body):
    fast = conversion_values_fast(body)
    if fast is None:
        return
    general = ConversionIn(data=body)
    assert general.is_valid(), general.errors
    assert conversion_input(fast) == conversion_input(dict(general.validated_data))


def test_the_reference_bodies_take_the_fast_path():
    body = {
        "click_id": "018f3a4e-9b7c-7d2e-8f10-123456789abc",
        "event_type": "purchase",
        "external_transaction_id": "order-1001",
        "amount_cents": 4999,
        "currency": "EUR",
        "customer_id": "cust-42",
        "occurred_at": "2026-11-01T10:00:00+02:00",
        "metadata": {"sku": "A-1", "qty": 2},
    }
    fast = conversion_values_fast(body)
    assert fast is not None
    assert fast["currency"] == "EUR"
    assert conversion_values_fast({**body, "currency": "eur"}) is None
    assert fast["occurred_at"].isoformat() == "2026-11-01T08:00:00+00:00"
    promo = {"promo_code": " SUMMER10 ", "external_transaction_id": "o-2", "event_type": "lead"}
    assert conversion_values_fast(promo) == {
        "promo_code": "SUMMER10",
        "external_transaction_id": "o-2",
        "event_type": "lead",
    }
