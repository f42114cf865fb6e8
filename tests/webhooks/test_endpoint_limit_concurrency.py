"""The 10-endpoint limit holds when many creations race (real PostgreSQL transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.models import Merchant
from tests.factories import MerchantFactory
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks import services
from webhooks.errors import WebhookEndpointLimitExceeded
from webhooks.models import WebhookEndpoint


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_never_exceed_ten_endpoints_per_mode(fake_dns):
    fake_dns["hooks.example.com"] = [["93.184.215.14"]]
    merchant = MerchantFactory()
    WebhookEndpointFactory.create_batch(7, merchant=merchant, mode="live")
    barrier = threading.Barrier(12)
    outcomes: list[str] = []

    def create() -> None:
        try:
            barrier.wait(timeout=10)
            services.endpoint_create(
                merchant=Merchant.objects.get(pk=merchant.pk),
                mode="live",
                url="https://hooks.example.com/selgeo",
            )
            outcomes.append("created")
        except WebhookEndpointLimitExceeded:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["created"] * 3 + ["refused"] * 9
    assert WebhookEndpoint.objects.filter(merchant=merchant, mode="live").count() == 10
