"""The partner's view of programs: browse every merchant's published public programs."""

from __future__ import annotations

from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from tests.conftest import assert_error
from tests.partners.factories import ApplicationFactory, ProgramFactory

URL = "/api/v1/partner/programs"


def codes(client: APIClient, query: str = "") -> list[str]:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.json()
    return sorted(p["code"] for p in response.json()["data"])


def test_browse_lists_published_public_programs_of_all_merchants(
    partner_client: APIClient, merchant: Merchant, other_merchant: Merchant
) -> None:
    ProgramFactory(merchant=merchant, code="ACME-1")
    ProgramFactory(merchant=other_merchant, code="OTHER-1")
    ProgramFactory(merchant=merchant, code="DRAFT", status="draft")
    ProgramFactory(merchant=merchant, code="PAUSED", status="paused")
    ProgramFactory(merchant=merchant, code="PRIVATE", is_public=False)
    ProgramFactory(merchant=merchant, code="TEST-1", mode="test")

    assert codes(partner_client) == ["ACME-1", "OTHER-1"]
    assert codes(partner_client, "merchant=acme") == ["ACME-1"]
    assert codes(partner_client, "merchant=nobody") == []
    assert codes(partner_client, "status=paused") == ["PAUSED"]
    assert codes(partner_client, "mode=test") == ["TEST-1"]
    assert codes(partner_client, "q=other") == ["OTHER-1"]
    assert_error(partner_client.get(f"{URL}?status=draft"), 400, "VALIDATION_ERROR")


def test_program_shows_merchant_and_own_application_status(
    partner_client: APIClient, partner: Partner, merchant: Merchant
) -> None:
    applied = ProgramFactory(merchant=merchant, code="APPLIED")
    ProgramFactory(merchant=merchant, code="NOT-APPLIED")
    ApplicationFactory(program=applied, partner=partner, status="rejected")

    body = partner_client.get(f"{URL}/{applied.pk}").json()

    assert body["merchant"] == {"id": str(merchant.pk), "name": "Acme", "slug": "acme"}
    assert body["application_status"] == "rejected"
    assert codes(partner_client, "applied=true") == ["APPLIED"]
    assert codes(partner_client, "applied=false") == ["NOT-APPLIED"]


def test_private_program_is_visible_once_the_partner_is_in_it(
    partner_client: APIClient, other_partner_client: APIClient, partner: Partner, merchant: Merchant
) -> None:
    private = ProgramFactory(merchant=merchant, code="VIP", is_public=False)
    ApplicationFactory(program=private, partner=partner, status="approved", invited=True)

    assert codes(partner_client) == ["VIP"]
    assert codes(other_partner_client) == []


def test_merchant_token_cannot_use_partner_side(alice_client: APIClient) -> None:
    assert_error(alice_client.get(URL), 403, "FORBIDDEN")


def test_merchant_lists_partners_who_applied(
    alice_client: APIClient,
    merchant: Merchant,
    partner: Partner,
    other_partner: Partner,
    other_program: object,
) -> None:
    shoes = ProgramFactory(merchant=merchant, code="SHOES")
    ApplicationFactory(program=shoes, partner=partner, status="approved")
    ApplicationFactory(program=other_program, partner=other_partner)

    def names(query: str = "") -> list[str]:
        response = alice_client.get(f"/api/v1/partners?{query}")
        assert response.status_code == 200, response.json()
        return [p["display_name"] for p in response.json()["data"]]

    assert names() == [partner.display_name]
    assert names(f"program={shoes.pk}") == [partner.display_name]
    assert names("application_status=pending") == []
    assert names("erased=false") == [partner.display_name]
    assert names("country=de") == [partner.display_name]
    assert names("q=nomatch") == []
    assert names("mode=test") == []
    detail = alice_client.get(f"/api/v1/partners/{partner.pk}").json()
    assert set(detail) == {
        "id",
        "display_name",
        "email",
        "website",
        "country",
        "created_at",
        "erased",
        "erased_at",
    }
