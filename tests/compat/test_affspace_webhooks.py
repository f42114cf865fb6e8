"""A conversion reported through the dialect reaches the merchant's webhook endpoint as
Selgeo's own API's would: conversion.created and commission.created, signed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from standardwebhooks import Webhook

from conversions.models import Commission, Conversion
from selgeo.celery import app as celery_app
from tests.conversions.factories import ApplicationFactory, ClickFactory, ProgramFactory
from tests.webhooks.receiver import Receiver
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    server = Receiver().start()
    yield server
    server.stop()
    celery_app.conf.task_always_eager = previous


def test_a_pb_conversion_is_announced_signed_to_the_merchants_endpoint(
    merchant, partner, test_key, receiver, django_capture_on_commit_callbacks
):
    # Test mode: a live endpoint must be HTTPS, and the receiver is plain HTTP on loopback.
    sandbox = ProgramFactory(merchant=merchant, mode="test", code="SANDBOX", currency="USD")
    ApplicationFactory(program=sandbox, partner=partner)
    click = ClickFactory(program=sandbox, partner=partner)
    endpoint = webhook_services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    query = {
        "offer_code": "SANDBOX",
        "click_id": str(click.pk),
        "txid": "ORDER-98765",
        "amount": "149.99",
    }

    with django_capture_on_commit_callbacks(execute=True):
        assert test_key.get("/pb", query).json()["data"]["tracked"] is True
    with django_capture_on_commit_callbacks(execute=True):
        assert test_key.get("/pb", query).json()["reason"] == "duplicate_txid"

    received = [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.requests]
    conversion, commission = Conversion.objects.get(), Commission.objects.get()
    assert sorted((p["type"], p["mode"], p["data"]["id"]) for p in received) == sorted(
        [
            ("conversion.created", "test", str(conversion.pk)),
            ("commission.created", "test", str(commission.pk)),
        ]
    )
    created = next(p["data"] for p in received if p["type"] == "conversion.created")
    assert (created["external_transaction_id"], created["amount_cents"]) == ("ORDER-98765", 14999)
