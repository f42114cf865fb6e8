"""The shop retrying one paid order many times at once records it once: one click, one
conversion, one commission; every other answer is an acknowledged duplicate."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from compat.selly.models import InboundDelivery
from conversions.models import Commission, Conversion
from tests.compat.selly.conftest import post_webhook
from tests.compat.selly.reference import ORDER
from tests.conversions.test_concurrency import run_together
from tracking.models import Click

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def test_ten_concurrent_deliveries_of_one_paid_order_record_it_once(
    inbound_url: str, anna_code: Any
) -> None:
    sent = {**ORDER, "value": "49.00", "currency": "EUR", "referral": "anna", "webhook_type": 1}

    results = run_together(
        10,
        lambda _i: (lambda r: (r.status_code, r.json()["outcome"]))(
            post_webhook(inbound_url, sent)
        ),
    )

    assert Counter(results) == {(200, "recorded"): 1, (200, "duplicate"): 9}
    assert Conversion.objects.count() == 1
    assert Commission.objects.get().amount_cents == 490
    assert Click.objects.count() == 1
    assert InboundDelivery.objects.count() == 10
