"""The admin lists of the big tables (conversions, commissions, adjustments, clicks, events,
deliveries): an exact count when the list is short, PostgreSQL's estimate labelled "about"
or "more than" when it is not, never a made-up number; search by partner name, email,
code and transaction id."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from accounts.models import Partner
from conversions.admin import ConversionAdmin
from conversions.models import Commission, CommissionAdjustment, CommissionStatus, Conversion
from partners.models import Program
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory, PromoCodeFactory, ReferralCodeFactory
from tests.factories import PartnerFactory, UserFactory
from tests.webhooks.factories import WebhookEndpointFactory
from tracking.models import Click
from webhooks import services as webhook_services
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db

LISTS = [
    "conversions/conversion",
    "conversions/commission",
    "conversions/commissionadjustment",
    "tracking/click",
    "webhooks/event",
    "webhooks/delivery",
]


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def sales(sk_live: Any, program: Program, partner: Partner) -> list[Conversion]:
    """Three attributed sales by the partner, each through its own click, one reversed
    after payment (so that every big table has rows), fanned out to an endpoint."""
    WebhookEndpointFactory(merchant=program.merchant, mode="live")
    for number in range(3):
        click = ClickFactory(program=program, partner=partner)
        response = post(
            sk_live, body(click_id=str(click.pk), external_transaction_id=f"o-{number}")
        )
        assert response.status_code == 201, response.content
    Commission.objects.filter(conversion__external_transaction_id="o-0").update(
        status=CommissionStatus.PAID
    )
    conversion = Conversion.objects.get(external_transaction_id="o-0")
    response = sk_live.post(
        f"/api/v1/conversions/{conversion.pk}/reverse", {"reason": "refund"}, format="json"
    )
    assert response.status_code == 200
    for event in Event.objects.all():
        webhook_services.event_fan_out(event_id=event.pk)
    assert Delivery.objects.exists() and CommissionAdjustment.objects.count() == 1
    return list(Conversion.objects.order_by("external_transaction_id"))


def _listed(response: Any) -> list[Any]:
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize("path", LISTS)
def test_a_search_matching_nothing_shows_0_results_and_one_page(
    staff: Client, sales: list[Conversion], path: str
) -> None:
    response = staff.get(f"/admin/{path}/", {"q": "matches-nothing"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "1000000000" not in page and "1,000,000,000" not in page
    assert "0 results" in page
    assert response.context["cl"].paginator.num_pages == 1
    assert _listed(response) == []


@pytest.mark.parametrize("path", LISTS)
def test_a_short_list_shows_its_exact_count(
    staff: Client, sales: list[Conversion], path: str
) -> None:
    response = staff.get(f"/admin/{path}/")

    cl = response.context["cl"]
    rows = cl.root_queryset.count()
    assert rows >= 1
    assert cl.result_count_label == f"{rows:,}"
    page = response.content.decode()
    assert f"{rows} {cl.opts.verbose_name if rows == 1 else cl.opts.verbose_name_plural}" in page
    assert "1000000000" not in page


def test_a_long_list_shows_the_planners_estimate_labelled_about(
    staff: Client, sales: list[Conversion], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ConversionAdmin, "list_per_page", 2)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE conversions_conversion")

    response = staff.get("/admin/conversions/conversion/")

    page = response.content.decode()
    # PostgreSQL estimates the table; SQLite has no estimate, so only what is known.
    label = "about 3" if connection.vendor == "postgresql" else "more than 2"
    assert f"{label} conversions" in page
    assert response.context["cl"].paginator.num_pages == 2
    assert len(_listed(response)) == 2


def test_a_long_filtered_list_says_more_than_and_its_last_page_is_exact(
    staff: Client, sales: list[Conversion], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ConversionAdmin, "list_per_page", 1)

    first = staff.get("/admin/conversions/conversion/", {"status__exact": "pending"})
    last = staff.get("/admin/conversions/conversion/", {"status__exact": "pending", "p": 2})

    assert "more than 1 results" in first.content.decode()
    assert first.context["cl"].paginator.num_pages == 2
    assert "2 results" in last.content.decode()
    assert last.context["cl"].result_count_label == "2"
    assert len(_listed(last)) == 1


def test_no_page_offers_to_show_the_whole_table(
    staff: Client, sales: list[Conversion], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ConversionAdmin, "list_per_page", 1)

    response = staff.get("/admin/conversions/conversion/", {"all": ""})

    assert len(_listed(response)) == 1
    assert "showall" not in response.content.decode()


@pytest.fixture
def other_sale(sk_live: Any, program: Program) -> Conversion:
    """A sale by another partner, who must never be found by the first one's name."""
    other = PartnerFactory(display_name="Bob Reviews")
    click = ClickFactory(program=program, partner=other)
    response = post(sk_live, body(click_id=str(click.pk), external_transaction_id="o-other"))
    assert response.status_code == 201
    return Conversion.objects.get(external_transaction_id="o-other")


@pytest.mark.parametrize("model", ["conversion", "commission"])
def test_search_finds_by_partner_name_email_code_and_transaction_id(
    staff: Client,
    sales: list[Conversion],
    other_sale: Conversion,
    partner: Partner,
    program: Program,
    model: str,
) -> None:
    partner.display_name = "Anna Deals"
    partner.save()
    referral = ReferralCodeFactory(program=program, partner=partner, code="ANNA")
    PromoCodeFactory(program=program, partner=partner, code="ANNA10")
    assert referral.partner_id == partner.pk
    mine = {c.pk for c in sales}
    url = f"/admin/conversions/{model}/"

    def found(term: str) -> set[Any]:
        rows = _listed(staff.get(url, {"q": term}))
        return {row.pk if model == "conversion" else row.conversion_id for row in rows}

    assert found("anna deal") == mine
    assert found(partner.user.email.upper()) == mine
    assert found("anna") == mine
    assert found("ANNA10") == mine
    assert found("o-1") == {sales[1].pk}
    assert found("o-other") == {other_sale.pk}
    assert found("bob reviews") == {other_sale.pk}
    assert found("o-") == set()


def test_adjustments_are_found_by_partner_and_transaction_id(
    staff: Client, sales: list[Conversion], partner: Partner
) -> None:
    adjustment = CommissionAdjustment.objects.get()
    url = "/admin/conversions/commissionadjustment/"

    assert _listed(staff.get(url, {"q": "o-0"})) == [adjustment]
    assert _listed(staff.get(url, {"q": partner.display_name})) == [adjustment]
    assert _listed(staff.get(url, {"q": "o-1"})) == []


def test_clicks_are_found_by_their_partners_name_email_and_codes(
    staff: Client, sales: list[Conversion], partner: Partner, program: Program
) -> None:
    code = ReferralCodeFactory(program=program, partner=partner, code="ANNACODE")
    coded = ClickFactory(program=program, partner=partner, referral_code=code)
    stranger = ClickFactory(program=program, partner=PartnerFactory(display_name="Carla"))
    mine = set(Click.objects.filter(partner=partner).values_list("pk", flat=True))
    url = "/admin/tracking/click/"

    def found(term: str) -> set[Any]:
        return {click.pk for click in _listed(staff.get(url, {"q": term}))}

    assert found(partner.display_name.lower()) == mine
    assert found(partner.user.email) == mine
    assert coded.pk in mine and found("annacode") == mine
    assert found("carla") == {stranger.pk}
    assert found(str(stranger.pk)) == {stranger.pk}


def test_events_and_deliveries_are_found_by_the_public_event_id(
    staff: Client, sales: list[Conversion]
) -> None:
    delivery = Delivery.objects.select_related("event").first()
    assert delivery is not None
    event = delivery.event

    events = _listed(staff.get("/admin/webhooks/event/", {"q": event.public_id}))
    deliveries = _listed(staff.get("/admin/webhooks/delivery/", {"q": event.public_id}))

    assert events == [event]
    assert set(deliveries) == set(Delivery.objects.filter(event=event))
