"""The dynamic URL through the API and the dashboard page: owners and admins set it with
the webhook URL rules; anyone else's program (or mode) is a 404."""

from __future__ import annotations

import pytest

from dynamic_delivery.models import DynamicUrl
from tests.conftest import assert_error
from tests.dashboard.conftest import browser

pytestmark = pytest.mark.django_db


def url_of(program, mode: str = "test") -> str:
    return f"/api/v1/programs/{program.pk}/dynamic-url?mode={mode}"


def test_put_get_and_delete_a_dynamic_url(alice_client, serials, receiver):
    empty = alice_client.get(url_of(serials))
    assert empty.status_code == 200
    assert empty.json() == {
        "program_id": str(serials.pk),
        "url": None,
        "status": "not_set",
        "secret": None,
        "consecutive_failures": 0,
        "disabled_at": None,
        "disabled_reason": "",
        "updated_at": None,
    }

    saved = alice_client.put(url_of(serials), {"url": receiver.url}, format="json")
    assert saved.status_code == 200, saved.json()
    body = saved.json()
    assert (body["url"], body["status"]) == (receiver.url, "enabled")
    assert body["secret"].startswith("whsec_")
    assert alice_client.get(url_of(serials)).json() == body

    assert alice_client.delete(url_of(serials)).status_code == 204
    assert not DynamicUrl.objects.exists()
    assert alice_client.delete(url_of(serials)).status_code == 204


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("http://127.0.0.1:8080/dynamic", 422, "WEBHOOK_URL_PRIVATE_IP"),
        ("http://169.254.169.254/latest", 422, "WEBHOOK_URL_PRIVATE_IP"),
        ("ftp://shop.example.com/x", 400, "VALIDATION_ERROR"),
        ("https://user:pw@shop.example.com/x", 400, "VALIDATION_ERROR"),
    ],
)
def test_urls_the_webhook_rules_refuse_are_refused(alice_client, serials, url, status, code):
    assert_error(alice_client.put(url_of(serials), {"url": url}, format="json"), status, code)
    assert not DynamicUrl.objects.exists()


def test_live_mode_needs_https(alice_client, program, receiver):
    response = alice_client.put(url_of(program, "live"), {"url": receiver.url}, format="json")
    assert_error(response, 422, "WEBHOOK_URL_NOT_HTTPS")


def test_a_body_with_unknown_fields_or_no_string_is_400(alice_client, serials):
    assert_error(
        alice_client.put(url_of(serials), {"url": 5}, format="json"), 400, "VALIDATION_ERROR"
    )
    assert_error(
        alice_client.put(
            url_of(serials), {"url": "https://a.example", "secret": "x"}, format="json"
        ),
        400,
        "VALIDATION_ERROR",
    )


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_another_merchants_or_modes_program_is_404(
    charlie_client, alice_client, serials, receiver, method
):
    DynamicUrl.objects.create(program=serials, url=receiver.url, secret="whsec_x")
    body = {"url": receiver.url + "/theirs"}
    for client, mode in ((charlie_client, "test"), (alice_client, "live")):
        response = getattr(client, method)(url_of(serials, mode), body, format="json")
        assert_error(response, 404, "NOT_FOUND")
    assert_error(alice_client.get("/api/v1/programs/not-a-uuid/dynamic-url"), 404, "NOT_FOUND")
    assert DynamicUrl.objects.get().url == receiver.url


def test_a_plain_member_cannot_set_it(bob_client, serials, receiver):
    response = bob_client.put(url_of(serials), {"url": receiver.url}, format="json")
    assert_error(response, 403, "FORBIDDEN")


def test_the_dashboard_page_sets_the_url_and_shows_refusals(alice, bob, charlie, serials, receiver):
    web = browser(alice, serials.merchant, mode="test")
    page_url = f"/dashboard/programs/{serials.pk}/dynamic-url/"
    refused = web.post(page_url, {"url": "http://10.0.0.1/x"})
    assert refused.status_code == 200
    assert "URL resolves to a private/reserved IP address" in refused.content.decode()
    assert not DynamicUrl.objects.exists()

    saved = web.post(page_url, {"url": receiver.url}, follow=True)
    page = saved.content.decode()
    assert "The dynamic URL is saved and enabled." in page
    assert DynamicUrl.objects.get().secret in page
    detail = web.get(f"/dashboard/programs/{serials.pk}/").content.decode()
    assert receiver.url in detail

    web.post(page_url, {"action": "remove"})
    assert not DynamicUrl.objects.exists()

    assert browser(charlie, None, mode="test").get(page_url).status_code == 404
    assert browser(alice, serials.merchant, mode="live").get(page_url).status_code == 404
    assert browser(bob, serials.merchant, mode="test").get(page_url).status_code == 403
