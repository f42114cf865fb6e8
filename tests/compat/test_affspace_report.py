"""Reporting conversions through the AffSpace dialect: the reference's requests, the
legacy `/pb` postback, idempotency by `txid`, and the same rows as Selgeo's own API."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from conversions.models import Commission, Conversion
from tests.compat.conftest import BASE, report, shape, vendor
from tests.conftest import api_client
from tests.conversions.factories import ClickFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db

# The reference's example request and response, verbatim.
REFERENCE_REQUEST = {
    "offer_code": "MYOFFER123",
    "click_id": "0M8K2L9P5QRS",
    "txid": "ORDER-98765",
    "customer_id": "cust_12345",
    "amount": "149.99",
    "currency": "USD",
}
REFERENCE_RESPONSE = {
    "success": True,
    "data": {
        "tracked": True,
        "conversionId": "conv_x7k9m2p4",
        "status": "pending",
        "currency": "USD",
    },
}


def test_the_reference_request_with_a_selgeo_click_answers_the_reference_shape(
    live, offer_click, partner
):
    response = report(live, **{**REFERENCE_REQUEST, "click_id": str(offer_click.pk)})

    assert response.status_code == 200
    body = response.json()
    assert shape(body) == shape(REFERENCE_RESPONSE)
    conversion = Conversion.objects.get()
    assert body["data"] == {
        "tracked": True,
        "conversionId": str(conversion.pk),
        "status": "pending",
        "currency": "USD",
    }
    assert conversion.external_transaction_id == "ORDER-98765"
    assert conversion.customer_ref == "cust_12345"
    assert (conversion.amount_cents, conversion.currency) == (14999, "USD")
    assert conversion.click_id == offer_click.pk and conversion.partner_id == partner.pk
    assert conversion.attributed is True
    commission = Commission.objects.get()
    assert (commission.amount_cents, commission.currency, commission.status) == (
        1500,
        "USD",
        "pending",
    )


def test_the_reference_request_verbatim_names_a_click_selgeo_never_recorded(live, offer):
    response = report(live, **REFERENCE_REQUEST)

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": {"code": "VALIDATION_ERROR", "message": "Click not found"},
    }
    assert not Conversion.objects.exists()


def test_pb_get_records_one_conversion_and_a_repeated_txid_is_acknowledged(live, offer_click):
    query = {**REFERENCE_REQUEST, "click_id": str(offer_click.pk)}

    first = live.get("/pb", query)
    again = live.get("/pb", query)

    assert first.status_code == 200 and first.json()["data"]["tracked"] is True
    assert again.status_code == 200
    assert again.json() == {
        "success": True,
        "tracked": False,
        "reason": "duplicate_txid",
        "message": "Conversion received. A conversion with this transaction ID was already "
        "recorded.",
    }
    assert Conversion.objects.count() == 1 and Commission.objects.count() == 1
    assert Event.objects.filter(type="conversion.created").count() == 1


def test_pb_post_form_records_one_conversion_and_a_repeated_txid_is_acknowledged(keys, offer_click):
    client = vendor(keys.sk_live, bearer=True)
    form = {**REFERENCE_REQUEST, "click_id": str(offer_click.pk)}

    first = client.post("/pb", urlencode(form), content_type="application/x-www-form-urlencoded")
    again = client.post("/pb", form)  # multipart, as `curl -F` sends it

    assert first.status_code == 200 and first.json()["data"]["tracked"] is True
    assert again.json()["tracked"] is False and again.json()["reason"] == "duplicate_txid"
    assert Conversion.objects.get().amount_cents == 14999


def test_pb_post_json_and_the_base_url_alias_record_the_same_way(live, offer_click):
    body = {**REFERENCE_REQUEST, "click_id": str(offer_click.pk)}

    first = live.post("/pb", body, format="json")
    alias = live.post(f"{BASE}/pb", {**body, "txid": "ORDER-2"}, format="json")

    assert first.json()["data"]["tracked"] is True
    assert alias.json()["data"]["tracked"] is True
    assert sorted(Conversion.objects.values_list("external_transaction_id", flat=True)) == [
        "ORDER-2",
        "ORDER-98765",
    ]


def test_a_txid_already_used_through_selgeos_api_is_a_duplicate_here(keys, live, offer_click):
    native = api_client(keys.sk_live).post(
        "/api/v1/conversions",
        {
            "click_id": str(offer_click.pk),
            "external_transaction_id": "ORDER-98765",
            "amount_cents": 14999,
            "currency": "USD",
        },
        format="json",
    )
    assert native.status_code == 201

    response = report(live, **{**REFERENCE_REQUEST, "click_id": str(offer_click.pk)})

    assert response.json()["reason"] == "duplicate_txid"
    assert Conversion.objects.count() == 1


def _without_ids(data: dict, ids: set[str]) -> dict:
    return {k: v for k, v in data.items() if k not in ids}


def test_the_dialect_records_the_same_rows_steps_and_events_as_selgeos_api(
    keys, live, offer, partner
):
    native_click = ClickFactory(program=offer, partner=partner)
    dialect_click = ClickFactory(program=offer, partner=partner)
    native = api_client(keys.sk_live).post(
        "/api/v1/conversions",
        {
            "click_id": str(native_click.pk),
            "external_transaction_id": "N-1",
            "customer_id": "cust_1",
            "amount_cents": 14999,
            "currency": "USD",
        },
        format="json",
    )
    dialect = report(
        live,
        offer_code="MYOFFER123",
        click_id=str(dialect_click.pk),
        txid="D-1",
        customer_id="cust_1",
        amount="149.99",
        currency="USD",
    )
    assert native.status_code == 201 and dialect.json()["data"]["tracked"] is True

    by_txid = {c.external_transaction_id: c for c in Conversion.objects.all()}
    n, d = by_txid["N-1"], by_txid["D-1"]
    for field in (
        "program_id",
        "partner_id",
        "event_type",
        "amount_cents",
        "currency",
        "status",
        "attributed",
        "customer_ref",
        "metadata",
    ):
        assert getattr(n, field) == getattr(d, field), field
    assert [s["check"] for s in n.attribution_steps] == [s["check"] for s in d.attribution_steps]
    assert n.attribution_explanation["code"] == d.attribution_explanation["code"]
    assert (n.commission.amount_cents, n.commission.kind, n.commission.approve_after.date()) == (
        d.commission.amount_cents,
        d.commission.kind,
        d.commission.approve_after.date(),
    )
    native_types = sorted(e.type for e in Event.objects.filter(payload__data__id=str(n.pk)))
    dialect_types = sorted(e.type for e in Event.objects.filter(payload__data__id=str(d.pk)))
    assert native_types == dialect_types == ["conversion.created"]
    assert sorted(Event.objects.values_list("type", flat=True)) == [
        "commission.created",
        "commission.created",
        "conversion.created",
        "conversion.created",
    ]
    n_payload = Event.objects.get(payload__data__id=str(n.pk)).payload["data"]
    d_payload = Event.objects.get(payload__data__id=str(d.pk)).payload["data"]
    assert set(n_payload) == set(d_payload)
    varying = {
        "id",
        "external_transaction_id",
        "click_id",
        "created_at",
        "occurred_at",
        "commission",
        "attribution",
    }
    assert _without_ids(n_payload, varying) == _without_ids(d_payload, varying)


def test_the_attribution_audit_shows_a_dialect_conversion(keys, live, offer_click):
    reported = report(live, **{**REFERENCE_REQUEST, "click_id": str(offer_click.pk)})
    conversion_id = reported.json()["data"]["conversionId"]

    audit = api_client(keys.sk_live).get(f"/api/v1/attribution/conversions/{conversion_id}")

    assert audit.status_code == 200
    steps = [step["check"] for step in audit.json()["steps"]]
    # The commission terms are the last step of an attributed sale (partners.terms).
    assert steps[0] == "signals" and steps[-2:] == ["attributed", "commission_terms"]


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("149.990", "USD", 14999), ("1500", "JPY", 1500), ("1.234", "BHD", 1234), (7, "USD", 700)],
)
def test_amounts_are_read_exactly_in_the_currencys_minor_units(
    merchant, partner, live, amount, currency, minor
):
    from tests.conversions.factories import ApplicationFactory, ProgramFactory

    program = ProgramFactory(merchant=merchant, mode="live", code=f"P{currency}", currency=currency)
    ApplicationFactory(program=program, partner=partner)
    click = ClickFactory(program=program, partner=partner)

    response = report(
        live,
        offer_code=program.code,
        click_id=str(click.pk),
        txid="o1",
        amount=amount,
        currency=currency,
    )

    assert response.json()["data"]["tracked"] is True, response.json()
    assert Conversion.objects.get().amount_cents == minor


def test_a_conversion_credited_to_no_partner_is_acknowledged_with_the_engines_reason(
    live, offer, partner
):
    from datetime import timedelta

    from django.utils import timezone

    expired = ClickFactory(
        program=offer,
        partner=partner,
        created_at=timezone.now() - timedelta(days=40),
        expires_at=timezone.now() - timedelta(days=10),
    )

    response = report(
        live, offer_code="MYOFFER123", click_id=str(expired.pk), txid="late", amount="10.00"
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["success"], body["tracked"], body["reason"]) == (True, False, "click_expired")
    assert body["message"].startswith("Conversion received. ")
    conversion = Conversion.objects.get()
    assert conversion.attributed is False and not Commission.objects.exists()
