"""The order webhooks page: the mode's secret URL, its rotation, and the log of what arrived."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Merchant
from compat.selly.models import InboundEndpoint
from tests.compat.selly.conftest import post_webhook
from tests.dashboard.conftest import flashed, page, switch_mode

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/developers/order-webhooks/"


def test_the_page_shows_the_modes_url_and_what_arrived_there(
    alice_web: Client, merchant: Merchant
) -> None:
    text = page(alice_web.get(PAGE))
    endpoint = InboundEndpoint.objects.get(merchant=merchant, mode="live")
    assert f"/compat/selly/webhooks/{endpoint.token}" in text

    post_webhook(f"/compat/selly/webhooks/{endpoint.token}", {"webhook_type": 7})
    post_webhook(f"/compat/selly/webhooks/{endpoint.token}", {"webhook_type": 4, "id": "p1"})

    text = page(alice_web.get(PAGE))
    assert "Rejected (malformed)" in text
    assert "webhook_type must be 1 (order paid)" in text
    assert "Recorded: product out of stock." in text


def test_each_mode_has_its_own_url(alice_web: Client, merchant: Merchant) -> None:
    alice_web.get(PAGE)
    switch_mode(alice_web, "test")
    alice_web.get(PAGE)

    tokens = set(InboundEndpoint.objects.filter(merchant=merchant).values_list("token", flat=True))
    assert len(tokens) == 2


def test_rotating_replaces_the_url(alice_web: Client, merchant: Merchant) -> None:
    alice_web.get(PAGE)
    old = InboundEndpoint.objects.get().token

    response = alice_web.post(f"{PAGE}rotate/", follow=True)

    new = InboundEndpoint.objects.get().token
    assert new != old
    assert "The old one no longer works." in " ".join(flashed(response))
    assert new in page(response) and old not in page(response)


def test_members_and_strangers_see_neither_the_url_nor_the_log(
    bob_web: Client, charlie_web: Client, alice_web: Client, merchant: Merchant
) -> None:
    alice_web.get(PAGE)
    token = InboundEndpoint.objects.get(merchant=merchant).token

    assert bob_web.get(PAGE).status_code == 403
    assert bob_web.post(f"{PAGE}rotate/").status_code == 403
    assert token not in page(charlie_web.get(PAGE))
    assert InboundEndpoint.objects.get(merchant=merchant).token == token
