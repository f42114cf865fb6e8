"""Every payout endpoint answers exactly what the OpenAPI document says: each test calls
one endpoint for real and checks each answer (success and error) against the document
served at /api/v1/openapi.json, with every object closed to fields it does not name."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from payouts import services
from payouts.models import Payout
from tests.conftest import api_client, assert_error, jwt_for
from tests.factories import PartnerFactory
from tests.payouts.money import adjustment, commission, paypal_account, tax_profile
from tests.payouts.schema_check import assert_documented, check, closed, response_schema

pytestmark = pytest.mark.django_db

RUN = "0193a9e2-5c10-7a3b-b4d6-1e2f3a4b5c6d"
MOMENT = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def paid_run(merchant, program, jane):
    """Jane's payout: two commissions less a refund of a paid one, marked paid."""
    commission(program, jane, 7000)
    commission(program, jane, 2500)
    adjustment(program, jane, -1500)
    run = services.payout_run_create(merchant=merchant, mode="live")
    payout = Payout.objects.get(run=run)
    services.payout_transition(
        merchant=merchant, mode="live", payout_id=payout.pk, to="paid", reference="SEPA-42"
    )
    return run


@pytest.fixture
def jane_client(jane):
    return api_client(jwt_for(jane.user))


def test_settings_read_and_change(document, alice_client, bob_client):
    path = "/api/v1/payouts/settings"
    got = assert_documented(document, alice_client.get(path), path)
    assert got["schedule"] == "manual"
    changed = alice_client.patch(
        path, {"minimums": {"EUR": 2000}, "schedule": "monthly", "schedule_day": 5}, format="json"
    )
    assert changed.status_code == 200
    body = assert_documented(document, changed, path, "patch")
    assert (body["minimums"], body["schedule_day"]) == ({"EUR": 2000}, 5)
    refused = alice_client.patch(path, {"minimums": {"EUR": 1.5}}, format="json")
    assert_error(refused, 400, "VALIDATION_ERROR")
    assert_documented(document, refused, path, "patch")
    forbidden = bob_client.patch(path, {}, format="json")
    assert_error(forbidden, 403, "FORBIDDEN")
    assert_documented(document, forbidden, path, "patch")


def test_preview(document, alice_client, program, jane):
    commission(program, jane, 7000)
    adjustment(program, jane, -1500)
    commission(program, PartnerFactory(display_name="Kim"), 2400)
    path = "/api/v1/payouts/preview"

    body = assert_documented(document, alice_client.get(path), path)

    assert [(r["partner"]["display_name"], r["net_cents"], r["method"]) for r in body["data"]] == [
        ("Jane", 5500, "sepa"),
        ("Kim", 2400, None),
    ]
    assert body["data"][1]["reasons"] == ["below_minimum", "no_payout_method"]
    refused = alice_client.get(f"{path}?reason=late")
    assert_error(refused, 400, "VALIDATION_ERROR")
    assert_documented(document, refused, path)


def test_preview_export_is_documented_as_csv(document, alice_client, program, jane):
    commission(program, jane, 7000)
    path = "/api/v1/payouts/preview/export"
    response = alice_client.get(path)
    assert response["Content-Type"].startswith("text/csv")
    assert response_schema(document, path, "get", 200, "text/csv") == {"type": "string"}
    assert_documented(document, alice_client.get(f"{path}?reason=late"), path)


def test_run_create_and_list(document, alice_client, bob_client, program, jane):
    commission(program, jane, 7000)
    path = "/api/v1/payouts/runs"

    created = alice_client.post(path, {}, format="json")

    assert created.status_code == 201
    run = assert_documented(document, created, path, "post")
    assert (run["status"], run["test"], run["progress"]["percent"]) == ("ready", False, 100)
    assert run["created_at"] == Payout.objects.get().run.created_at.strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )
    listed = assert_documented(document, alice_client.get(path), path)
    assert [r["id"] for r in listed["data"]] == [run["id"]]
    nobody = alice_client.post(path, {"partner_ids": [str(jane.pk)]}, format="json")
    assert_error(nobody, 400, "VALIDATION_ERROR")
    assert_documented(document, nobody, path, "post")
    assert_documented(document, bob_client.post(path, {}, format="json"), path, "post")
    assert_documented(document, alice_client.get(f"{path}?limit=101"), path)


def test_run_detail(document, alice_client, paid_run):
    path = "/api/v1/payouts/runs/{run_id}"
    body = assert_documented(
        document, alice_client.get(f"/api/v1/payouts/runs/{paid_run.pk}"), path
    )
    assert body["id"] == str(paid_run.pk)
    missing = alice_client.get("/api/v1/payouts/runs/0193a9e2-5c10-7a3b-b4d6-1e2f3a4b5c6d")
    assert_error(missing, 404, "NOT_FOUND")
    assert_documented(document, missing, path)


def test_run_files(document, alice_client, paid_run):
    path = "/api/v1/payouts/runs/{run_id}/files/{rail}"
    base = f"/api/v1/payouts/runs/{paid_run.pk}/files"
    answer = alice_client.get(f"{base}/csv")
    assert answer.status_code == 200
    assert set(operation_content(document, path)) == {answer["Content-Type"], "application/xml"}
    unavailable = alice_client.get(f"{base}/sepa")  # no debtor account in the settings
    assert_error(unavailable, 422, "PAYOUT_FILE_UNAVAILABLE")
    assert_documented(document, unavailable, path)
    unknown = alice_client.get(f"{base}/swift")
    assert_error(unknown, 404, "NOT_FOUND")
    assert_documented(document, unknown, path)


def operation_content(document: dict[str, Any], path: str) -> dict[str, Any]:
    content: dict[str, Any] = document["paths"][path]["get"]["responses"]["200"]["content"]
    return content


def test_run_transition(document, alice_client, program, jane):
    commission(program, jane, 7000)
    run = services.payout_run_create(merchant=program.merchant, mode="live")
    path = "/api/v1/payouts/runs/{run_id}/{action}"

    marked = alice_client.post(
        f"/api/v1/payouts/runs/{run.pk}/mark-processing", {"reference": "B-1"}, format="json"
    )

    body = assert_documented(document, marked, path, "post")
    assert (body["id"], body["moved"]) == (str(run.pk), 1)
    too_long = alice_client.post(
        f"/api/v1/payouts/runs/{run.pk}/mark-paid", {"reference": "x" * 141}, format="json"
    )
    assert_error(too_long, 400, "VALIDATION_ERROR")
    assert_documented(document, too_long, path, "post")


def test_payout_list(document, alice_client, paid_run):
    path = "/api/v1/payouts"
    body = assert_documented(document, alice_client.get(f"{path}?run={paid_run.pk}"), path)
    (payout,) = body["data"]
    assert (payout["amount_cents"], payout["commissions_cents"], payout["adjustments_cents"]) == (
        8000,
        9500,
        -1500,
    )
    assert payout["partner"]["display_name"] == "Jane"
    assert payout["paid_at"] is not None and payout["processing_at"] is None
    refused = alice_client.get(f"{path}?status=lost")
    assert_error(refused, 400, "VALIDATION_ERROR")
    assert_documented(document, refused, path)


def test_payout_detail_and_transition(document, alice_client, paid_run):
    payout = Payout.objects.get(run=paid_run)
    detail_path, action_path = "/api/v1/payouts/{payout_id}", "/api/v1/payouts/{payout_id}/{action}"

    body = assert_documented(
        document, alice_client.get(f"/api/v1/payouts/{payout.pk}"), detail_path
    )
    assert (body["status"], body["reference"], body["destination"]) == (
        "paid",
        "SEPA-42",
        "IBAN ••••3000",
    )
    again = alice_client.post(f"/api/v1/payouts/{payout.pk}/mark-paid", {}, format="json")
    assert assert_documented(document, again, action_path, "post")["status"] == "paid"
    conflict = alice_client.post(f"/api/v1/payouts/{payout.pk}/mark-failed", {}, format="json")
    assert_error(conflict, 409, "PAYOUT_STATUS_CONFLICT")
    assert_documented(document, conflict, action_path, "post")
    missing = alice_client.get("/api/v1/payouts/0193a9e2-5c44-7d8e-9f01-2a3b4c5d6e7f")
    assert_error(missing, 404, "NOT_FOUND")
    assert_documented(document, missing, detail_path)


def test_partner_payout_list_and_detail(document, jane_client, alice_client, paid_run):
    payout = Payout.objects.get(run=paid_run)
    list_path, detail_path = "/api/v1/partner/payouts", "/api/v1/partner/payouts/{payout_id}"

    listed = assert_documented(document, jane_client.get(list_path), list_path)
    detail = assert_documented(
        document, jane_client.get(f"/api/v1/partner/payouts/{payout.pk}"), detail_path
    )

    assert listed["data"] == [detail]
    assert (detail["merchant"]["name"], detail["amount_cents"]) == ("Acme", 8000)
    not_partner = alice_client.get(list_path)
    assert_error(not_partner, 403, "FORBIDDEN")
    assert_documented(document, not_partner, list_path)


def test_partner_statement(document, jane_client, paid_run):
    payout = Payout.objects.get(run=paid_run)
    path = "/api/v1/partner/payouts/{payout_id}/statement"

    body = assert_documented(
        document, jane_client.get(f"/api/v1/partner/payouts/{payout.pk}/statement"), path
    )

    assert sorted(c["amount_cents"] for c in body["commissions"]) == [2500, 7000]
    (deduction,) = body["adjustments"]
    assert (deduction["reason"], deduction["deducted_cents"]) == ("refund", -1500)
    missing = jane_client.get(
        "/api/v1/partner/payouts/0193a9e2-5c44-7d8e-9f01-2a3b4c5d6e7f/statement"
    )
    assert_error(missing, 404, "NOT_FOUND")
    assert_documented(document, missing, path)
    csv_path = "/api/v1/partner/payouts/{payout_id}/statement.csv"
    assert response_schema(document, csv_path, "get", 200, "text/csv") == {"type": "string"}


def test_partner_balance(document, merchant, program, jane, jane_client):
    commission(program, jane, 450, status="pending")
    commission(program, jane, 3200)
    path = "/api/v1/partner/payouts/balance"

    body = assert_documented(document, jane_client.get(path), path)

    assert [(b["pending_cents"], b["approved_cents"]) for b in body["data"]] == [(450, 3200)]
    refused = jane_client.get(f"{path}?mode=sandbox")
    assert_error(refused, 400, "VALIDATION_ERROR")
    assert_documented(document, refused, path)


def test_timestamps_are_utc_iso_8601_and_ids_strings(document, alice_client, paid_run):
    body = alice_client.get(f"/api/v1/payouts?run={paid_run.pk}").json()
    (payout,) = body["data"]
    schema = {"type": "string", "pattern": MOMENT}
    for name in ("created_at", "paid_at"):
        check(document, schema, payout[name])
    assert all(isinstance(payout[name], str) for name in ("id", "run_id", "partner_id"))


def test_an_answer_with_a_field_the_document_does_not_name_fails(document, alice_client, paid_run):
    path = "/api/v1/payouts/{payout_id}"
    payout = alice_client.get(f"/api/v1/payouts/{Payout.objects.get().pk}").json()
    schema = response_schema(document, path, "get", 200)
    renamed = {**payout, "amount": payout["amount_cents"]}
    del renamed["amount_cents"]

    for wrong in ({**payout, "extra": 1}, renamed, {**payout, "partner": {"id": payout["id"]}}):
        with pytest.raises(AssertionError):
            check(document, schema, wrong)
    check(document, schema, payout)


@pytest.mark.parametrize(
    ("method", "url", "path"),
    [
        ("get", "/api/v1/payouts/settings", "/api/v1/payouts/settings"),
        ("patch", "/api/v1/payouts/settings", "/api/v1/payouts/settings"),
        ("get", "/api/v1/payouts/preview", "/api/v1/payouts/preview"),
        ("get", "/api/v1/payouts/preview/export", "/api/v1/payouts/preview/export"),
        ("get", "/api/v1/payouts/runs", "/api/v1/payouts/runs"),
        ("post", "/api/v1/payouts/runs", "/api/v1/payouts/runs"),
        ("get", f"/api/v1/payouts/runs/{RUN}", "/api/v1/payouts/runs/{run_id}"),
        (
            "get",
            f"/api/v1/payouts/runs/{RUN}/files/csv",
            "/api/v1/payouts/runs/{run_id}/files/{rail}",
        ),
        ("post", f"/api/v1/payouts/runs/{RUN}/mark-paid", "/api/v1/payouts/runs/{run_id}/{action}"),
        ("get", "/api/v1/payouts", "/api/v1/payouts"),
        ("get", f"/api/v1/payouts/{RUN}", "/api/v1/payouts/{payout_id}"),
        ("post", f"/api/v1/payouts/{RUN}/mark-paid", "/api/v1/payouts/{payout_id}/{action}"),
        ("get", "/api/v1/partner/payouts", "/api/v1/partner/payouts"),
        ("get", "/api/v1/partner/payouts/balance", "/api/v1/partner/payouts/balance"),
        ("get", f"/api/v1/partner/payouts/{RUN}", "/api/v1/partner/payouts/{payout_id}"),
        (
            "get",
            f"/api/v1/partner/payouts/{RUN}/statement",
            "/api/v1/partner/payouts/{payout_id}/statement",
        ),
        (
            "get",
            f"/api/v1/partner/payouts/{RUN}/statement.csv",
            "/api/v1/partner/payouts/{payout_id}/statement.csv",
        ),
    ],
)
def test_without_a_token_every_endpoint_answers_the_documented_401(document, method, url, path):
    response = getattr(api_client(), method)(url, {}, format="json")
    assert_error(response, 401, "UNAUTHORIZED")
    assert_documented(document, response, path, method)


def _payout_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, operations in document["paths"].items()
        if path.startswith(("/api/v1/payouts", "/api/v1/partner/payouts"))
        for method, op in operations.items()
        if method in {"get", "post", "patch"}
    ]


def test_every_payout_answer_has_a_schema_and_valid_examples(document):
    """Each success and each error the views raise (at least 401) shows an example, and
    every example fits its schema as strictly as a real answer."""
    schemas = document["components"]["schemas"]
    checked = 0
    for path, method, op in _payout_operations(document):
        responses = op["responses"]
        success = [status for status in responses if status in {"200", "201"}]
        assert len(success) == 1, f"{method} {path}"
        json_success = responses[success[0]]["content"].get("application/json")
        assert json_success is None or json_success.get("examples"), f"{method} {path}"
        assert responses["401"]["content"]["application/json"].get("examples"), path
        for response in responses.values():
            for media, content in response.get("content", {}).items():
                assert content["schema"] != {"type": "object", "additionalProperties": {}}, path
                if media != "application/json":
                    continue
                schema = closed(content["schema"], schemas)
                for example in content.get("examples", {}).values():
                    check(document, schema, example["value"])
                    checked += 1
    assert checked >= 60


ANSWER_COMPONENTS = [
    "PayoutSettingsOut",
    "PaginatedPayoutPreviewRowList",
    "PayoutPreviewRowOut",
    "PayoutPartnerRefOut",
    "PaginatedPayoutRunList",
    "PayoutRunOut",
    "PayoutRunProgressOut",
    "PayoutRunTransitionOut",
    "PaginatedPayoutList",
    "PayoutOut",
    "PaginatedPartnerPayoutList",
    "PartnerPayoutOut",
    "PayoutMerchantRefOut",
    "PayoutStatementOut",
    "StatementCommissionOut",
    "PayoutProgramRefOut",
    "StatementAdjustmentOut",
    "PayoutBalancesOut",
    "PayoutBalanceOut",
]


def test_each_payout_answer_component_requires_every_field(document):
    schemas = document["components"]["schemas"]
    for name in ANSWER_COMPONENTS:
        assert sorted(schemas[name]["required"]) == sorted(schemas[name]["properties"]), name


def test_a_paypal_payout_answers_its_destination_masked(document, merchant):
    program = merchant_program(merchant)
    partner = PartnerFactory(display_name="Lea")
    paypal_account(partner, "lea@example.org")
    tax_profile(partner)
    commission(program, partner, 6000)
    services.payout_run_create(merchant=merchant, mode="live")
    client = api_client(jwt_for(partner.user))
    body = assert_documented(
        document, client.get("/api/v1/partner/payouts"), "/api/v1/partner/payouts"
    )
    assert (body["data"][0]["rail"], body["data"][0]["destination"]) == (
        "paypal",
        "PayPal ••••@example.org",
    )


def merchant_program(merchant):
    from tests.partners.factories import ProgramFactory

    return ProgramFactory(merchant=merchant, mode="live", code="BAGS", currency="EUR")
