"""Concurrent duplicates end in exactly one row: the constraints decide, not a prior read.

These tests commit for real (`transactional_db`) so that PostgreSQL's unique indexes
and row locks arbitrate between threads, each with its own connection.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from partners.models import Application, Program, ReferralCode
from tests.conftest import api_client, jwt_for
from tests.factories import PartnerFactory
from tests.partners.factories import ApplicationFactory

THREADS = 8


def race(request: Callable[[], Any]) -> Counter[int]:
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            status = request().status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(statuses)


def test_concurrent_applications_create_exactly_one(
    transactional_db: None, partner: Partner, program: Program
) -> None:
    assert partner.user is not None
    token = jwt_for(partner.user)
    url = f"/api/v1/partner/programs/{program.pk}/apply"

    statuses = race(lambda: api_client(token).post(url, {}, format="json"))

    assert statuses == Counter({201: 1, 409: THREADS - 1})
    assert Application.objects.filter(partner=partner, program=program).count() == 1


def test_concurrent_claims_of_one_code_leave_one_owner(
    transactional_db: None, merchant: Merchant, program: Program
) -> None:
    partners = [PartnerFactory() for _ in range(THREADS)]
    for partner in partners:
        ApplicationFactory(program=program, partner=partner, status="approved")
    tokens = iter([jwt_for(p.user) for p in partners if p.user is not None])
    clients: list[APIClient] = [api_client(next(tokens)) for _ in partners]
    body = {"program": str(program.pk), "code": "BEST-DEAL"}
    index = iter(range(THREADS))
    index_lock = threading.Lock()

    def claim() -> Any:
        with index_lock:
            client = clients[next(index)]
        return client.post("/api/v1/partner/referral-codes", body, format="json")

    statuses = race(claim)

    assert statuses == Counter({201: 1, 409: THREADS - 1})
    assert ReferralCode.objects.filter(code__iexact="best-deal").count() == 1


def test_concurrent_approvals_approve_once_with_one_default_code(
    transactional_db: None, alice: Any, merchant: Merchant, application: Application
) -> None:
    token = jwt_for(alice, merchant)
    url = f"/api/v1/applications/{application.pk}/approve"

    statuses = race(lambda: api_client(token).post(url, {}, format="json"))

    assert statuses == Counter({200: 1, 400: THREADS - 1})
    assert ReferralCode.objects.filter(partner=application.partner, is_default=True).count() == 1
