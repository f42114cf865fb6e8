"""The program status machine and what each status lets the merchant edit."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant
from partners.models import Program
from tests.conftest import assert_error
from tests.partners.factories import ProgramFactory

URL = "/api/v1/programs"


def act(client: APIClient, program: Program, verb: str) -> Any:
    return client.post(f"{URL}/{program.pk}/{verb}")


@pytest.mark.parametrize(
    ("start", "verb", "end"),
    [
        ("draft", "publish", "published"),
        ("draft", "archive", "archived"),
        ("published", "pause", "paused"),
        ("published", "archive", "archived"),
        ("paused", "publish", "published"),
        ("paused", "archive", "archived"),
    ],
)
def test_allowed_transitions(
    alice_client: APIClient, merchant: Merchant, start: str, verb: str, end: str
) -> None:
    program = ProgramFactory(merchant=merchant, status=start)

    response = act(alice_client, program, verb)

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == end
    program.refresh_from_db()
    assert program.status == end


@pytest.mark.parametrize(
    ("start", "verb", "message"),
    [
        ("draft", "pause", "A draft program cannot be paused"),
        ("published", "publish", "A published program cannot be published"),
        ("paused", "pause", "A paused program cannot be paused"),
        ("archived", "publish", "An archived program cannot be published"),
        ("archived", "pause", "An archived program cannot be paused"),
        ("archived", "archive", "An archived program cannot be archived"),
    ],
)
def test_refused_transitions_are_400_on_status_and_change_nothing(
    alice_client: APIClient, merchant: Merchant, start: str, verb: str, message: str
) -> None:
    program = ProgramFactory(merchant=merchant, status=start)

    body = assert_error(act(alice_client, program, verb), 400, "VALIDATION_ERROR")

    assert body["details"] == [{"field": "status", "message": message}]
    program.refresh_from_db()
    assert program.status == start


def patch(client: APIClient, program: Program, body: dict[str, Any]) -> Any:
    return client.patch(f"{URL}/{program.pk}", body, format="json")


def test_draft_program_accepts_every_editable_field(
    alice_client: APIClient, merchant: Merchant
) -> None:
    program = ProgramFactory(merchant=merchant, status="draft")

    response = patch(
        alice_client,
        program,
        {
            "code": "NEW-CODE",
            "name": "New",
            "currency": "USD",
            "commission_type": "cpa",
            "cpa_amount_cents": 2500,
            "cookie_days": 60,
            "hold_days": 0,
            "is_public": False,
            "terms": "Be nice",
        },
    )

    assert response.status_code == 200, response.json()
    program.refresh_from_db()
    assert (program.code, program.currency, program.commission_type) == ("NEW-CODE", "USD", "cpa")
    # Switching from cps to cpa cleared the percentage the new type does not use.
    assert (program.cpa_amount_cents, program.percent_bps) == (2500, None)
    assert (program.cookie_days, program.hold_days, program.is_public) == (60, 0, False)


def test_published_program_refuses_a_commission_type_change(
    alice_client: APIClient, merchant: Merchant
) -> None:
    # Rates of a published program change as new terms versions (tests/partners/
    # test_terms_versions.py); the type changes the program's rules and needs a pause.
    program = ProgramFactory(merchant=merchant, status="published", percent_bps=1500)

    body = assert_error(
        patch(alice_client, program, {"commission_type": "cpa", "cpa_amount_cents": 500}),
        400,
        "VALIDATION_ERROR",
    )

    assert body["details"] == [
        {
            "field": "status",
            "message": "commission_type can only change while the program is draft or paused "
            "(it is published)",
        }
    ]
    program.refresh_from_db()
    assert (program.commission_type, program.percent_bps) == ("cps", 1500)


def test_paused_program_accepts_commission_changes_but_not_currency(
    alice_client: APIClient, merchant: Merchant
) -> None:
    program = ProgramFactory(merchant=merchant, status="paused", percent_bps=1500)

    ok = patch(alice_client, program, {"percent_bps": 2000})
    refused = patch(alice_client, program, {"currency": "USD"})

    assert ok.status_code == 200 and ok.json()["percent_bps"] == 2000
    body = assert_error(refused, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "status"
    program.refresh_from_db()
    assert (program.percent_bps, program.currency) == (2000, "EUR")


def test_published_program_accepts_descriptive_changes(
    alice_client: APIClient, merchant: Merchant
) -> None:
    program = ProgramFactory(merchant=merchant, status="published")

    response = patch(
        alice_client,
        program,
        {"name": "Renamed", "hold_days": 14, "landing_url": "http://shop.example.com/x"},
    )

    assert response.status_code == 200, response.json()
    program.refresh_from_db()
    assert (program.name, program.hold_days) == ("Renamed", 14)


def test_unchanged_terms_in_a_published_program_are_not_a_conflict(
    alice_client: APIClient, merchant: Merchant
) -> None:
    program = ProgramFactory(merchant=merchant, status="published", percent_bps=1500)
    response = patch(alice_client, program, {"percent_bps": 1500, "name": "Same terms"})
    assert response.status_code == 200, response.json()


def test_archived_program_cannot_be_edited(alice_client: APIClient, merchant: Merchant) -> None:
    program = ProgramFactory(merchant=merchant, status="archived", name="Old")

    body = assert_error(patch(alice_client, program, {"name": "New"}), 400, "VALIDATION_ERROR")

    assert body["details"] == [
        {"field": "status", "message": "An archived program cannot be changed"}
    ]
    program.refresh_from_db()
    assert program.name == "Old"


@pytest.mark.parametrize(
    "body",
    [
        {"status": "published"},
        {"merchant": "00000000-0000-0000-0000-000000000000"},
        {"mode": "test"},
        {"id": "00000000-0000-0000-0000-000000000000"},
        {"created_at": "2020-01-01T00:00:00Z"},
        {"name": "Sneaky", "status": "archived"},
    ],
)
def test_mass_assignment_of_protected_fields_is_refused_and_changes_nothing(
    alice_client: APIClient, merchant: Merchant, body: dict[str, Any]
) -> None:
    program = ProgramFactory(merchant=merchant, status="draft", name="Original")
    before = Program.objects.filter(pk=program.pk).values().get()

    response = patch(alice_client, program, body)

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert {
        "field": next(k for k in body if k != "name"),
        "message": "This field is read-only",
    } in (error["details"])
    assert Program.objects.filter(pk=program.pk).values().get() == before


def test_invalid_patch_values_are_400(alice_client: APIClient, merchant: Merchant) -> None:
    program = ProgramFactory(merchant=merchant, status="draft")

    for body, field in [
        ({"percent_bps": 10001}, "percent_bps"),
        ({"cookie_days": 0}, "cookie_days"),
        ({"code": "has space"}, "code"),
        ({"commission_type": "revshare"}, "recurring_months"),
        ({}, "body"),
    ]:
        error = assert_error(patch(alice_client, program, body), 400, "VALIDATION_ERROR")
        assert error["details"][0]["field"] == field, (body, error)


def test_put_and_delete_are_not_allowed(alice_client: APIClient, merchant: Merchant) -> None:
    program = ProgramFactory(merchant=merchant)
    assert_error(
        alice_client.put(f"{URL}/{program.pk}", {}, format="json"), 405, "METHOD_NOT_ALLOWED"
    )
    assert_error(alice_client.delete(f"{URL}/{program.pk}"), 405, "METHOD_NOT_ALLOWED")
    assert Program.objects.filter(pk=program.pk).exists()


def test_renaming_a_draft_to_a_taken_code_is_400(
    alice_client: APIClient, merchant: Merchant
) -> None:
    ProgramFactory(merchant=merchant, code="TAKEN")
    program = ProgramFactory(merchant=merchant, status="draft", code="FREE")

    body = assert_error(patch(alice_client, program, {"code": "taken"}), 400, "VALIDATION_ERROR")

    assert body["details"] == [
        {"field": "code", "message": "This merchant already has a program with this code"}
    ]
    program.refresh_from_db()
    assert program.code == "FREE"
