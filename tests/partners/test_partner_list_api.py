"""The merchant's partners API: each partner's email (shared when it applied) and a
search over name, email, website and this merchant's codes."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Partner
from partners import services
from tests.factories import PartnerFactory, UserFactory
from tests.partners.factories import ApplicationFactory, PromoCodeFactory, ReferralCodeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/partners"


def _names(client: APIClient, query: str) -> list[str]:
    response = client.get(URL, {"q": query})
    assert response.status_code == 200, response.content
    return sorted(row["display_name"] for row in response.json()["data"])


def test_the_list_and_detail_carry_the_email(alice_client: APIClient, program: Any) -> None:
    partner = PartnerFactory(user=UserFactory(email="ann@readers.example"))
    ApplicationFactory(program=program, partner=partner)

    listed = alice_client.get(URL).json()["data"]
    detail = alice_client.get(f"{URL}/{partner.pk}").json()

    assert [row["email"] for row in listed] == ["ann@readers.example"]
    assert detail["email"] == "ann@readers.example"
    assert list(detail)[:3] == ["id", "display_name", "email"]


def test_an_erased_partner_has_no_email(alice_client: APIClient, program: Any) -> None:
    partner = PartnerFactory()
    ApplicationFactory(program=program, partner=partner)
    services.partner_erase(partner=partner)

    detail = alice_client.get(f"{URL}/{partner.pk}").json()

    assert detail["email"] is None


def test_the_search_covers_name_email_website_and_codes(
    alice_client: APIClient, program: Any, other_program: Any
) -> None:
    def joined(name: str, **fields: Any) -> Partner:
        partner = PartnerFactory(display_name=name, **{"website": "", **fields})
        ApplicationFactory(program=program, partner=partner)
        return partner

    joined("Shoe Blog")
    joined("Quiet Reader", user=UserFactory(email="ann@readers.example"))
    joined("Hat Vlog", website="https://hats.example.net/")
    ReferralCodeFactory(program=program, partner=joined("Coded"), code="summer-c")
    PromoCodeFactory(program=program, partner=joined("Promoter"), code="DEALS20")
    ReferralCodeFactory(program=other_program, partner=joined("Elsewhere"), code="hidden-one")

    assert _names(alice_client, "blog") == ["Shoe Blog"]
    assert _names(alice_client, "ANN@readers") == ["Quiet Reader"]
    assert _names(alice_client, "hats.example") == ["Hat Vlog"]
    assert _names(alice_client, "summer-c") == ["Coded"]
    assert _names(alice_client, "deals20") == ["Promoter"]
    assert _names(alice_client, "hidden") == []


def test_the_openapi_document_declares_the_email(alice_client: APIClient) -> None:
    document = alice_client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    assert schemas["MerchantPartnerOut"]["properties"]["email"]["nullable"] is True
    assert "email" not in schemas["PartnerOut"]["properties"]
    parameters = document["paths"]["/api/v1/partners"]["get"]["parameters"]
    q = next(p for p in parameters if p["name"] == "q")
    assert "email" in q["description"]
