""" "Test your integration": a test session, the request to send, and its status live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as account_services
from conversions.models import Conversion, TestSession
from partners.models import ApplicationStatus, ProgramStatus
from tests.conftest import api_client
from tests.dashboard.conftest import browser, page, switch_mode
from tests.partners.factories import ApplicationFactory, ProgramFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db

TEST_PAGE = "/dashboard/developers/test/"


def session_url(session, action=""):
    return f"{TEST_PAGE}{session.pk}/{action + '/' if action else ''}"


@pytest.fixture
def test_web(alice_web):
    switch_mode(alice_web, "test")
    return alice_web


@pytest.fixture
def ready(test_program, partner):
    """Acme's published test program has an approved test-mode partner."""
    ApplicationFactory(program=test_program, partner=partner, status=ApplicationStatus.APPROVED)
    return test_program


@pytest.fixture
def session(test_web, ready):
    response = test_web.post(TEST_PAGE, {"program": ready.code})
    created = TestSession.objects.get()
    assert response.status_code == 302 and response["Location"] == session_url(created)
    return created


def post_conversion(raw_key, **fields):
    body = {
        "event_type": "purchase",
        "external_transaction_id": "order_1",
        "amount_cents": 4900,
        "currency": "EUR",
        **fields,
    }
    return api_client(raw_key).post("/api/v1/conversions", body, format="json")


def test_live_mode_explains_and_offers_to_switch(alice_web, ready):
    response = alice_web.get(TEST_PAGE)
    assert response.status_code == 200 and response.context["live"] is True
    body = page(response)
    assert "Switch to test mode first" in body
    assert 'action="/dashboard/mode/"' in body and 'name="mode" value="test"' in body
    assert alice_web.post(TEST_PAGE, {"program": ready.code}).status_code == 200
    assert not TestSession.objects.exists() and not Click.objects.exists()


def test_the_page_offers_published_test_programs_only(test_web, merchant, ready):
    ProgramFactory(merchant=merchant, mode="test", code="DRAFTY", status=ProgramStatus.DRAFT)
    ProgramFactory(merchant=merchant, mode="live", code="LIVE-ONE")
    response = test_web.get(TEST_PAGE)
    assert response.status_code == 200
    choices = response.context["form"].fields["program"].choices
    assert choices == [(ready.code, f"{ready.name} ({ready.code})")]
    refused = test_web.post(TEST_PAGE, {"program": "DRAFTY"})
    assert refused.context["form"].has_error("program")
    assert not TestSession.objects.exists()


def test_without_a_published_test_program_the_page_says_what_to_do(test_web):
    response = test_web.get(TEST_PAGE)
    assert response.context["has_programs"] is False
    assert "There is no published program in test mode" in page(response)


def test_a_program_without_an_approved_partner_is_refused_and_writes_nothing(
    test_web, test_program
):
    response = test_web.post(TEST_PAGE, {"program": test_program.code})
    assert response.status_code == 200
    errors = response.context["form"].errors["program"]
    assert errors == [
        f"Program {test_program.code} has no approved test-mode partner; approve one first"
    ]
    assert errors[0] in page(response)
    assert not TestSession.objects.exists() and not Click.objects.exists()


def test_a_session_shows_its_click_id_and_a_request_without_any_secret(
    test_web, merchant, keys, session
):
    response = test_web.get(session_url(session))
    assert response.status_code == 200
    body = page(response)
    assert f'data-testid="test-click-id">{session.click_id}</code>' in body
    assert f'"click_id": "{session.click_id}"' in body
    assert f'"external_transaction_id": "test_{session.pk.hex[-12:]}"' in body
    assert "/api/v1/conversions" in body and "export SELGEO_SECRET_KEY='sk_test_…'" in body
    key = response.context["secret_key"]
    assert key.mode == "test" and key.kind == "secret" and key.redacted in body
    assert keys.sk_test not in body and keys.sk_live not in body
    assert "waiting" in body and session.click.mode == "test"


def test_the_status_block_polls_every_two_seconds_and_refreshes_without_javascript(
    test_web, session
):
    body = page(test_web.get(session_url(session)))
    status = f"{session_url(session, 'status')}?seen=waiting.0"
    assert f'hx-get="{status}" hx-trigger="every 2s" hx-swap="outerHTML"' in body
    assert f'href="{session_url(session)}">Refresh</a>' in body
    unchanged = test_web.get(status)
    assert unchanged.status_code == 204 and unchanged.content == b""
    fresh = test_web.get(session_url(session, "status"))
    assert fresh.status_code == 200
    assert [t.name for t in fresh.templates] == ["dashboard/_test_session_status.html"]


def test_a_conversion_with_the_click_id_turns_the_status_to_received(test_web, keys, session):
    response = post_conversion(keys.sk_test, click_id=str(session.click_id), customer_id="c1")
    assert response.status_code == 201, response.content
    status = test_web.get(f"{session_url(session, 'status')}?seen=waiting.0")
    assert status.status_code == 200
    assert status.context["status"] == "received"
    assert dict(status.context["fields"]) == {
        name: {"status": "ok", "errors": []}
        for name in (
            "amount_cents",
            "click_id",
            "currency",
            "customer_id",
            "event_type",
            "external_transaction_id",
        )
    }
    body = page(status)
    assert "accepted" in body and str(Conversion.objects.get().pk) in body
    assert status.context["attributed"] is True
    assert (
        "Attributed through the partner&#x27;s tracking link. "
        '<span class="muted mono">attributed_click</span>'
    ) in body
    # The explanation names the session's partner and program, not their bare ids.
    conversion = Conversion.objects.select_related("partner", "program").get()
    assert conversion.partner is not None and conversion.program is not None
    assert (
        f'{conversion.partner.display_name}</a> <span class="muted mono">({conversion.partner_id})'
        in body
    )
    assert (
        f'{conversion.program.name}</a> <span class="muted mono">({conversion.program.code}, '
        in body
    )
    assert "received.1" in body


def test_an_invalid_conversion_shows_which_fields_failed(test_web, keys, session):
    response = post_conversion(keys.sk_test, click_id=str(session.click_id), amount_cents="49")
    assert response.status_code == 400
    status = test_web.get(session_url(session, "status"))
    fields = dict(status.context["fields"])
    assert fields["amount_cents"]["status"] == "error" and fields["amount_cents"]["errors"]
    assert fields["click_id"] == {"status": "ok", "errors": []}
    assert "refused" in page(status) and fields["amount_cents"]["errors"][0] in page(status)
    assert not Conversion.objects.exists()


def test_an_expired_session_stops_polling(test_web, session):
    TestSession.objects.filter(pk=session.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = test_web.get(session_url(session))
    assert response.context["status"] == "expired"
    assert 'hx-trigger="every 2s"' not in page(response)
    assert test_web.get(f"{session_url(session, 'status')}?seen=expired.0").status_code == 200


def test_a_member_is_refused(bob_web, ready):
    switch_mode(bob_web, "test")
    assert bob_web.get(TEST_PAGE).status_code == 403
    assert bob_web.post(TEST_PAGE, {"program": ready.code}).status_code == 403
    assert not TestSession.objects.exists()


def test_another_merchant_another_mode_or_another_browser_does_not_find_the_session(
    test_web, charlie_web, alice, merchant, session
):
    switch_mode(charlie_web, "test")
    assert charlie_web.get(session_url(session)).status_code == 404
    assert charlie_web.get(session_url(session, "status")).status_code == 404
    elsewhere = browser(alice, merchant, mode="test")
    assert elsewhere.get(session_url(session)).status_code == 404
    switch_mode(test_web, "live")
    assert test_web.get(session_url(session)).status_code == 404
    assert test_web.get(session_url(session, "status")).status_code == 404
    switch_mode(test_web, "test")
    assert test_web.get(session_url(session)).status_code == 200


def test_no_test_secret_key_links_to_the_keys_page(test_web, merchant, session):
    response = test_web.get(session_url(session))
    assert response.context["secret_key"] is None
    assert 'href="/dashboard/developers/keys/">create one</a>' in page(response)
    account_services.api_key_create(merchant=merchant, kind="public", mode="test")
    assert test_web.get(session_url(session)).context["secret_key"] is None
