"""Staff admin for webhooks: pages render and search, secrets never show."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks import selectors, services
from webhooks.models import Delivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    user = User.objects.create_superuser(email="staff@selgeo.local", password="staff-password-1")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def delivery(merchant) -> Delivery:
    endpoint = WebhookEndpointFactory(merchant=merchant)
    endpoint.previous_secret = "whsec_b2xkIHNlY3JldCBvbGQgc2VjcmV0IG9sZA=="
    endpoint.save()
    event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    services.event_fan_out(event_id=event.pk)
    return Delivery.objects.get()


@pytest.mark.parametrize("model", ["webhookendpoint", "event", "delivery"])
def test_changelists_render_and_search(staff_client, delivery, model):
    url = reverse(f"admin:webhooks_{model}_changelist")
    for query in ({}, {"q": "x"}, {"q": str(delivery.pk)}, {"q": str(delivery.event_id)}):
        response = staff_client.get(url, query)
        assert response.status_code == 200, (query, response.content[:300])


def test_endpoint_pages_never_show_the_secrets(staff_client, delivery):
    endpoint = delivery.endpoint
    for url in (
        reverse("admin:webhooks_webhookendpoint_changelist"),
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
    ):
        page = staff_client.get(url).content.decode()
        assert endpoint.url in page
        assert endpoint.secret not in page
        assert endpoint.previous_secret not in page


def test_delivery_and_event_pages_render(staff_client, delivery):
    for url in (
        reverse("admin:webhooks_delivery_change", args=[delivery.pk]),
        reverse("admin:webhooks_event_change", args=[delivery.event_id]),
    ):
        assert staff_client.get(url).status_code == 200


def test_staff_cannot_add_endpoints_that_skip_the_url_checks(staff_client):
    response = staff_client.get(reverse("admin:webhooks_webhookendpoint_add"))
    assert response.status_code == 403


def test_an_endpoint_changed_by_staff_hears_the_next_event_at_once(
    staff_client, merchant, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(merchant=merchant, event_types=["conversion.created"])
    assert not selectors.has_subscriber(merchant_id=merchant.pk, mode="test", type="payout.paid")
    form = {
        "merchant": str(merchant.pk),
        "mode": "test",
        "url": endpoint.url,
        "description": "",
        "event_types": '["payout.paid"]',
        "created_at_0": "2026-03-01",
        "created_at_1": "12:00:00",
        "updated_at_0": "2026-03-01",
        "updated_at_1": "12:00:00",
        "disabled_reason": "",
    }
    url = reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WebhookEndpoint.objects.get().event_types == ["payout.paid"]
    assert selectors.has_subscriber(merchant_id=merchant.pk, mode="test", type="payout.paid")
