"""The payout endpoints: settings, preview (JSON and CSV), runs, files, transitions, and
the partner's history, statement and balance."""

from __future__ import annotations

import uuid

import pytest

from payouts.models import Payout, PayoutSettings
from tests.conftest import api_client, assert_error, jwt_for
from tests.factories import PartnerFactory
from tests.payouts.money import adjustment, commission

pytestmark = pytest.mark.django_db


def test_settings_default_then_change_and_refuse_bad_values(alice_client, merchant):
    got = alice_client.get("/api/v1/payouts/settings?mode=test")
    assert got.status_code == 200
    assert got.json()["schedule"] == "manual"
    assert got.json()["minimums"] == {}

    changed = alice_client.patch(
        "/api/v1/payouts/settings?mode=test",
        {"minimums": {"EUR": 2000, "JPY": 100}, "schedule": "monthly", "schedule_day": 5},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["minimums"] == {"EUR": 2000, "JPY": 100}
    assert (changed.json()["schedule"], changed.json()["schedule_day"]) == ("monthly", 5)

    refused = alice_client.patch(
        "/api/v1/payouts/settings?mode=test",
        {"minimums": {"EUR": 19.5}, "schedule_day": 31},
        format="json",
    )
    body = assert_error(refused, 400, "VALIDATION_ERROR")
    assert {d["field"] for d in body["details"]} == {"minimums.EUR", "schedule_day"}
    settings = PayoutSettings.objects.get(merchant=merchant, mode="test")
    assert (settings.minimums, settings.schedule_day) == ({"EUR": 2000, "JPY": 100}, 5)
    assert not PayoutSettings.objects.filter(mode="live").exists()


def test_a_teammate_reads_but_cannot_change_settings_or_create_runs(bob_client):
    assert bob_client.get("/api/v1/payouts/settings").status_code == 200
    assert_error(bob_client.patch("/api/v1/payouts/settings", {}, format="json"), 403, "FORBIDDEN")
    assert_error(bob_client.post("/api/v1/payouts/runs", {}, format="json"), 403, "FORBIDDEN")


def test_preview_filters_pages_and_exports(alice_client, program, jane):
    commission(program, jane, 7000)
    commission(program, PartnerFactory(display_name="Kim"), 8000)

    everyone = alice_client.get("/api/v1/payouts/preview").json()
    assert (everyone["total"], everyone["page"], everyone["limit"]) == (2, 1, 20)
    payable = alice_client.get("/api/v1/payouts/preview?payable=true&limit=1").json()
    assert payable["total"] == 1
    assert payable["data"][0]["partner"]["display_name"] == "Jane"
    assert payable["data"][0]["net_cents"] == 7000
    blocked = alice_client.get("/api/v1/payouts/preview?reason=no_payout_method").json()
    assert [r["partner"]["display_name"] for r in blocked["data"]] == ["Kim"]
    assert blocked["data"][0]["reasons"] == ["no_payout_method"]
    exported = alice_client.get("/api/v1/payouts/preview/export")
    lines = exported.content.decode().splitlines()
    assert exported["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("partner_id,partner_name,currency")
    assert len(lines) == 3
    assert alice_client.get("/api/v1/payouts/preview?mode=test").json()["total"] == 0


def test_a_run_from_the_api_then_marked_paid(alice_client, merchant, program, jane):
    commission(program, jane, 7000)
    adjustment(program, jane, -1000)

    created = alice_client.post("/api/v1/payouts/runs", {}, format="json")

    assert created.status_code == 201, created.json()
    run = created.json()
    assert (run["status"], run["progress"]) == ("ready", {"done": 1, "total": 1, "percent": 100})
    assert alice_client.get(f"/api/v1/payouts/runs/{run['id']}").json()["id"] == run["id"]
    listed = alice_client.get(f"/api/v1/payouts?run={run['id']}").json()
    (payout,) = listed["data"]
    assert (payout["amount_cents"], payout["status"], payout["destination"]) == (
        6000,
        "pending",
        "IBAN ••••3000",
    )
    generic = alice_client.get(f"/api/v1/payouts/runs/{run['id']}/files/csv")
    assert generic.status_code == 200
    assert "60.00" in generic.content.decode()
    sepa = alice_client.get(f"/api/v1/payouts/runs/{run['id']}/files/sepa")
    assert_error(sepa, 422, "PAYOUT_FILE_UNAVAILABLE")

    paid = alice_client.post(
        f"/api/v1/payouts/runs/{run['id']}/mark-paid", {"reference": "BATCH-7"}, format="json"
    )
    assert paid.status_code == 200
    assert paid.json()["moved"] == 1
    assert Payout.objects.get().status == "paid"
    again = alice_client.post(f"/api/v1/payouts/{payout['id']}/mark-paid", {}, format="json")
    assert (again.status_code, again.json()["reference"]) == (200, "BATCH-7")
    refused = alice_client.post(f"/api/v1/payouts/{payout['id']}/mark-failed", {}, format="json")
    assert_error(refused, 409, "PAYOUT_STATUS_CONFLICT")
    assert Payout.objects.get().status == "paid"


def test_naming_partners_that_cannot_be_paid_is_a_validation_error(alice_client, program):
    kim = PartnerFactory(display_name="Kim")
    commission(program, kim, 8000)
    refused = alice_client.post(
        "/api/v1/payouts/runs", {"partner_ids": [str(kim.pk)]}, format="json"
    )
    body = assert_error(refused, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "partner_ids"
    assert Payout.objects.count() == 0


def test_the_partner_sees_its_payouts_statement_and_balance(merchant, program, jane):
    kept = commission(program, jane, 7000)
    commission(program, jane, 450, status="pending")
    from payouts import services

    services.payout_run_create(merchant=merchant, mode="live")
    payout = Payout.objects.get()
    client = api_client(jwt_for(jane.user))

    listed = client.get("/api/v1/partner/payouts").json()
    assert [p["id"] for p in listed["data"]] == [str(payout.pk)]
    assert listed["data"][0]["merchant"]["name"] == "Acme"
    detail = client.get(f"/api/v1/partner/payouts/{payout.pk}").json()
    assert (detail["amount_cents"], detail["status"]) == (7000, "pending")
    statement = client.get(f"/api/v1/partner/payouts/{payout.pk}/statement").json()
    assert [(c["id"], c["amount_cents"]) for c in statement["commissions"]] == [
        (str(kept.pk), 7000)
    ]
    assert statement["adjustments"] == []
    as_csv = client.get(f"/api/v1/partner/payouts/{payout.pk}/statement.csv")
    assert as_csv.content.decode().splitlines()[1].startswith(f"commission,{kept.pk},")
    balance = client.get("/api/v1/partner/payouts/balance").json()["data"]
    assert balance == [
        {
            "merchant": {"id": str(merchant.pk), "name": "Acme"},
            "currency": "EUR",
            "pending_cents": 450,
            "approved_cents": 0,
            "in_payout_cents": 7000,
            "open_adjustments_cents": 0,
            "minimum_cents": 5000,
            "next_payout_date": None,
        }
    ]
    assert client.get("/api/v1/partner/payouts?mode=test").json()["total"] == 0


def test_a_minimum_must_be_a_json_integer_within_bounds(alice_client, merchant):
    for bad in (50.0, True, -1, 10**16, "5000"):
        refused = alice_client.patch(
            "/api/v1/payouts/settings", {"minimums": {"EUR": bad}}, format="json"
        )
        body = assert_error(refused, 400, "VALIDATION_ERROR")
        assert body["details"][0]["field"] == "minimums.EUR", bad
    unknown = alice_client.patch(
        "/api/v1/payouts/settings", {"minimums": {"XXX": 1}}, format="json"
    )
    assert assert_error(unknown, 400, "VALIDATION_ERROR")["details"] == [
        {"field": "minimums.XXX", "message": "Unknown ISO 4217 code"}
    ]
    assert not PayoutSettings.objects.exists()


def test_the_statement_lists_the_deductions_and_what_is_left_owing(merchant, program, jane):
    from payouts import services

    earned = commission(program, jane, 7000)
    owed = adjustment(program, jane, -9000)
    commission(program, jane, 2500)
    run = services.payout_run_create(merchant=merchant, mode="live", partner_ids=[jane.pk])
    payout = Payout.objects.get(run=run)
    assert (payout.commissions_cents, payout.adjustments_cents, payout.amount_cents) == (
        9500,
        -9000,
        500,
    )
    client = api_client(jwt_for(jane.user))

    statement = client.get(f"/api/v1/partner/payouts/{payout.pk}/statement").json()

    assert sorted(c["amount_cents"] for c in statement["commissions"]) == [2500, 7000]
    assert str(earned.pk) in {c["id"] for c in statement["commissions"]}
    (deduction,) = statement["adjustments"]
    assert (deduction["id"], deduction["adjustment_cents"], deduction["deducted_cents"]) == (
        str(owed.pk),
        -9000,
        -9000,
    )
    assert statement["payout"]["amount_cents"] == 500


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("eur", "Currency codes are upper case: send 'EUR', not 'eur'"),
        ("XYZ", "Unknown ISO 4217 currency code"),
    ],
)
def test_the_preview_currency_filter_takes_upper_case_codes_only(alice_client, value, message):
    response = alice_client.get(f"/api/v1/payouts/preview?currency={value}")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "currency", "message": message}]


def test_settings_take_json_strings_and_booleans_only(alice_client, merchant):
    response = alice_client.patch(
        "/api/v1/payouts/settings?mode=test",
        {"sepa_debtor_bic": 0, "tax_details_required": "true"},
        format="json",
    )

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        {"field": "tax_details_required", "message": "Expected a boolean"},
        {"field": "sepa_debtor_bic", "message": "Expected a string"},
    ]
    assert not PayoutSettings.objects.filter(merchant=merchant, mode="test").exists()


def test_a_run_names_at_most_1000_partners(alice_client):
    ids = [str(uuid.uuid4()) for _ in range(1001)]

    response = alice_client.post("/api/v1/payouts/runs", {"partner_ids": ids}, format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        {"field": "partner_ids", "message": "Ensure this field has no more than 1000 elements."}
    ]
    assert Payout.objects.count() == 0
