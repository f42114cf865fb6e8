"""The attribution audit: what Selgeo knows of a click, and how a conversion was decided."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Partner
from conversions.models import Conversion
from partners.models import Program
from tests.conftest import Keys, api_client, assert_error
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory, ReferralCodeFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db


def test_click_audit_shows_the_click_program_partner_and_its_conversions(
    sk_live: Any, program: Program, partner: Partner, approved: Any
) -> None:
    code = ReferralCodeFactory(program=program, partner=partner, code="anna")
    click = ClickFactory(program=program, partner=partner, referral_code=code, country="DE")
    first = post(sk_live, body(click_id=str(click.pk), external_transaction_id="a")).json()
    second = post(sk_live, body(click_id=str(click.pk), external_transaction_id="b")).json()

    response = sk_live.get(f"/api/v1/attribution/clicks/{click.pk}")

    assert response.status_code == 200
    data = response.json()
    assert {k: data[k] for k in ("id", "mode", "expired", "is_bot", "source", "country")} == {
        "id": str(click.pk),
        "mode": "live",
        "expired": False,
        "is_bot": False,
        "source": "api",
        "country": "DE",
    }
    assert data["program"] == {
        "id": str(program.pk),
        "code": "SUMMER",
        "name": program.name,
        "status": "published",
        "commission_type": "cps",
        "cookie_days": 30,
        "currency": "EUR",
    }
    assert data["partner"] == {
        "id": str(partner.pk),
        "display_name": partner.display_name,
        "erased": False,
    }
    assert data["referral_code"] == {"code": "anna", "disabled_at": None}
    assert [c["id"] for c in data["conversions"]] == [second["id"], first["id"]]
    assert data["conversions"][0]["explanation"] == second["attribution"]["explanation"]
    assert data["conversions"][0]["attributed"] is True


def test_click_audit_shows_expiry_and_bots(
    sk_live: Any, program: Program, partner: Partner
) -> None:
    old = ClickFactory(
        program=program,
        partner=partner,
        is_bot=True,
        created_at=timezone.now() - timedelta(days=60),
    )

    data = sk_live.get(f"/api/v1/attribution/clicks/{old.pk}").json()

    assert (data["expired"], data["is_bot"], data["conversions"]) == (True, True, [])
    assert data["referral_code"] is None


def test_conversion_audit_shows_the_ordered_steps_and_explanation(
    sk_live: Any, click: Click
) -> None:
    created = post(sk_live, body(click_id=str(click.pk), promo_code="NOPE", customer_id="c")).json()

    response = sk_live.get(f"/api/v1/attribution/conversions/{created['id']}")

    assert response.status_code == 200
    data = response.json()
    conversion = Conversion.objects.get()
    assert data["explanation"] == conversion.attribution_explanation
    assert data["steps"] == conversion.attribution_steps
    assert data["steps"][0]["check"] == "signals"
    assert ("promo_code", "skipped") in [(s["check"], s["result"]) for s in data["steps"]]
    assert data["signals"] == {"click_id": str(click.pk), "promo_code": "NOPE", "customer_id": "c"}
    assert data["click"]["id"] == str(click.pk)
    assert data["commission"]["id"] == created["commission"]["id"]
    assert data["attributed"] is True


def test_conversion_audit_of_an_unattributed_conversion(sk_live: Any) -> None:
    created = post(sk_live, body(promo_code="NOPE")).json()

    data = sk_live.get(f"/api/v1/attribution/conversions/{created['id']}").json()

    assert data["attributed"] is False
    assert data["explanation"]["code"] == "promo_code_unknown"
    assert (data["click"], data["program"], data["partner"], data["commission"]) == (
        None,
        None,
        None,
        None,
    )


def test_audit_of_another_merchants_or_modes_objects_is_404(
    keys: Keys, other_keys: Keys, sk_live: Any, click: Click
) -> None:
    created = post(sk_live, body(click_id=str(click.pk))).json()
    outsiders = [api_client(other_keys.sk_live), api_client(keys.sk_test)]

    for client in outsiders:
        assert_error(client.get(f"/api/v1/attribution/clicks/{click.pk}"), 404, "NOT_FOUND")
        assert_error(
            client.get(f"/api/v1/attribution/conversions/{created['id']}"), 404, "NOT_FOUND"
        )


def test_audit_of_unknown_ids_is_404(sk_live: Any) -> None:
    missing = "550e8400-e29b-41d4-a716-446655440000"

    assert_error(sk_live.get(f"/api/v1/attribution/clicks/{missing}"), 404, "NOT_FOUND")
    assert_error(sk_live.get(f"/api/v1/attribution/conversions/{missing}"), 404, "NOT_FOUND")
    assert_error(sk_live.get("/api/v1/attribution/clicks/garbage"), 404, "NOT_FOUND")


def test_audit_needs_a_secret_key(
    anon_client: Any, alice_client: Any, keys: Keys, click: Click
) -> None:
    path = f"/api/v1/attribution/clicks/{click.pk}"

    assert_error(anon_client.get(path), 401, "INVALID_SECRET_KEY")
    assert_error(api_client("sk_live_" + "B" * 44).get(path), 401, "INVALID_SECRET_KEY")
    assert_error(alice_client.get(path), 401, "INVALID_SECRET_KEY")
    assert_error(api_client(keys.pk_live).get(path), 403, "FORBIDDEN")
