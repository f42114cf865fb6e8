"""Concurrent reports of one transaction id on the transaction path (CPA, with its
advisory locks) and across modes: the unique constraint decides, exactly once per
merchant and mode. The CPS path's 50 identical reports are in test_concurrency."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from accounts.models import Merchant, Partner
from conversions.models import Commission, Conversion
from tests.conftest import Keys, api_client
from tests.conversions.conftest import body
from tests.conversions.factories import ProgramFactory, PromoCodeFactory
from tests.conversions.test_concurrency import run_together
from webhooks.models import Event

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def _answer(response: Any) -> tuple[int, str]:
    return response.status_code, "" if response.status_code == 201 else response.json()["code"]


def test_20_identical_cpa_reports_record_one_conversion(
    keys: Keys, merchant: Merchant, partner: Partner
) -> None:
    program = ProgramFactory(
        merchant=merchant, commission_type="cpa", cpa_amount_cents=3000, percent_bps=None
    )
    PromoCodeFactory(program=program, partner=partner, code="CPA10")
    # Different customers: the customer lock does not serialise them, only the constraint.
    results = run_together(
        20,
        lambda i: _answer(
            api_client(keys.sk_live).post(
                "/api/v1/conversions",
                body(promo_code="CPA10", customer_id=f"c{i}"),
                format="json",
            )
        ),
    )

    assert Counter(results) == {(201, ""): 1, (409, "CONVERSION_DUPLICATE"): 19}
    assert Conversion.objects.count() == 1
    assert Commission.objects.count() == 1
    assert Event.objects.filter(type="conversion.created").count() == 1


def test_concurrent_reports_of_one_id_in_both_modes_each_record_once(keys: Keys) -> None:
    raw = [keys.sk_live, keys.sk_test]
    results = run_together(
        20,
        lambda i: (
            i % 2,
            _answer(
                api_client(raw[i % 2]).post(
                    "/api/v1/conversions", body(promo_code="NOBODY"), format="json"
                )
            ),
        ),
    )

    assert Counter(results) == {
        (0, (201, "")): 1,
        (1, (201, "")): 1,
        (0, (409, "CONVERSION_DUPLICATE")): 9,
        (1, (409, "CONVERSION_DUPLICATE")): 9,
    }
    assert sorted(Conversion.objects.values_list("mode", flat=True)) == ["live", "test"]
