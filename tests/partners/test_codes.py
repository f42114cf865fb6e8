"""Referral and promo codes: ownership rules, case-insensitive uniqueness, disabling."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from partners import services
from partners.errors import ReferralCodeTaken
from partners.models import Application, Program, PromoCode, ReferralCode
from partners.services import _common
from partners.services.codes import MAX_ACTIVE_REFERRAL_CODES
from tests.conftest import assert_error
from tests.partners.factories import (
    ProgramFactory,
    PromoCodeFactory,
    ReferralCodeFactory,
)

REFERRAL = "/api/v1/referral-codes"
PROMO = "/api/v1/promo-codes"
PARTNER_REFERRAL = "/api/v1/partner/referral-codes"


def create(client: APIClient, url: str, **body: Any) -> Any:
    return client.post(url, {k: str(v) for k, v in body.items()}, format="json")


def test_merchant_creates_chosen_referral_code(
    alice_client: APIClient, approved: Application, program: Program, partner: Partner
) -> None:
    response = create(alice_client, REFERRAL, program=program.pk, partner=partner.pk, code="Jane10")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["status"], body["is_default"], body["mode"]) == (
        "Jane10",
        "active",
        False,
        "live",
    )
    assert body["url"].endswith("/r/Jane10")
    assert ReferralCode.objects.get(pk=body["id"]).partner == partner


def test_merchant_gets_a_generated_code_when_none_is_given(
    alice_client: APIClient, approved: Application, program: Program, partner: Partner
) -> None:
    response = create(alice_client, REFERRAL, program=program.pk, partner=partner.pk)
    assert response.status_code == 201, response.json()
    assert response.json()["code"].startswith("partner-")


@pytest.mark.parametrize("taken", ["JANE10", "jane10", "Jane10"])
def test_referral_code_taken_in_any_case_or_mode_is_409(
    alice_client: APIClient,
    approved: Application,
    merchant: Merchant,
    program: Program,
    partner: Partner,
    taken: str,
) -> None:
    ReferralCodeFactory(program=ProgramFactory(merchant=merchant, mode="test"), code="jane10")

    response = create(alice_client, REFERRAL, program=program.pk, partner=partner.pk, code=taken)

    assert_error(response, 409, "REFERRAL_CODE_TAKEN")
    assert ReferralCode.objects.filter(code__iexact="jane10").count() == 1


def test_another_merchant_may_use_the_same_referral_code(
    alice_client: APIClient,
    approved: Application,
    program: Program,
    partner: Partner,
    other_program: Program,
) -> None:
    ReferralCodeFactory(program=other_program, code="JANE10")
    response = create(alice_client, REFERRAL, program=program.pk, partner=partner.pk, code="JANE10")
    assert response.status_code == 201


def test_code_needs_an_approved_application(
    alice_client: APIClient, application: Application, program: Program, partner: Partner
) -> None:
    body = assert_error(
        create(alice_client, REFERRAL, program=program.pk, partner=partner.pk, code="JANE10"),
        400,
        "VALIDATION_ERROR",
    )
    assert body["details"] == [
        {"field": "program", "message": "The partner has no approved application to this program"}
    ]
    assert not ReferralCode.objects.exists()


def test_code_for_an_unknown_or_foreign_program_or_partner_is_400(
    alice_client: APIClient,
    approved: Application,
    other_program: Program,
    partner: Partner,
    other_partner: Partner,
) -> None:
    body = assert_error(
        create(alice_client, REFERRAL, program=other_program.pk, partner=other_partner.pk),
        400,
        "VALIDATION_ERROR",
    )
    assert [d["field"] for d in body["details"]] == ["program", "partner"]
    assert ReferralCode.objects.count() == 1


@pytest.mark.parametrize("code", ["has space", "ab", "x" * 41, "semi;colon", "ünï", " lead", 12345])
def test_bad_code_is_400(
    alice_client: APIClient, approved: Application, program: Program, partner: Partner, code: Any
) -> None:
    response = alice_client.post(
        REFERRAL,
        {"program": str(program.pk), "partner": str(partner.pk), "code": code},
        format="json",
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "code"
    assert ReferralCode.objects.count() == 1


def test_code_for_an_archived_program_is_400(
    alice_client: APIClient, approved: Application, program: Program, partner: Partner
) -> None:
    Program.objects.filter(pk=program.pk).update(status="archived")
    body = assert_error(
        create(alice_client, REFERRAL, program=program.pk, partner=partner.pk),
        400,
        "VALIDATION_ERROR",
    )
    assert body["details"] == [{"field": "status", "message": "The program is archived"}]


def test_partner_creates_own_code_for_approved_program(
    partner_client: APIClient, approved: Application, program: Program, partner: Partner
) -> None:
    response = create(partner_client, PARTNER_REFERRAL, program=program.pk, code="MyShoes")

    assert response.status_code == 201, response.json()
    assert ReferralCode.objects.get(code="MyShoes").partner == partner
    listed = partner_client.get(PARTNER_REFERRAL).json()
    assert sorted(c["code"] for c in listed["data"]) == ["MyShoes", "partner-default"]


def test_partner_cannot_create_code_for_pending_or_unknown_program(
    partner_client: APIClient, application: Application, program: Program, other_program: Program
) -> None:
    pending = assert_error(
        create(partner_client, PARTNER_REFERRAL, program=program.pk), 400, "VALIDATION_ERROR"
    )
    unknown = assert_error(
        create(partner_client, PARTNER_REFERRAL, program=other_program.pk), 400, "VALIDATION_ERROR"
    )
    assert pending["details"][0]["field"] == unknown["details"][0]["field"] == "program"
    assert_error(
        create(
            partner_client, PARTNER_REFERRAL, program=program.pk, partner=application.partner_id
        ),
        400,
        "VALIDATION_ERROR",
    )
    assert not ReferralCode.objects.exists()


def test_active_referral_codes_per_program_are_capped(
    partner_client: APIClient, approved: Application, program: Program, partner: Partner
) -> None:
    for n in range(MAX_ACTIVE_REFERRAL_CODES - 1):
        ReferralCodeFactory(program=program, partner=partner, code=f"cap-{n}")

    body = assert_error(
        create(partner_client, PARTNER_REFERRAL, program=program.pk), 400, "VALIDATION_ERROR"
    )

    assert body["details"][0]["field"] == "code"
    assert ReferralCode.objects.filter(partner=partner).count() == MAX_ACTIVE_REFERRAL_CODES


def test_disable_referral_code_is_idempotent(
    alice_client: APIClient, default_code: ReferralCode
) -> None:
    first = alice_client.post(f"{REFERRAL}/{default_code.pk}/disable")
    second = alice_client.post(f"{REFERRAL}/{default_code.pk}/disable")

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "disabled"
    assert first.json()["disabled_at"] == second.json()["disabled_at"]


def test_partner_disables_own_code(partner_client: APIClient, default_code: ReferralCode) -> None:
    response = partner_client.post(f"{PARTNER_REFERRAL}/{default_code.pk}/disable")
    assert response.status_code == 200 and response.json()["status"] == "disabled"
    default_code.refresh_from_db()
    assert default_code.disabled_at is not None


def test_referral_code_list_filters(
    alice_client: APIClient, default_code: ReferralCode, merchant: Merchant, other_partner: Partner
) -> None:
    other = ReferralCodeFactory(
        program=ProgramFactory(merchant=merchant), partner=other_partner, code="HATS-1"
    )
    ReferralCode.objects.filter(pk=other.pk).update(disabled_at="2026-01-01T00:00:00Z")

    def codes(query: str) -> list[str]:
        response = alice_client.get(f"{REFERRAL}?{query}")
        assert response.status_code == 200, response.json()
        return sorted(c["code"] for c in response.json()["data"])

    assert codes("") == ["HATS-1", "partner-default"]
    assert codes("status=active") == ["partner-default"]
    assert codes("status=disabled") == ["HATS-1"]
    assert codes(f"partner={other_partner.pk}") == ["HATS-1"]
    assert codes(f"program={default_code.program_id}") == ["partner-default"]
    assert codes("is_default=true") == ["partner-default"]
    assert codes("q=hats") == ["HATS-1"]
    assert codes("mode=test") == []
    assert_error(alice_client.get(f"{REFERRAL}?status=on"), 400, "VALIDATION_ERROR")


def test_merchant_creates_promo_code(
    alice_client: APIClient, approved: Application, program: Program, partner: Partner
) -> None:
    response = create(alice_client, PROMO, program=program.pk, partner=partner.pk, code="SUMMER10")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["status"], body["partner"]) == (
        "SUMMER10",
        "active",
        str(partner.pk),
    )
    assert PromoCode.objects.get(pk=body["id"]).program == program


def test_promo_code_taken_ignoring_case_is_409_referral_code_taken(
    alice_client: APIClient, approved: Application, program: Program, partner: Partner
) -> None:
    PromoCodeFactory(program=program, code="summer10")
    response = create(alice_client, PROMO, program=program.pk, partner=partner.pk, code="SUMMER10")
    assert_error(response, 409, "REFERRAL_CODE_TAKEN")
    assert PromoCode.objects.count() == 1


def test_promo_code_requires_code_and_approved_partner(
    alice_client: APIClient, application: Application, program: Program, partner: Partner
) -> None:
    missing = assert_error(
        create(alice_client, PROMO, program=program.pk, partner=partner.pk), 400, "VALIDATION_ERROR"
    )
    pending = assert_error(
        create(alice_client, PROMO, program=program.pk, partner=partner.pk, code="SUMMER10"),
        400,
        "VALIDATION_ERROR",
    )
    assert missing["details"][0]["field"] == "code"
    assert pending["details"][0]["field"] == "program"
    assert not PromoCode.objects.exists()


def test_promo_code_disable_and_list(
    alice_client: APIClient,
    partner_client: APIClient,
    approved: Application,
    program: Program,
    partner: Partner,
) -> None:
    promo = PromoCodeFactory(program=program, partner=partner, code="SUMMER10")

    response = alice_client.post(f"{PROMO}/{promo.pk}/disable")

    assert response.status_code == 200 and response.json()["status"] == "disabled"
    assert alice_client.get(f"{PROMO}?status=disabled").json()["total"] == 1
    assert alice_client.get(f"{PROMO}?q=summer").json()["total"] == 1
    mine = partner_client.get("/api/v1/partner/promo-codes").json()
    assert [c["code"] for c in mine["data"]] == ["SUMMER10"]
    assert partner_client.post("/api/v1/partner/promo-codes", {}, format="json").status_code == 405


def test_referral_and_promo_codes_are_separate_namespaces(
    alice_client: APIClient, approved: Application, program: Program, partner: Partner
) -> None:
    ReferralCodeFactory(program=program, partner=partner, code="SUMMER10")
    response = create(alice_client, PROMO, program=program.pk, partner=partner.pk, code="SUMMER10")
    assert response.status_code == 201


def test_generated_code_is_drawn_again_on_collision(
    monkeypatch: pytest.MonkeyPatch, merchant: Merchant, program: Program, application: Application
) -> None:
    Partner.objects.filter(pk=application.partner_id).update(display_name="Jane")
    ReferralCodeFactory(program=ProgramFactory(merchant=merchant, mode="test"), code="JANE-AAAAAA")
    draws = iter("a" * 6 + "b" * 6)
    monkeypatch.setattr(_common.secrets, "choice", lambda _alphabet: next(draws))

    services.application_approve(application=application)

    default = ReferralCode.objects.get(partner_id=application.partner_id, is_default=True)
    assert default.code == "jane-bbbbbb"


def test_generation_gives_up_after_repeated_collisions(
    monkeypatch: pytest.MonkeyPatch, program: Program, application: Application
) -> None:
    Partner.objects.filter(pk=application.partner_id).update(display_name="Jane")
    ReferralCodeFactory(program=program, code="jane-aaaaaa")
    monkeypatch.setattr(_common.secrets, "choice", lambda _alphabet: "a")

    with pytest.raises(ReferralCodeTaken):
        services.application_approve(application=application)

    application.refresh_from_db()
    assert application.status == "pending"
