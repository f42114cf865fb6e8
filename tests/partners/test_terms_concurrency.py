"""Tier counting under concurrent conversions, on real PostgreSQL transactions."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from accounts.models import Merchant, Partner
from conversions.models import Commission
from partners.services import terms as terms_services
from tests.conftest import Keys, api_client
from tests.conversions.conftest import body
from tests.conversions.factories import ApplicationFactory, ProgramFactory, PromoCodeFactory
from tests.conversions.test_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def test_concurrent_conversions_count_each_other_exactly_once(
    keys: Keys, merchant: Merchant, partner: Partner
) -> None:
    program = ProgramFactory(merchant=merchant, code="SHOES", percent_bps=1000)
    ApplicationFactory(program=program, partner=partner, status="approved")
    PromoCodeFactory(program=program, partner=partner, code="ANNA")
    terms_services.commission_tier_create(program=program, min_conversions=4, percent_bps=2000)

    def report(index: int) -> Any:
        payload = body(promo_code="ANNA", external_transaction_id=f"o{index}", amount_cents=10000)
        return api_client(keys.sk_live).post("/api/v1/conversions", payload, format="json")

    responses = run_together(10, report)

    assert [r.status_code for r in responses] == [201] * 10
    # Four conversions at the program's rate, whichever came first, then six at the tier's:
    # no two saw the same count.
    assert Counter(Commission.objects.values_list("amount_cents", flat=True)) == {1000: 4, 2000: 6}
    counted = sorted(
        int(step["message"].split("(")[2].split(" ")[0])
        for c in Commission.objects.select_related("conversion")
        for step in c.conversion.attribution_steps[-1:]
    )
    assert counted == list(range(10))
