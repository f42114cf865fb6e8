"""Concurrent postbacks of one txid: the unique constraint lets exactly one in; every
other is acknowledged as duplicate_txid, never an error and never a second row."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from conversions.models import Commission, Conversion
from tests.compat.conftest import vendor
from tests.conversions.test_concurrency import run_together
from webhooks.models import Event

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def _answer(response: Any) -> tuple[int, str]:
    body = response.json()
    return response.status_code, "tracked" if body.get("data", {}).get("tracked") else body.get(
        "reason", body.get("error", {}).get("code", "")
    )


def test_20_identical_postbacks_record_one_conversion(keys, offer_click):
    query = {
        "offer_code": "MYOFFER123",
        "click_id": str(offer_click.pk),
        "txid": "ORDER-98765",
        "amount": "149.99",
    }

    results = run_together(20, lambda i: _answer(vendor(keys.sk_live).get("/pb", query)))

    assert Counter(results) == {(200, "tracked"): 1, (200, "duplicate_txid"): 19}
    assert Conversion.objects.count() == 1 and Commission.objects.count() == 1
    assert Event.objects.filter(type="conversion.created").count() == 1
