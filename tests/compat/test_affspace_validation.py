"""The dialect's refusals: each validation message of the vendor document, its key
headers, and "acknowledged but not tracked". A refusal records nothing."""

from __future__ import annotations

import pytest

from conversions.models import Commission, Conversion
from partners.models import ProgramStatus
from tests.compat.conftest import BASE, assert_dialect_error, report, vendor
from tests.conftest import jwt_for
from tests.conversions.factories import ApplicationFactory, ClickFactory, ProgramFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def refused(response, message: str) -> None:
    assert_dialect_error(response, 400, "VALIDATION_ERROR", message)
    assert not Conversion.objects.exists()
    assert not Commission.objects.exists()
    assert not Event.objects.exists()


def test_missing_offer_code(live, offer_click):
    refused(report(live, click_id=str(offer_click.pk), amount="10.00"), "Missing offer_code")


def test_offer_not_found(live, offer_click):
    refused(
        report(live, offer_code="NOPE", click_id=str(offer_click.pk), amount="10.00"),
        "Offer not found",
    )


@pytest.mark.parametrize("status", [ProgramStatus.PAUSED, ProgramStatus.DRAFT, "archived"])
def test_offer_not_active(live, offer, offer_click, status):
    offer.status = status
    offer.save()

    refused(
        report(live, offer_code="MYOFFER123", click_id=str(offer_click.pk), amount="10.00"),
        "Offer not active",
    )


@pytest.mark.parametrize("click_id", ["0M8K2L9P5QRS", "6f1c2d3e-4b5a-4c6d-8e7f-901234567890"])
def test_click_not_found(live, offer, click_id):
    refused(
        report(live, offer_code="MYOFFER123", click_id=click_id, amount="10.00"),
        "Click not found",
    )


def test_customer_id_required_for_cpa_offers(live, cpa_click):
    refused(
        report(live, offer_code="SIGNUP30", click_id=str(cpa_click.pk), amount="10.00"),
        "customer_id required for CPA offers",
    )


def test_amount_required_for_percentage_offers(live, offer_click):
    refused(
        report(live, offer_code="MYOFFER123", click_id=str(offer_click.pk), txid="o1"),
        "amount required for CPS/RevShare/percentage offers",
    )


@pytest.mark.parametrize("amount", ["0", "0.00", "-5", "-149.99", 0])
def test_amount_must_be_positive(live, offer_click, amount):
    refused(
        report(live, offer_code="MYOFFER123", click_id=str(offer_click.pk), amount=amount),
        "amount must be positive",
    )


def test_click_does_not_belong_to_this_offer(live, offer, cpa_click):
    refused(
        report(live, offer_code="MYOFFER123", click_id=str(cpa_click.pk), amount="10.00"),
        "Click does not belong to this offer",
    )


def test_an_amount_with_more_decimals_than_the_currency_is_refused_never_rounded(
    merchant, partner, live
):
    program = ProgramFactory(merchant=merchant, mode="live", code="EURO", currency="EUR")
    ApplicationFactory(program=program, partner=partner)
    click = ClickFactory(program=program, partner=partner)

    refused(
        report(live, offer_code="EURO", click_id=str(click.pk), amount="149.999", currency="EUR"),
        "amount has more decimals than EUR allows (2)",
    )


@pytest.mark.parametrize("amount", [149.99, "1e3", "149,99", "", " ", True, [1]])
def test_an_amount_that_is_no_exact_decimal_text_is_refused(live, offer_click, amount):
    response = report(live, offer_code="MYOFFER123", click_id=str(offer_click.pk), amount=amount)

    message = (
        "amount required for CPS/RevShare/percentage offers"
        if isinstance(amount, str) and not amount.strip()
        else 'amount must be a decimal number such as "149.99"'
    )
    refused(response, message)


def test_a_currency_other_than_the_offers_is_refused(live, offer_click):
    refused(
        report(
            live,
            offer_code="MYOFFER123",
            click_id=str(offer_click.pk),
            amount="10.00",
            currency="EUR",
        ),
        "currency must match the offer currency (USD)",
    )


def test_a_missing_click_id_is_refused(live, offer):
    refused(report(live, offer_code="MYOFFER123", amount="10.00"), "Missing click_id")


def test_a_test_click_with_a_live_key_is_refused_and_says_which_key(live, offer, partner):
    test_offer = ProgramFactory(merchant=offer.merchant, mode="test", code="SANDBOX")
    click = ClickFactory(program=test_offer, partner=partner)

    refused(
        report(live, offer_code="MYOFFER123", click_id=f"test_{click.pk}", amount="1"),
        "Click not found: click_id is a test-mode click; report it with a test-mode key "
        "(sk_test_*)",
    )


def test_a_live_offer_is_not_found_with_a_test_key(test_key, offer_click):
    refused(
        report(test_key, offer_code="MYOFFER123", click_id=str(offer_click.pk), amount="1"),
        "Offer not found",
    )


def test_a_malformed_body_is_a_validation_error(live):
    response = live.post(f"{BASE}/api/v1/conversions", "{oops", content_type="application/json")
    assert_dialect_error(response, 400, "VALIDATION_ERROR")
    listed = live.post(f"{BASE}/api/v1/conversions", [1, 2], format="json")
    assert_dialect_error(
        listed, 400, "VALIDATION_ERROR", "The request body must be a JSON object or a form"
    )


@pytest.mark.parametrize("field", ["offer_code", "click_id", "currency", "event_type"])
def test_a_field_that_is_not_text_is_refused(live, offer_click, field):
    body = {"offer_code": "MYOFFER123", "click_id": str(offer_click.pk), "amount": "1"}
    refused(report(live, **{**body, field: 12}), f"{field} must be a string")


# Keys.


def test_no_key_is_unauthorized(offer_click):
    response = vendor(None).get("/pb", {"offer_code": "MYOFFER123"})
    assert_dialect_error(response, 401, "UNAUTHORIZED", "API key required")


@pytest.mark.parametrize(
    "raw", ["sk_live_nope", "not-a-key", "pk_live_wrongwrongwrong"], ids=["sk", "junk", "pk"]
)
def test_an_invalid_key_is_invalid_api_key(offer, raw):
    response = vendor(raw).get("/pb", {"offer_code": "MYOFFER123"})
    assert_dialect_error(response, 401, "INVALID_API_KEY", "API key is invalid")


def test_a_public_key_or_a_dashboard_token_is_not_a_vendor_key(keys, alice, merchant, offer):
    for raw in (keys.pk_live, jwt_for(alice, merchant)):
        for bearer in (False, True):
            response = vendor(raw, bearer=bearer).get(f"{BASE}/api/v1/profile")
            assert_dialect_error(response, 401, "INVALID_API_KEY")


def test_both_key_headers_are_accepted(keys):
    for bearer in (False, True):
        assert vendor(keys.sk_live, bearer=bearer).get(f"{BASE}/api/v1/profile").status_code == 200


def test_an_unknown_path_and_method_answer_in_the_dialects_envelope(live):
    assert_dialect_error(live.get(f"{BASE}/api/v1/nothing"), 404, "NOT_FOUND")
    assert_dialect_error(live.delete(f"{BASE}/api/v1/profile"), 405, "METHOD_NOT_ALLOWED")


def test_a_body_over_the_cap_is_refused_before_it_is_read(live, settings):
    settings.SELGEO_MAX_BODY_BYTES = 100
    response = report(live, offer_code="X" * 200)
    assert_dialect_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_plain_http_is_refused_where_https_is_required(live, settings):
    settings.SELGEO_REQUIRE_HTTPS = True
    assert_dialect_error(live.get(f"{BASE}/api/v1/profile"), 403, "FORBIDDEN")
    assert live.get(f"{BASE}/api/v1/profile", secure=True).status_code == 200


# Acknowledged but not tracked.


def test_a_cpa_customer_who_already_converted_is_acknowledged_not_tracked(live, cpa_offer, partner):
    first, second = (ClickFactory(program=cpa_offer, partner=partner) for _ in range(2))
    tracked = report(
        live, offer_code="SIGNUP30", click_id=str(first.pk), customer_id="c1", txid="t1"
    )
    again = report(
        live, offer_code="SIGNUP30", click_id=str(second.pk), customer_id="c1", txid="t2"
    )

    assert tracked.json()["data"]["tracked"] is True
    assert again.status_code == 200
    assert again.json() == {
        "success": True,
        "tracked": False,
        "reason": "cpa_customer_limit",
        "message": "Conversion received. This customer already converted under this CPA offer.",
    }
    assert Commission.objects.count() == 1
    assert Conversion.objects.filter(attributed=False).count() == 1


def test_a_cpa_click_that_already_converted_is_acknowledged_not_tracked(live, cpa_click):
    report(live, offer_code="SIGNUP30", click_id=str(cpa_click.pk), customer_id="c1", txid="t1")
    again = report(
        live, offer_code="SIGNUP30", click_id=str(cpa_click.pk), customer_id="c2", txid="t2"
    )

    assert again.json() == {
        "success": True,
        "tracked": False,
        "reason": "cpa_click_limit",
        "message": "Conversion received. This click already converted under this CPA offer.",
    }
    assert Commission.objects.count() == 1


def test_a_blank_x_api_key_is_invalid_even_beside_a_valid_bearer(keys):
    client = vendor(keys.sk_live, bearer=True)
    response = client.get(f"{BASE}/api/v1/profile", HTTP_X_API_KEY="")
    assert_dialect_error(response, 401, "INVALID_API_KEY")


def test_a_null_character_in_a_field_or_parameter_is_refused(live, test_key):
    response = test_key.post(f"{BASE}/api/v1/test-sessions", {"offer_code": "A\x00"}, format="json")
    assert_dialect_error(
        response, 400, "VALIDATION_ERROR", "offer_code must not contain null characters"
    )
    listed = live.get(f"{BASE}/api/v1/conversions", {"offer_code": "A\x00"})
    assert_dialect_error(
        listed, 400, "VALIDATION_ERROR", "offer_code must not contain null characters"
    )


def test_head_on_the_postback_records_nothing(live, offer_click):
    query = {"offer_code": "MYOFFER123", "click_id": str(offer_click.pk), "amount": "1"}
    response = live.head("/pb", query)
    assert response.status_code == 405
    assert not Conversion.objects.exists()
