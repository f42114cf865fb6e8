"""Platform-wide GDPR erasure (the partner's own request, or staff in the admin): no personal
data left anywhere it was, records kept, later writes refused.

A merchant's erase, which reaches only that merchant's data, is in test_merchant_erasure.py."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership, Merchant, Partner, Role, User
from partners import selectors, services
from partners.errors import ParticipantErased
from partners.models import Application, Program, PromoCode, ReferralCode
from payouts.models import PayoutAccount
from payouts.selectors import payout_destination
from payouts.services import payout_account_replace
from tests.conftest import api_client, assert_error, jwt_for
from tests.factories import MembershipFactory, UserFactory
from tests.partners.conftest import events
from tests.partners.factories import (
    ApplicationFactory,
    ClickFactory,
    ProgramFactory,
    PromoCodeFactory,
)
from tracking.models import Click

PERSONAL = {
    "email": "jane.doe@example.com",
    "full_name": "Jane Doe",
    "display_name": "Jane's Shoe Blog",
    "website": "https://janedoe.example.org",
    "country": "FR",
    "iban": "DE89370400440532013000",
    "message": "Hi, I am Jane Doe from Lyon",
    "decision": "Welcome Jane",
    "ip_hash": "f" * 64,
    "user_agent": "Mozilla/5.0 JaneBrowser",
    "referrer": "https://janedoe.example.org/post",
}


@pytest.fixture
def jane(db: None) -> Partner:
    user = UserFactory(email=PERSONAL["email"], full_name=PERSONAL["full_name"])
    partner = Partner.objects.create(
        user=user,
        display_name=PERSONAL["display_name"],
        website=PERSONAL["website"],
        country=PERSONAL["country"],
    )
    payout_account_replace(
        partner=partner,
        method="sepa",
        details={"iban": PERSONAL["iban"], "account_holder": PERSONAL["full_name"]},
    )
    return partner


@pytest.fixture
def footprint(
    jane: Partner, program: Program, test_program: Program, other_program: Program
) -> dict[str, Any]:
    """Jane applied in Acme live (approved, with codes and clicks), Acme test and Other live."""
    approved = ApplicationFactory(
        program=program,
        partner=jane,
        status="approved",
        message=PERSONAL["message"],
        decision_message=PERSONAL["decision"],
    )
    ApplicationFactory(program=test_program, partner=jane, message=PERSONAL["message"])
    ApplicationFactory(program=other_program, partner=jane, message=PERSONAL["message"])
    code = services.referral_code_create(program=program, partner=jane, code="JANE10")
    PromoCodeFactory(program=program, partner=jane, code="JANESUMMER")
    for _ in range(3):
        ClickFactory(
            program=program,
            partner=jane,
            referral_code=code,
            ip_hash=PERSONAL["ip_hash"],
            user_agent=PERSONAL["user_agent"],
            referrer=PERSONAL["referrer"],
        )
    return {"approved": approved, "code": code}


def counts() -> dict[str, int]:
    return {
        "partners": Partner.objects.count(),
        "users": User.objects.count(),
        "applications": Application.objects.count(),
        "referral_codes": ReferralCode.objects.count(),
        "promo_codes": PromoCode.objects.count(),
        "clicks": Click.objects.count(),
    }


def assert_no_personal_data(partner: Partner) -> None:
    partner.refresh_from_db()
    assert partner.erased_at is not None
    assert (partner.display_name, partner.website, partner.country) == ("Erased partner", "", "")
    assert payout_destination(partner) is None
    assert partner.user is not None
    user = User.objects.get(pk=partner.user.pk)
    assert user.email.startswith("erased-") and user.email.endswith("@erased.invalid")
    assert user.full_name == ""
    assert not user.has_usable_password()
    assert not user.is_active
    # Every column that held a piece of Jane's data, searched for any trace of it.
    assert not User.objects.filter(email__icontains="jane").exists()
    assert not User.objects.filter(full_name__icontains="jane").exists()
    assert not Partner.objects.filter(display_name__icontains="jane").exists()
    assert not Partner.objects.filter(website__icontains="jane").exists()
    account = PayoutAccount.objects.get(partner=partner)
    assert (account.iban, account.account_holder, account.is_active) == ("", "", False)
    assert list(Partner.objects.filter(pk=partner.pk).values_list("country", flat=True)) == [""]
    assert not Application.objects.filter(message__icontains="jane").exists()
    assert not Application.objects.filter(decision_message__icontains="jane").exists()
    clicks = Click.objects.filter(partner=partner)
    assert clicks.count() == 3
    assert set(clicks.values_list("ip_hash", "user_agent", "referrer")) == {("", "", "")}


def test_erased_partner_token_stops_working(jane: Partner, footprint: dict[str, Any]) -> None:
    assert jane.user is not None
    jane_client = api_client(jwt_for(jane.user))
    assert jane_client.get("/api/v1/partner/profile").status_code == 200

    services.partner_erase(partner=jane)

    assert_error(jane_client.get("/api/v1/partner/profile"), 401, "UNAUTHORIZED")
    assert_error(
        jane_client.patch("/api/v1/partner/profile", {"display_name": "Back"}, format="json"),
        401,
        "UNAUTHORIZED",
    )


def test_partner_erases_itself(jane: Partner, footprint: dict[str, Any]) -> None:
    assert jane.user is not None
    jane_client = api_client(jwt_for(jane.user))

    response = jane_client.post("/api/v1/partner/erase")

    assert response.status_code == 200, response.json()
    assert response.json()["erased"] is True
    assert_no_personal_data(jane)
    assert len(events("partner.erased")) == 3
    assert_error(jane_client.post("/api/v1/partner/erase"), 401, "UNAUTHORIZED")


def test_staff_cannot_erase_a_partner_through_the_merchant_api(
    jane: Partner, footprint: dict[str, Any]
) -> None:
    # Platform-wide erasure is the partner's own request, or staff's in the Django admin.
    staff = UserFactory(is_staff=True)

    response = api_client(jwt_for(staff)).post(f"/api/v1/partners/{jane.pk}/erase")

    assert_error(response, 403, "FORBIDDEN")
    jane.refresh_from_db()
    assert jane.erased_at is None and jane.display_name == PERSONAL["display_name"]


def test_member_role_cannot_erase(
    bob_client: APIClient, jane: Partner, footprint: dict[str, Any]
) -> None:
    assert_error(bob_client.post(f"/api/v1/partners/{jane.pk}/erase"), 403, "FORBIDDEN")
    jane.refresh_from_db()
    assert jane.erased_at is None and jane.display_name == PERSONAL["display_name"]


def test_merchant_without_application_from_partner_gets_404(
    alice_client: APIClient, jane: Partner, other_program: Program
) -> None:
    ApplicationFactory(program=other_program, partner=jane)
    assert_error(alice_client.post(f"/api/v1/partners/{jane.pk}/erase"), 404, "NOT_FOUND")
    jane.refresh_from_db()
    assert jane.erased_at is None


def test_partner_who_is_also_a_team_member_keeps_the_login(
    jane: Partner, footprint: dict[str, Any], other_merchant: Merchant
) -> None:
    assert jane.user is not None
    MembershipFactory(user=jane.user, merchant=other_merchant, role=Role.OWNER)

    services.partner_erase(partner=jane)

    jane.refresh_from_db()
    user = User.objects.get(email=PERSONAL["email"])
    assert user.is_active and user.has_usable_password()
    assert Membership.objects.filter(user=user).exists()
    assert jane.user is None and jane.display_name == "Erased partner"


ERASED_WRITES = [
    ("approve", lambda f: (f"/api/v1/applications/{f['pending'].pk}/approve", {})),
    ("reject", lambda f: (f"/api/v1/applications/{f['pending'].pk}/reject", {})),
    (
        "referral code",
        lambda f: ("/api/v1/referral-codes", {"program": f["program"], "partner": f["id"]}),
    ),
    (
        "promo code",
        lambda f: (
            "/api/v1/promo-codes",
            {"program": f["program"], "partner": f["id"], "code": "AFTERWARDS"},
        ),
    ),
    ("erase again", lambda f: (f"/api/v1/partners/{f['id']}/erase", {})),
]


@pytest.mark.parametrize("build", [w[1] for w in ERASED_WRITES], ids=[w[0] for w in ERASED_WRITES])
def test_every_merchant_write_involving_an_erased_partner_is_409(
    alice_client: APIClient,
    merchant: Merchant,
    program: Program,
    jane: Partner,
    footprint: dict[str, Any],
    build: Any,
) -> None:
    pending_program = ProgramFactory(merchant=merchant)
    fixtures = {
        "pending": ApplicationFactory(program=pending_program, partner=jane),
        "id": str(jane.pk),
        "program": str(program.pk),
    }
    services.partner_erase(partner=jane)
    before = counts()
    url, body = build(fixtures)

    assert_error(alice_client.post(url, body, format="json"), 409, "PARTICIPANT_ERASED")

    assert counts() == before
    fixtures["pending"].refresh_from_db()
    assert fixtures["pending"].status == "pending"


def test_partner_side_writes_of_an_erased_partner_are_refused(
    jane: Partner, footprint: dict[str, Any], merchant: Merchant, program: Program
) -> None:
    # The login is deactivated, so these cannot arrive through the API; the services
    # refuse them anyway for every other caller (admin, tasks, a still-open session).
    fresh = ProgramFactory(merchant=merchant)
    services.partner_erase(partner=jane)

    with pytest.raises(ParticipantErased):
        services.application_submit(partner=jane, program=fresh)
    with pytest.raises(ParticipantErased):
        services.referral_code_create(program=program, partner=jane, code="LATER")
    with pytest.raises(ParticipantErased):
        services.partner_profile_update(partner=jane, changes={"display_name": "Jane"})
    assert not Application.objects.filter(program=fresh).exists()


def test_disabling_an_erased_partners_code_is_still_allowed(
    alice_client: APIClient, jane: Partner, footprint: dict[str, Any]
) -> None:
    services.partner_erase(partner=jane)
    response = alice_client.post(f"/api/v1/referral-codes/{footprint['code'].pk}/disable")
    assert response.status_code == 200 and response.json()["status"] == "disabled"


def test_erased_partners_codes_stop_tracking_but_stay_resolvable(
    merchant: Merchant, jane: Partner, footprint: dict[str, Any]
) -> None:
    assert selectors.referral_codes_matching(code="jane10").count() == 1

    services.partner_erase(partner=jane)

    assert selectors.referral_codes_matching(code="jane10").count() == 0
    resolved = selectors.referral_code_resolve(merchant=merchant, code="JANE10")
    assert resolved is not None and resolved.partner.is_erased
    promo = selectors.promo_code_resolve(merchant=merchant, code="janesummer")
    assert promo is not None and promo.partner.is_erased


def test_erasure_redacts_recorded_events_and_keeps_commissions(
    jane: Partner, program: Program, merchant: Merchant
) -> None:
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from conversions.models import Commission
    from tests.conversions.factories import ClickFactory as ConversionClickFactory
    from webhooks.models import Event

    application = services.application_submit(
        partner=jane, program=program, message=PERSONAL["message"]
    )
    services.application_approve(application=application, message=PERSONAL["decision"])
    from accounts import services as account_services

    sk = account_services.api_key_create(merchant=merchant, kind="secret", mode="live").raw
    click = ConversionClickFactory(program=program, partner=jane)
    response = api_client(sk).post(
        "/api/v1/conversions",
        {
            "click_id": str(click.pk),
            "event_type": "purchase",
            "external_transaction_id": "jane-order-1",
            "amount_cents": 10000,
            "currency": "EUR",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    totals_before = list(Commission.objects.values_list("id", "amount_cents", "status"))
    texts = Event.objects.annotate(text=Cast("payload", TextField()))
    name = PERSONAL["display_name"].replace("'", "\\u0027")
    # applied, approved, and the conversion and commission (which name their partner)
    assert (
        texts.filter(text__contains="Jane's Shoe Blog").count()
        + texts.filter(text__contains=name).count()
        == 4
    )

    services.partner_erase(partner=jane)

    for personal in (PERSONAL["display_name"], name, PERSONAL["message"], PERSONAL["decision"]):
        assert not texts.filter(text__contains=personal).exists(), personal
    applied = Event.objects.get(type="partner.applied")
    assert applied.payload["data"]["partner_display_name"] == "Erased partner"
    assert applied.payload["data"]["message"] == ""
    assert applied.payload["data"]["partner"] == str(jane.pk)
    assert list(Commission.objects.values_list("id", "amount_cents", "status")) == totals_before
    assert totals_before[0][1] == 1500
