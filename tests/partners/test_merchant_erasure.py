"""A merchant's erase reaches that merchant's data only, in both of its modes.

Jane is a partner of Acme (alice) and of Other (charlie). Charlie's erase ends her
relationship with Other and removes Other's copies of her data; her account, her login and
everything at Acme stay exactly as they were.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner, User
from conversions.models import Commission, Conversion
from partners import services
from partners.models import Application, Invitation, Program, PromoCode, ReferralCode
from tests.conftest import Keys, api_client, assert_error, jwt_for
from tests.dashboard.conftest import browser
from tests.factories import UserFactory
from tests.partners.conftest import events
from tests.partners.factories import ProgramFactory
from tests.tracking.conftest import BROWSER_UA
from webhooks.models import Event

NAME = "Jane's Shoe Blog"
WEBSITE = "https://janedoe.example.org"
EMAIL = "jane.doe@example.com"


@pytest.fixture
def jane(db: None) -> Partner:
    user = UserFactory(email=EMAIL, full_name="Jane Doe")
    return Partner.objects.create(user=user, display_name=NAME, website=WEBSITE, country="FR")


@pytest.fixture
def jane_client(jane: Partner) -> APIClient:
    assert jane.user is not None
    return api_client(jwt_for(jane.user))


@pytest.fixture
def footprint(
    jane: Partner,
    program: Program,
    other_program: Program,
    other_merchant: Merchant,
    django_capture_on_commit_callbacks: Any,
) -> dict[str, Any]:
    """Jane approved at Acme (live) and at Other (live, by invitation; test, pending), with
    a referral and a promo code at each merchant and the events all of it recorded."""
    acme = services.application_submit(partner=jane, program=program, message="Jane at Acme")
    services.application_approve(application=acme, message="Welcome Jane")
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _created = services.invitation_create(
            program=other_program, email=EMAIL, message="Jane, join Hats"
        )
    services.invitation_accept(invitation=invitation, partner=jane)
    other_test = ProgramFactory(merchant=other_merchant, mode="test", code="HATS-TEST")
    services.application_submit(partner=jane, program=other_test, message="Jane in test")
    return {
        "acme_application": acme,
        "acme_link": services.referral_code_create(program=program, partner=jane, code="JANE-A"),
        "acme_promo": services.promo_code_create(program=program, partner=jane, code="JANEA"),
        "other_link": services.referral_code_create(
            program=other_program, partner=jane, code="JANE-O"
        ),
        "other_promo": services.promo_code_create(
            program=other_program, partner=jane, code="JANEO"
        ),
        "invitation": invitation,
        "other_test": other_test,
    }


def acme_rows(merchant: Merchant, jane: Partner) -> dict[str, Any]:
    return {
        "partner": list(Partner.objects.filter(pk=jane.pk).values()),
        "user": list(User.objects.filter(pk=jane.user_id).values()),
        "applications": list(Application.objects.filter(merchant=merchant).values()),
        "referral_codes": list(ReferralCode.objects.filter(merchant=merchant).values()),
        "promo_codes": list(PromoCode.objects.filter(merchant=merchant).values()),
        "events": list(Event.objects.filter(merchant=merchant).values("pk", "payload")),
        "invitations": list(Invitation.objects.filter(merchant=merchant).values()),
    }


def mentioning(merchant: Merchant, text: str) -> int:
    texts = Event.objects.filter(merchant=merchant).annotate(t=Cast("payload", TextField()))
    return (
        texts.filter(t__contains=text.replace("'", "\\u0027")).count()
        + texts.filter(t__contains=text).count()
    )


def tracks(path: str) -> bool:
    """Whether the tracking link records a click (an inactive one redirects without one)."""
    response = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="198.51.100.7").get(path)
    return response.status_code == 302 and "selgeo_click_id=" in response["Location"]


def test_a_merchants_erase_removes_its_own_data_and_nothing_else(
    charlie_client: APIClient,
    jane_client: APIClient,
    jane: Partner,
    merchant: Merchant,
    other_merchant: Merchant,
    footprint: dict[str, Any],
) -> None:
    acme_before = acme_rows(merchant, jane)
    assert mentioning(other_merchant, NAME) > 0 and mentioning(merchant, NAME) > 0
    events_before = Event.objects.filter(type="partner.erased").count()

    response = charlie_client.post(f"/api/v1/partners/{jane.pk}/erase")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert {k: v for k, v in body.items() if k not in ("created_at", "erased_at")} == {
        "id": str(jane.pk),
        "display_name": "Erased partner",
        "website": "",
        "country": "",
        "erased": True,
    }
    # Acme's partner, login and rows are exactly as they were; Jane still logs in.
    assert acme_rows(merchant, jane) == acme_before
    assert jane_client.get("/api/v1/partner/profile").json()["display_name"] == NAME
    assert tracks("/r/acme/JANE-A")
    # Other's relationship is gone in both modes, with its codes.
    assert not Application.objects.filter(merchant=other_merchant).exists()
    for mode in ("live", "test"):
        listed = charlie_client.get(f"/api/v1/partners?mode={mode}").json()
        assert listed["total"] == 0, mode
    assert_error(charlie_client.get(f"/api/v1/partners/{jane.pk}"), 404, "NOT_FOUND")
    assert not ReferralCode.objects.filter(merchant=other_merchant, disabled_at=None).exists()
    assert not PromoCode.objects.filter(merchant=other_merchant, disabled_at=None).exists()
    assert not tracks("/r/other/JANE-O")
    # Other's copies of her data: events and the invitation it sent.
    for text in (NAME, WEBSITE, EMAIL, "Jane in test", "Jane, join Hats"):
        assert mentioning(other_merchant, text) == 0, text
    invitation = Invitation.objects.get(pk=footprint["invitation"].pk)
    assert (invitation.email, invitation.message, invitation.status) == ("", "", "accepted")
    # partner.erased went to Other only, once per mode it had Jane in.
    erased = events("partner.erased")[events_before:]
    assert sorted(e["mode"] for e in erased) == ["live", "test"]
    assert {e["data"]["display_name"] for e in erased} == {"Erased partner"}
    assert not Event.objects.filter(merchant=merchant, type="partner.erased").exists()


def test_money_rows_stay_and_codes_attribute_at_the_other_merchant_only(
    charlie_client: APIClient,
    jane: Partner,
    keys: Keys,
    other_keys: Keys,
    footprint: dict[str, Any],
) -> None:
    def sale(key: str, promo: str, order: str) -> Any:
        body = {
            "promo_code": promo,
            "event_type": "purchase",
            "external_transaction_id": order,
            "amount_cents": 10000,
            "currency": "EUR",
        }
        response = api_client(key).post("/api/v1/conversions", body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    assert sale(other_keys.sk_live, "JANEO", "other-1")["attributed"] is True
    money_before = list(Commission.objects.values_list("pk", "amount_cents", "status"))

    assert charlie_client.post(f"/api/v1/partners/{jane.pk}/erase").status_code == 200

    assert list(Commission.objects.values_list("pk", "amount_cents", "status")) == money_before
    assert Conversion.objects.filter(partner=jane).count() == 1
    assert sale(other_keys.sk_live, "JANEO", "other-2")["attributed"] is False
    assert sale(keys.sk_live, "JANEA", "acme-1")["attributed"] is True


def test_the_erasing_merchant_no_longer_sees_the_partners_name_on_its_money_rows(
    charlie_client: APIClient,
    charlie: User,
    jane: Partner,
    keys: Keys,
    other_keys: Keys,
    other_merchant: Merchant,
    footprint: dict[str, Any],
) -> None:
    body = {"event_type": "purchase", "amount_cents": 10000, "currency": "EUR"}
    other_key, acme_key = api_client(other_keys.sk_live), api_client(keys.sk_live)
    other_sale = other_key.post(
        "/api/v1/conversions",
        {**body, "promo_code": "JANEO", "external_transaction_id": "o-1"},
        format="json",
    ).json()
    acme_sale = acme_key.post(
        "/api/v1/conversions",
        {**body, "promo_code": "JANEA", "external_transaction_id": "a-1"},
        format="json",
    ).json()
    assert other_sale["partner"] == {"id": str(jane.pk), "display_name": NAME}

    assert charlie_client.post(f"/api/v1/partners/{jane.pk}/erase").status_code == 200

    former = {"id": str(jane.pk), "display_name": "Former partner"}
    conversion = other_key.get(f"/api/v1/conversions/{other_sale['id']}").json()
    listed = charlie_client.get("/api/v1/conversions").json()["data"]
    commissions = charlie_client.get("/api/v1/commissions").json()["data"]
    audit = other_key.get(f"/api/v1/attribution/conversions/{other_sale['id']}").json()
    assert (conversion["partner"], [c["partner"] for c in listed]) == (former, [former])
    assert ([c["partner"] for c in commissions], audit["partner"]) == ([former], former)
    pages = browser(charlie, other_merchant)
    pages_paths = ("conversions/", f"conversions/{other_sale['id']}/", "commissions/", "")
    for path in (f"/dashboard/{p}" for p in pages_paths):
        page = pages.get(path).content.decode()
        assert "Former partner" in page, path
        assert NAME.replace("'", "&#x27;") not in page and NAME not in page, path
    # Acme, whose partner Jane still is, sees her name.
    acme_view = acme_key.get(f"/api/v1/conversions/{acme_sale['id']}").json()
    assert acme_view["partner"] == {"id": str(jane.pk), "display_name": NAME}


def test_an_erase_requested_in_test_mode_covers_live_too(
    charlie_client: APIClient, jane: Partner, other_merchant: Merchant, footprint: dict[str, Any]
) -> None:
    assert charlie_client.post(f"/api/v1/partners/{jane.pk}/erase?mode=test").status_code == 200
    assert not Application.objects.filter(merchant=other_merchant).exists()
    assert not ReferralCode.objects.filter(merchant=other_merchant, disabled_at=None).exists()


def test_after_the_erase_the_partner_may_apply_again_and_the_erase_is_404(
    charlie_client: APIClient,
    jane_client: APIClient,
    jane: Partner,
    other_program: Program,
    footprint: dict[str, Any],
) -> None:
    charlie_client.post(f"/api/v1/partners/{jane.pk}/erase")

    assert_error(charlie_client.post(f"/api/v1/partners/{jane.pk}/erase"), 404, "NOT_FOUND")
    reapplied = jane_client.post(f"/api/v1/partner/programs/{other_program.pk}/apply")
    assert reapplied.status_code == 201, reapplied.json()
    assert reapplied.json()["status"] == "pending"


def test_another_merchant_can_neither_read_approve_nor_erase_a_partner_it_only_invited(
    charlie_client: APIClient,
    jane: Partner,
    merchant: Merchant,
    program: Program,
    other_program: Program,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The attack of the security review: invite Acme's partner, then erase it."""
    pending = services.application_submit(
        partner=jane, program=ProgramFactory(merchant=merchant, code="CAPS")
    )
    services.application_approve(
        application=services.application_submit(partner=jane, program=program)
    )
    services.referral_code_create(program=program, partner=jane, code="JANE-A")
    with django_capture_on_commit_callbacks(execute=True):
        invited = charlie_client.post(
            f"/api/v1/programs/{other_program.pk}/invite", {"email": EMAIL}, format="json"
        )
    assert invited.status_code == 201
    before = acme_rows(merchant, jane)

    for method, path in (
        ("get", f"/api/v1/partners/{jane.pk}"),
        ("post", f"/api/v1/partners/{jane.pk}/erase"),
        ("post", f"/api/v1/applications/{pending.pk}/approve"),
        ("get", f"/api/v1/applications/{pending.pk}"),
    ):
        assert_error(getattr(charlie_client, method)(path), 404, "NOT_FOUND")

    assert acme_rows(merchant, jane) == before
    assert tracks("/r/acme/JANE-A")
    assert charlie_client.get("/api/v1/partners").json()["total"] == 0
