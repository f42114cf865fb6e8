"""Object-level authorisation: another merchant's, partner's or mode's object is a 404.

One parametrized test walks every route that names an object, for each outsider, and
checks that the answer is 404 NOT_FOUND and that nothing changed.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from partners import services
from partners.models import (
    Application,
    CommissionOverride,
    CommissionTier,
    Invitation,
    PartnerGroup,
    PartnerGroupMember,
    Program,
    PromoCode,
    ReferralCode,
    TermsVersion,
)
from partners.services import terms as terms_services
from payouts import services as payout_services
from payouts.models import Payout
from products.models import Product
from products.services import product_create
from tests.conftest import assert_error
from tests.partners.factories import (
    ApplicationFactory,
    ProgramFactory,
    PromoCodeFactory,
    ReferralCodeFactory,
)
from tests.payouts.money import commission, sepa_account
from webhooks.models import Event


@pytest.fixture
def objects(merchant: Merchant, partner: Partner) -> dict[str, Any]:
    """Acme's live objects around an approved partner, plus a draft and a private program,
    and an open invitation of the partner's address to another program."""
    program = ProgramFactory(merchant=merchant, mode="live", code="LIVE-SHOES")
    assert partner.user is not None
    invitation, _created = services.invitation_create(
        program=ProgramFactory(merchant=merchant, mode="live", code="LIVE-BAGS"),
        email=partner.user.email,
    )
    application = ApplicationFactory(program=program, partner=partner, status="pending")
    approved_program = ProgramFactory(merchant=merchant, mode="live", code="LIVE-HATS")
    ApplicationFactory(program=approved_program, partner=partner, status="approved")
    return {
        "program": program.pk,
        "application": application.pk,
        "partner": partner.pk,
        "referral_code": ReferralCodeFactory(program=approved_program, partner=partner).pk,
        "promo_code": PromoCodeFactory(program=approved_program, partner=partner).pk,
        "draft": ProgramFactory(merchant=merchant, mode="live", status="draft").pk,
        "private": ProgramFactory(merchant=merchant, mode="live", is_public=False).pk,
        "invitation": invitation.pk,
        "product": product_create(
            merchant=merchant,
            mode="live",
            values={"title": "Shoes", "price_cents": 4900, "currency": "EUR"},
        ).pk,
        **_payout(merchant, partner, approved_program),
        **_terms(merchant, partner, approved_program),
    }


def _terms(merchant: Merchant, partner: Partner, program: Program) -> dict[str, Any]:
    """A partner group with the partner, a partner rate and a tier on the program."""
    group = terms_services.partner_group_create(merchant=merchant, mode="live", name="Top")
    terms_services.partner_group_add_member(group=group, partner_id=partner.pk)
    rate, _created = terms_services.commission_override_set(
        program=program, partner_id=partner.pk, percent_bps=2500
    )
    tier = terms_services.commission_tier_create(
        program=program, min_conversions=50, percent_bps=2000
    )
    return {"approved_program": program.pk, "group": group.pk, "rate": rate.pk, "tier": tier.pk}


def _payout(merchant: Merchant, partner: Partner, program: Program) -> dict[str, Any]:
    """A live payout run paying the partner (pending), for the payout routes."""
    sepa_account(partner)
    commission(program, partner, 7000)
    run = payout_services.payout_run_create(merchant=merchant, mode="live")
    return {"run": run.pk, "payout": Payout.objects.get(run=run).pk}


def snapshot() -> dict[str, Any]:
    return {
        "programs": list(Program.objects.order_by("pk").values()),
        "applications": list(Application.objects.order_by("pk").values()),
        "referral_codes": list(ReferralCode.objects.order_by("pk").values()),
        "promo_codes": list(PromoCode.objects.order_by("pk").values()),
        "invitations": list(Invitation.objects.order_by("pk").values()),
        "partners": list(Partner.objects.order_by("pk").values()),
        "events": Event.objects.count(),
        "payouts": list(Payout.objects.order_by("pk").values()),
        "products": list(Product.objects.order_by("pk").values()),
        "groups": list(PartnerGroup.objects.order_by("pk").values()),
        "members": list(PartnerGroupMember.objects.order_by("pk").values()),
        "rates": list(CommissionOverride.objects.order_by("pk").values()),
        "tiers": list(CommissionTier.objects.order_by("pk").values()),
        "terms_versions": list(TermsVersion.objects.order_by("pk").values()),
    }


MERCHANT_ROUTES = [
    ("get", "programs/{program}", None),
    ("patch", "programs/{program}", {"name": "Mine now"}),
    ("post", "programs/{program}/publish", {}),
    ("post", "programs/{program}/pause", {}),
    ("post", "programs/{program}/archive", {}),
    ("post", "programs/{program}/invite", {"email": "someone@example.com"}),
    ("get", "programs/{program}/dynamic-url", None),
    ("put", "programs/{program}/dynamic-url", {"url": "https://shop.example.com/dynamic"}),
    ("delete", "programs/{program}/dynamic-url", None),
    ("get", "invitations/{invitation}", None),
    ("post", "invitations/{invitation}/revoke", {}),
    ("get", "partners/{partner}", None),
    ("post", "partners/{partner}/erase", {}),
    ("get", "applications/{application}", None),
    ("post", "applications/{application}/approve", {}),
    ("post", "applications/{application}/reject", {}),
    ("get", "referral-codes/{referral_code}", None),
    ("post", "referral-codes/{referral_code}/disable", {}),
    ("get", "promo-codes/{promo_code}", None),
    ("post", "promo-codes/{promo_code}/disable", {}),
    ("get", "payouts/{payout}", None),
    ("post", "payouts/{payout}/mark-processing", {}),
    ("post", "payouts/{payout}/mark-paid", {}),
    ("post", "payouts/{payout}/mark-failed", {}),
    ("get", "payouts/runs/{run}", None),
    ("get", "payouts/runs/{run}/files/csv", None),
    ("post", "payouts/runs/{run}/mark-processing", {}),
    ("post", "payouts/runs/{run}/mark-paid", {}),
    ("post", "payouts/runs/{run}/mark-failed", {}),
    ("get", "products/{product}", None),
    ("patch", "products/{product}", {"title": "Mine now"}),
    ("get", "programs/{approved_program}/terms-versions", None),
    ("get", "programs/{approved_program}/rates", None),
    ("post", "programs/{approved_program}/rates", {"partner": "{partner}", "percent_bps": "1"}),
    ("get", "programs/{approved_program}/rates/{rate}", None),
    ("delete", "programs/{approved_program}/rates/{rate}", None),
    ("get", "programs/{approved_program}/tiers", None),
    ("post", "programs/{approved_program}/tiers", {"min_conversions": "5"}),
    ("get", "programs/{approved_program}/tiers/{tier}", None),
    ("patch", "programs/{approved_program}/tiers/{tier}", {"percent_bps": "1"}),
    ("delete", "programs/{approved_program}/tiers/{tier}", None),
    ("get", "partner-groups/{group}", None),
    ("patch", "partner-groups/{group}", {"name": "Mine now"}),
    ("delete", "partner-groups/{group}", None),
    ("post", "partner-groups/{group}/members", {"partner": "{partner}"}),
    ("delete", "partner-groups/{group}/members/{partner}", None),
]

PARTNER_ROUTES = [
    ("get", "partner/programs/{draft}", None),
    ("get", "partner/programs/{private}", None),
    ("post", "partner/programs/{draft}/apply", {}),
    ("post", "partner/programs/{private}/apply", {}),
    ("get", "partner/applications/{application}", None),
    ("get", "partner/referral-codes/{referral_code}", None),
    ("post", "partner/referral-codes/{referral_code}/disable", {}),
    ("get", "partner/promo-codes/{promo_code}", None),
    ("get", "partner/invitations/{invitation}", None),
    ("post", "partner/invitations/{invitation}/accept", {}),
    ("post", "partner/invitations/{invitation}/decline", {}),
    ("get", "partner/payouts/{payout}", None),
    ("get", "partner/payouts/{payout}/statement", None),
    ("get", "partner/payouts/{payout}/statement.csv", None),
]


def call(
    client: APIClient, method: str, path: str, body: Any, ids: dict[str, Any], mode: str
) -> Any:
    url = "/api/v1/" + path.format(**ids) + (f"?mode={mode}" if mode else "")
    if body is not None:
        body = {k: v.format(**ids) for k, v in body.items()}
        return getattr(client, method)(url, body, format="json")
    return getattr(client, method)(url)


@pytest.mark.parametrize("outsider", ["other merchant", "other mode"])
@pytest.mark.parametrize(
    ("method", "path", "body"), MERCHANT_ROUTES, ids=[f"{m} {p}" for m, p, _ in MERCHANT_ROUTES]
)
def test_merchant_routes_hide_other_merchants_and_modes(
    request: pytest.FixtureRequest,
    objects: dict[str, Any],
    outsider: str,
    method: str,
    path: str,
    body: Any,
) -> None:
    if outsider == "other merchant":
        client, mode = request.getfixturevalue("charlie_client"), ""
    else:
        client, mode = request.getfixturevalue("alice_client"), "test"
    before = snapshot()

    assert_error(call(client, method, path, body, objects, mode), 404, "NOT_FOUND")

    assert snapshot() == before


@pytest.mark.parametrize("outsider", ["other partner", "other mode"])
@pytest.mark.parametrize(
    ("method", "path", "body"), PARTNER_ROUTES, ids=[f"{m} {p}" for m, p, _ in PARTNER_ROUTES]
)
def test_partner_routes_hide_other_partners_and_modes(
    request: pytest.FixtureRequest,
    objects: dict[str, Any],
    outsider: str,
    method: str,
    path: str,
    body: Any,
) -> None:
    if outsider == "other partner":
        client, mode = request.getfixturevalue("other_partner_client"), ""
    else:
        client, mode = request.getfixturevalue("partner_client"), "test"
    before = snapshot()

    assert_error(call(client, method, path, body, objects, mode), 404, "NOT_FOUND")

    assert snapshot() == before


def test_the_owner_reaches_every_merchant_route(
    alice_client: APIClient, objects: dict[str, Any]
) -> None:
    # The same ids answer 200 for their owner, so the 404s above are about scope alone.
    for method, path, _body in MERCHANT_ROUTES:
        if method == "get":
            response = call(alice_client, method, path, None, objects, "live")
            assert response.status_code == 200, (path, response.json())


def test_malformed_ids_are_404(alice_client: APIClient, partner_client: APIClient) -> None:
    assert_error(alice_client.get("/api/v1/programs/not-a-uuid"), 404, "NOT_FOUND")
    assert_error(alice_client.get(f"/api/v1/programs/{'-' * 36}"), 404, "NOT_FOUND")
    assert_error(partner_client.get(f"/api/v1/partner/applications/{'a' * 36}"), 404, "NOT_FOUND")


# Routes taken with secret keys: the key decides merchant and mode.
KEY_ROUTES = [("get", "payment-forwards/{forward}", None)]


@pytest.mark.parametrize("outsider", ["other merchant", "other mode"])
@pytest.mark.parametrize(
    ("method", "path", "body"), KEY_ROUTES, ids=[f"{m} {p}" for m, p, _ in KEY_ROUTES]
)
def test_key_routes_hide_other_merchants_and_modes(
    request: pytest.FixtureRequest,
    settings: Any,
    merchant: Merchant,
    outsider: str,
    method: str,
    path: str,
    body: Any,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from payouts.forwarding.models import PaymentForward
    from tests.conftest import api_client
    from webhooks import services as webhook_services

    # Reading forwards needs a node configured, not a node that answers.
    settings.SELGEO_BITCOIN_RPC_URL = "http://u:p@127.0.0.1:9/wallet/selgeo"
    settings.SELGEO_BITCOIN_TEST_RPC_URL = "http://u:p@127.0.0.1:9/wallet/selgeo-test"
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    endpoint = webhook_services.endpoint_create_for_payment_forward(
        merchant=merchant, mode="live", url="https://127.0.0.1/hooks"
    )
    forward = PaymentForward.objects.create(
        merchant=merchant,
        mode="live",
        address="1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        network="mainnet",
        payment_address="1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        webhook_url=endpoint.url,
        webhook_endpoint=endpoint,
        expires_at=timezone.now() + timedelta(hours=24),
    )
    keys = request.getfixturevalue("other_keys" if outsider == "other merchant" else "keys")
    client = api_client(keys.sk_live if outsider == "other merchant" else keys.sk_test)
    ids = {"forward": forward.pk}

    assert_error(call(client, method, path, body, ids, ""), 404, "NOT_FOUND")

    owner = api_client(request.getfixturevalue("keys").sk_live)
    assert call(owner, method, path, body, ids, "").status_code == 200
