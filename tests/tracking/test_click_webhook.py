"""click.created: opt-in, written with the click in one transaction, never sent unasked."""

from __future__ import annotations

import pytest

from tests.conftest import Keys, api_client
from tests.tracking.factories import ProgramFactory, ReferralCodeFactory
from tracking.models import Click
from webhooks import selectors
from webhooks.models import Event
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"


@pytest.fixture(autouse=True)
def _fresh_subscriber_cache():
    selectors.forget_subscribers()
    yield
    selectors.forget_subscribers()


@pytest.fixture
def code(merchant):
    program = ProgramFactory(merchant=merchant, mode="test", code="SHOES")
    return ReferralCodeFactory(program=program, code="ANNA")


def _click(keys: Keys) -> str:
    response = api_client(keys.pk_test).post(
        "/v1/clicks", {"referral_code": "ANNA", "user_agent": UA}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["click_id"]


def test_no_event_without_a_subscriber(keys, code, merchant, django_capture_on_commit_callbacks):
    endpoint_create(merchant=merchant, mode="test", url="https://127.0.0.1:9/hook")
    with django_capture_on_commit_callbacks(execute=False):
        _click(keys)
    assert Click.objects.count() == 1
    assert not Event.objects.filter(type="click.created").exists()


def test_subscribed_endpoint_gets_the_click(
    keys, code, merchant, django_capture_on_commit_callbacks
):
    endpoint_create(
        merchant=merchant,
        mode="test",
        url="https://127.0.0.1:9/hook",
        event_types=["click.created"],
    )
    with django_capture_on_commit_callbacks(execute=False):
        click_id = _click(keys)
    event = Event.objects.get(type="click.created")
    data = event.payload["data"]
    assert data["id"] == click_id
    assert (data["referral_code"], data["partner_id"], data["is_bot"]) == (
        "ANNA",
        str(code.partner_id),
        False,
    )
    assert "ip_hash" not in data and "user_agent" not in data
    assert event.mode == "test"


def test_live_subscription_does_not_receive_test_clicks(
    keys, code, merchant, django_capture_on_commit_callbacks
):
    endpoint_create(
        merchant=merchant,
        mode="live",
        url="https://127.0.0.1:9/hook",
        event_types=["click.created"],
    )
    with django_capture_on_commit_callbacks(execute=False):
        _click(keys)
    assert not Event.objects.filter(type="click.created").exists()
