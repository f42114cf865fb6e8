"""Concurrent reports on real PostgreSQL: the database decides, exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Merchant, Partner
from conversions import services
from conversions.models import Commission, Conversion
from partners.models import Program
from tests.conftest import Keys, api_client
from tests.conversions.conftest import body
from tests.conversions.factories import ClickFactory, ProgramFactory
from tracking.models import Click
from webhooks.models import Event

# Real concurrent transactions: each thread has its own PostgreSQL connection.
pytestmark = pytest.mark.django_db(transaction=True)


def run_together(count: int, request: Callable[[int], Any]) -> list[Any]:
    """Run `request(i)` in `count` threads released at the same instant."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = request(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_50_identical_reports_create_one_conversion_and_one_commission(
    keys: Keys, program: Program, click: Click
) -> None:
    payload = body(click_id=str(click.pk), customer_id="cust_1")

    def report(_index: int) -> tuple[int, str]:
        response = api_client(keys.sk_live).post("/api/v1/conversions", payload, format="json")
        return response.status_code, response.json()["code"] if response.status_code != 201 else ""

    results = run_together(50, report)

    assert Counter(results) == {(201, ""): 1, (409, "CONVERSION_DUPLICATE"): 49}
    assert Conversion.objects.count() == 1
    assert Commission.objects.count() == 1
    assert Event.objects.filter(type="conversion.created").count() == 1
    assert Event.objects.filter(type="commission.created").count() == 1


def test_concurrent_cpa_conversions_of_one_customer_pay_once(
    keys: Keys, merchant: Merchant, partner: Partner
) -> None:
    cpa = ProgramFactory(merchant=merchant, commission_type="cpa", cpa_amount_cents=3000)
    clicks = [ClickFactory(program=cpa, partner=partner) for _ in range(10)]

    def report(index: int) -> int:
        data = body(
            click_id=str(clicks[index].pk), customer_id="same", external_transaction_id=f"o{index}"
        )
        return api_client(keys.sk_live).post("/api/v1/conversions", data, format="json").status_code

    results = run_together(10, report)

    assert results == [201] * 10
    assert Conversion.objects.filter(attributed=True).count() == 1
    assert Commission.objects.count() == 1
    limited = Conversion.objects.filter(attributed=False)
    assert {c.attribution_explanation["code"] for c in limited} == {"cpa_customer_limit"}


# SKIP LOCKED claims rows on PostgreSQL; SQLite runs one writer and no sweeps.
@pytest.mark.postgresql
def test_concurrent_approval_sweeps_approve_and_announce_each_commission_once(
    keys: Keys, program: Program, partner: Partner
) -> None:
    occurred = timezone.now() - timedelta(days=program.hold_days + 5)
    for index in range(30):
        click = ClickFactory(program=program, partner=partner, created_at=occurred)
        response = api_client(keys.sk_live).post(
            "/api/v1/conversions",
            body(
                click_id=str(click.pk),
                external_transaction_id=f"due-{index}",
                occurred_at=occurred.isoformat(),
            ),
            format="json",
        )
        assert response.status_code == 201, response.content

    approved = run_together(6, lambda _index: services.commissions_approve_due(batch_size=4))

    assert sum(approved) == 30
    assert set(Commission.objects.values_list("status", flat=True)) == {"approved"}
    announced = Counter(
        e.payload["data"]["id"] for e in Event.objects.filter(type="commission.approved")
    )
    assert len(announced) == 30
    assert set(announced.values()) == {1}
