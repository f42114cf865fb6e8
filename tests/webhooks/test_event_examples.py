"""The catalogue's examples have the shape of real deliveries: the same keys at every level
and, where both hold a value, the same JSON types."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conversions import services as conversion_services
from partners import services as partner_services
from payouts import services as payout_services
from tests.conftest import Keys, api_client
from tests.partners.factories import PartnerFactory, ProgramFactory
from tests.payouts.money import sepa_account
from tests.tracking.conftest import BROWSER_UA
from tests.webhooks.conftest import body_json
from tests.webhooks.receiver import Receiver
from webhooks import catalogue, services

pytestmark = pytest.mark.django_db

# Free-form objects the merchant or the emitter fills: their keys are not a shape.
FREE_FORM = {"metadata"}
FORWARDING_TYPES = {"payment_forward.confirmation", "payment_forward.failed"}


def assert_same_shape(example: Any, real: Any, path: str = "data") -> None:
    if example is None or real is None:
        return
    if isinstance(example, dict):
        assert isinstance(real, dict), path
        if path.rsplit(".", 1)[-1] in FREE_FORM:
            return
        assert set(example) == set(real), path
        for key in example:
            assert_same_shape(example[key], real[key], f"{path}.{key}")
    elif isinstance(example, list):
        assert isinstance(real, list), path
        if example and real:
            for item in real:
                assert_same_shape(example[0], item, f"{path}[]")
    else:
        assert type(example) is type(real), (path, example, real)


def test_the_shape_check_notices_a_renamed_key():
    with pytest.raises(AssertionError):
        assert_same_shape({"program_id": "x"}, {"program": {"id": "x"}})
    with pytest.raises(AssertionError):
        assert_same_shape({"amount_cents": "10"}, {"amount_cents": 10})


def _deliveries(
    merchant: Any, keys: Keys, receiver: Receiver, capture: Any, time_machine: Any
) -> dict[str, dict[str, Any]]:
    """Every emitted event type once, through the services and the API, as delivered."""
    endpoint = services.endpoint_create(
        merchant=merchant,
        mode="test",
        url=receiver.url,
        event_types=sorted(set(catalogue.EVENT_TYPES) - catalogue.INTERNAL_TYPES),
    )
    program = ProgramFactory(merchant=merchant, mode="test", code="spring", percent_bps=1000)
    partner, rejected, erased = PartnerFactory(), PartnerFactory(), PartnerFactory()
    with capture(execute=True):
        application = partner_services.application_submit(
            partner=partner, program=program, message="We review kitchen gear."
        )
    with capture(execute=True):
        partner_services.application_approve(application=application, message="Welcome.")
    with capture(execute=True):
        partner_services.application_reject(
            application=partner_services.application_submit(partner=rejected, program=program),
            message="Not a fit.",
        )
    code = program.referral_codes.get(partner=partner)
    clicks = api_client(keys.pk_test, HTTP_USER_AGENT=BROWSER_UA)
    with capture(execute=True):
        response = clicks.post("/v1/clicks", {"referral_code": code.code}, format="json")
    assert response.status_code == 201
    click_id = response.json()["click_id"]
    sk = api_client(keys.sk_test)
    conversions = []
    for txid in ("order_456", "order_457"):
        with capture(execute=True):
            response = sk.post(
                "/api/v1/conversions",
                {
                    "click_id": click_id,
                    "event_type": "purchase",
                    "external_transaction_id": txid,
                    "customer_id": "cust_789",
                    "amount_cents": 4900,
                    "currency": "EUR",
                    "metadata": {"order_channel": "web"},
                },
                format="json",
            )
        assert response.status_code == 201, response.json()
        conversions.append(response.json()["id"])
    with capture(execute=True):
        conversion_services.conversion_reverse(
            merchant=merchant, mode="test", conversion_id=conversions[1], reason="chargeback"
        )
    time_machine.move_to(timezone.now() + timedelta(days=31))
    with capture(execute=True):
        assert conversion_services.commissions_approve_due() == 1
    # A payout that fails, then one that is paid: created, failed, created, paid.
    sepa_account(partner)
    for to in ("failed", "paid"):
        with capture(execute=True):
            run = payout_services.payout_run_create(
                merchant=merchant, mode="test", partner_ids=[partner.pk]
            )
        with capture(execute=True):
            payout_services.payout_transition(
                merchant=merchant,
                mode="test",
                payout_id=run.payouts.get().pk,
                to=to,
                reference="SELGEO-2026-03-0001" if to == "paid" else "",
                failure_reason="The IBAN was refused by the bank" if to == "failed" else "",
            )
    partner_services.application_submit(partner=erased, program=program)
    with capture(execute=True):
        partner_services.partner_erase(partner=erased)
    with capture(execute=True):
        services.endpoint_send_test(endpoint=endpoint)
    delivered: dict[str, dict[str, Any]] = {}
    for received in receiver.requests:
        payload = body_json(received.body)
        delivered.setdefault(payload["type"], payload)
    return delivered


def test_every_example_has_the_shape_of_a_real_delivery(
    merchant, keys, receiver, django_capture_on_commit_callbacks, time_machine
):
    delivered = _deliveries(
        merchant, keys, receiver, django_capture_on_commit_callbacks, time_machine
    )
    # A payment forward's events need a Bitcoin node: tests/payouts/forwarding compares
    # those examples with real deliveries.
    assert set(delivered) == set(catalogue.EVENT_TYPES) - FORWARDING_TYPES
    for name, real in delivered.items():
        example = catalogue.example_payload(name, mode="test")
        assert set(example) == set(real), name
        assert (example["type"], example["mode"]) == (name, "test")
        assert_same_shape(example["data"], real["data"])


def test_the_served_examples_name_program_and_partner_as_deliveries_do(bob_client):
    response = bob_client.get("/api/v1/webhooks/event-types?mode=test")
    examples = {t["type"]: t["example"]["data"] for t in response.json()["data"]}
    conversion = examples["conversion.created"]
    assert conversion["program"] == {
        "id": "0b7e4d1c-2a3f-4e5d-8c9b-1a2b3c4d5e6f",
        "code": "spring",
        "name": "Spring sale",
    }
    assert conversion["partner"] == {
        "id": "9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a",
        "display_name": "Deal Blog",
    }
    assert conversion["customer_id"] == "cust_789"
    assert conversion["attribution"]["explanation"]["code"] == "attributed_click"
    assert "program_id" not in conversion and "customer_ref" not in conversion
    assert examples["commission.created"]["amount_cents"] == 490
    assert examples["conversion.reversed"]["reversal_reason"] == "chargeback"
    assert examples["commission.approved"]["status"] == "approved"
