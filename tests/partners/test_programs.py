"""Programs: creation, validation of bad input, listing and filters."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant
from partners.models import Program
from tests.conftest import assert_error
from tests.partners.factories import ProgramFactory

URL = "/api/v1/programs"


def valid(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "SUMMER",
        "name": "Summer sale",
        "currency": "EUR",
        "commission_type": "cps",
        "percent_bps": 1500,
        "landing_url": "https://shop.example.com/summer",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def test_create_program_returns_201_draft_in_requested_mode(
    alice_client: APIClient, merchant: Merchant
) -> None:
    response = alice_client.post(f"{URL}?mode=test", valid(description="Sun"), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["mode"] == "test"
    assert body | {"id": None, "created_at": None, "updated_at": None} == {
        "id": None,
        "mode": "test",
        "code": "SUMMER",
        "name": "Summer sale",
        "description": "Sun",
        "status": "draft",
        "currency": "EUR",
        "accepted_currencies": [],
        "commission_type": "cps",
        "cpa_amount_cents": None,
        "percent_bps": 1500,
        "recurring_months": None,
        "cookie_days": 30,
        "hold_days": 30,
        "landing_url": "https://shop.example.com/summer",
        "is_public": True,
        "terms": "",
        "created_at": None,
        "updated_at": None,
        "auto_approve_applications": False,
    }
    program = Program.objects.get(pk=body["id"])
    assert (program.merchant, program.mode, program.status) == (merchant, "test", "draft")


def test_create_cpa_and_revshare_programs(alice_client: APIClient) -> None:
    cpa = alice_client.post(
        URL,
        valid(code="CPA1", commission_type="cpa", percent_bps=..., cpa_amount_cents=3000),
        format="json",
    )
    rev = alice_client.post(
        URL,
        valid(code="REV1", commission_type="revshare", percent_bps=2000, recurring_months=12),
        format="json",
    )

    assert cpa.status_code == 201, cpa.json()
    assert (cpa.json()["cpa_amount_cents"], cpa.json()["percent_bps"]) == (3000, None)
    assert rev.status_code == 201, rev.json()
    assert (rev.json()["percent_bps"], rev.json()["recurring_months"]) == (2000, 12)


def test_lowercase_currency_is_refused_by_name(alice_client: APIClient) -> None:
    response = alice_client.post(URL, valid(currency="jpy"), format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        {"field": "currency", "message": "Currency codes are upper case: send 'JPY', not 'jpy'"}
    ]
    assert Program.objects.count() == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("eur", "Currency codes are upper case: send 'EUR', not 'eur'"),
        ("XYZ", "Unknown ISO 4217 currency code"),
    ],
)
def test_currency_filter_takes_upper_case_codes_only(
    alice_client: APIClient, value: str, message: str
) -> None:
    body = assert_error(alice_client.get(f"{URL}?currency={value}"), 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "currency", "message": message}]


BAD_INPUT = [
    ("unknown currency", {"currency": "XYZ"}, "currency"),
    ("currency not a string", {"currency": 978}, "currency"),
    ("negative percent", {"percent_bps": -1}, "percent_bps"),
    ("zero percent", {"percent_bps": 0}, "percent_bps"),
    ("over 100 percent", {"percent_bps": 10001}, "percent_bps"),
    ("percent as float", {"percent_bps": 15.0}, "percent_bps"),
    ("percent as string", {"percent_bps": "1500"}, "percent_bps"),
    ("cps without percent", {"percent_bps": ...}, "percent_bps"),
    ("cps with cpa amount", {"cpa_amount_cents": 100}, "cpa_amount_cents"),
    ("cps with months", {"recurring_months": 3}, "recurring_months"),
    (
        "cpa negative amount",
        {"commission_type": "cpa", "percent_bps": ..., "cpa_amount_cents": -5},
        "cpa_amount_cents",
    ),
    (
        "cpa zero amount",
        {"commission_type": "cpa", "percent_bps": ..., "cpa_amount_cents": 0},
        "cpa_amount_cents",
    ),
    ("cpa with percent", {"commission_type": "cpa", "cpa_amount_cents": 100}, "percent_bps"),
    ("revshare without months", {"commission_type": "revshare"}, "recurring_months"),
    (
        "revshare over 120 months",
        {"commission_type": "revshare", "recurring_months": 121},
        "recurring_months",
    ),
    ("unknown commission type", {"commission_type": "cpl"}, "commission_type"),
    ("cookie days zero", {"cookie_days": 0}, "cookie_days"),
    ("cookie days over a year", {"cookie_days": 366}, "cookie_days"),
    ("negative hold days", {"hold_days": -1}, "hold_days"),
    ("hold days over a year", {"hold_days": 366}, "hold_days"),
    ("code with spaces", {"code": "SUMMER SALE"}, "code"),
    ("code with leading space", {"code": " SUMMER"}, "code"),
    ("code too short", {"code": "AB"}, "code"),
    ("code over 40 chars", {"code": "A" * 41}, "code"),
    ("code with punctuation", {"code": "SUMMER!"}, "code"),
    ("landing url javascript", {"landing_url": "javascript:alert(1)"}, "landing_url"),
    ("landing url ftp", {"landing_url": "ftp://shop.example.com/"}, "landing_url"),
    ("landing url not a url", {"landing_url": "shop"}, "landing_url"),
    ("missing name", {"name": ...}, "name"),
    ("is_public as string", {"is_public": "yes"}, "is_public"),
    ("unknown field", {"colour": "red"}, "colour"),
    ("merchant is read-only", {"merchant": "x"}, "merchant"),
    ("status is read-only", {"status": "published"}, "status"),
    ("mode is read-only", {"mode": "test"}, "mode"),
]


@pytest.mark.parametrize(
    ("overrides", "field"), [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT]
)
def test_bad_program_input_is_400_with_field_and_writes_nothing(
    alice_client: APIClient, overrides: dict[str, Any], field: str
) -> None:
    response = alice_client.post(URL, valid(**overrides), format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in [d["field"] for d in body["details"]], body
    assert Program.objects.count() == 0


def test_program_code_unique_per_merchant_ignoring_case_and_mode(
    alice_client: APIClient, merchant: Merchant
) -> None:
    ProgramFactory(merchant=merchant, mode="test", code="Summer")

    response = alice_client.post(URL, valid(code="SUMMER"), format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        {"field": "code", "message": "This merchant already has a program with this code"}
    ]
    assert Program.objects.count() == 1


def test_another_merchant_may_use_the_same_program_code(
    alice_client: APIClient, other_merchant: Merchant
) -> None:
    ProgramFactory(merchant=other_merchant, code="SUMMER")
    assert alice_client.post(URL, valid(), format="json").status_code == 201


def test_bad_mode_is_400(alice_client: APIClient) -> None:
    body = assert_error(alice_client.get(f"{URL}?mode=prod"), 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "mode"


def test_list_is_paginated_scoped_to_merchant_and_mode(
    alice_client: APIClient, merchant: Merchant, other_merchant: Merchant
) -> None:
    live = [ProgramFactory(merchant=merchant, mode="live") for _ in range(3)]
    ProgramFactory(merchant=merchant, mode="test")
    ProgramFactory(merchant=other_merchant, mode="live")

    response = alice_client.get(f"{URL}?limit=2&page=2")

    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["limit"]) == (3, 2, 2)
    assert [p["id"] for p in body["data"]] == [str(live[0].pk)]


def test_list_filters(alice_client: APIClient, merchant: Merchant) -> None:
    shoes = ProgramFactory(merchant=merchant, code="SHOES", name="Shoes", status="paused")
    ProgramFactory(
        merchant=merchant,
        code="HATS",
        name="Hats",
        commission_type="cpa",
        percent_bps=None,
        cpa_amount_cents=500,
        is_public=False,
        currency="USD",
    )

    def ids(query: str) -> list[str]:
        response = alice_client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json()
        return [p["code"] for p in response.json()["data"]]

    assert ids("status=paused") == ["SHOES"]
    assert ids("commission_type=cpa") == ["HATS"]
    assert ids("is_public=false") == ["HATS"]
    assert ids("currency=USD") == ["HATS"]
    assert ids("q=sho") == [shoes.code]
    assert_error(alice_client.get(f"{URL}?status=open"), 400, "VALIDATION_ERROR")
    assert_error(alice_client.get(f"{URL}?is_public=1"), 400, "VALIDATION_ERROR")


def test_teammate_can_read_and_write_programs(bob_client: APIClient) -> None:
    assert bob_client.post(URL, valid(), format="json").status_code == 201
    assert bob_client.get(URL).json()["total"] == 1


def test_partner_and_anonymous_cannot_use_merchant_programs(
    partner_client: APIClient, anon_client: APIClient
) -> None:
    assert_error(partner_client.get(URL), 403, "FORBIDDEN")
    assert_error(anon_client.get(URL), 401, "UNAUTHORIZED")
