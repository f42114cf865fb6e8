"""POST /api/v1/conversions: the happy path, its response, events and the error codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Merchant, Partner
from conversions.models import Commission, Conversion
from fx import selectors as fx_selectors
from partners.models import Program, PromoCode
from tests.conftest import Keys, api_client, assert_error
from tests.conversions.conftest import body, post
from tests.conversions.factories import (
    ApplicationFactory,
    ClickFactory,
    ProgramFactory,
    PromoCodeFactory,
    ReferralCodeFactory,
)
from tracking.models import Click
from webhooks import selectors as webhooks_selectors
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def test_attributed_click_returns_201_with_the_conversion_and_its_commission(
    sk_live: Any, click: Click, program: Program, partner: Partner
) -> None:
    before = timezone.now()
    response = post(sk_live, body(click_id=str(click.pk), customer_id="cust_1"))

    assert response.status_code == 201, response.content
    data = response.json()
    conversion = Conversion.objects.get()
    commission = Commission.objects.get()
    assert data == {
        "id": str(conversion.pk),
        "mode": "live",
        "event_type": "purchase",
        "external_transaction_id": "order_456",
        "click_id": str(click.pk),
        "promo_code": None,
        "customer_id": "cust_1",
        "amount_cents": 4900,
        "currency": "EUR",
        "reporting_currency": "USD",
        "reporting_rate": "1.1476",
        "reporting_amount_cents": 5623,
        "status": "pending",
        "attributed": True,
        "attribution": {
            "explanation": {
                "code": "attributed_click",
                "message": f"Attributed to partner {partner.pk} through click {click.pk} "
                "(program SUMMER).",
            },
            "steps": conversion.attribution_steps,
        },
        "program": {"id": str(program.pk), "code": "SUMMER", "name": program.name},
        "partner": {"id": str(partner.pk), "display_name": partner.display_name},
        "commission": {
            "id": str(commission.pk),
            "kind": "cps",
            "rate_bps": 1000,
            # The program was published without the service: no recorded version.
            "terms_version_id": None,
            "terms_source": "program",
            "amount_cents": 490,
            "currency": "EUR",
            "reporting_currency": "USD",
            "reporting_rate": "1.1476",
            "reporting_amount_cents": 562,
            "status": "pending",
            "approve_after": data["commission"]["approve_after"],
            "approved_at": None,
            "paid_at": None,
            "reversed_at": None,
            "adjustment": None,
        },
        "metadata": {},
        "occurred_at": data["occurred_at"],
        "created_at": data["created_at"],
        "reversed_at": None,
        "reversal_reason": None,
    }
    assert [step["check"] for step in data["attribution"]["steps"]] == [
        "signals",
        "click_found",
        "click_not_bot",
        "click_program",
        "click_partner",
        "click_window",
        "currency",
        "attributed",
        "commission_terms",
    ]
    assert all(set(step) == {"check", "result", "message"} for step in data["attribution"]["steps"])
    assert conversion.occurred_at >= before
    assert commission.approve_after == conversion.occurred_at + timedelta(days=30)
    assert commission.partner == partner and commission.program == program
    assert conversion.click == click and conversion.customer_ref == "cust_1"


def test_occurred_at_and_metadata_are_stored_as_sent(
    sk_live: Any, program: Program, partner: Partner
) -> None:
    click = ClickFactory(
        program=program, partner=partner, created_at=timezone.now() - timedelta(days=3)
    )
    occurred = timezone.now() - timedelta(days=2)
    response = post(
        sk_live,
        body(
            click_id=str(click.pk),
            occurred_at=occurred.isoformat(),
            metadata={"plan": "pro", "seats": 3},
            event_type="signup",
        ),
    )

    assert response.status_code == 201
    conversion = Conversion.objects.get()
    assert conversion.occurred_at == occurred
    assert conversion.metadata == {"plan": "pro", "seats": 3}
    assert conversion.event_type == "signup"
    assert Commission.objects.get().approve_after == occurred + timedelta(days=30)


def test_event_type_defaults_to_purchase(sk_live: Any, click: Click) -> None:
    response = post(sk_live, body(click_id=str(click.pk), drop=("event_type",)))

    assert response.status_code == 201
    assert response.json()["event_type"] == "purchase"


def test_unresolvable_signal_is_201_not_attributed_without_commission(sk_live: Any) -> None:
    response = post(sk_live, body(promo_code="NOPE"))

    assert response.status_code == 201
    data = response.json()
    assert data["attributed"] is False
    assert data["attribution"]["explanation"]["code"] == "promo_code_unknown"
    assert data["commission"] is None and data["program"] is None and data["partner"] is None
    assert data["status"] == "approved"
    assert Commission.objects.count() == 0
    assert Conversion.objects.get().attributed is False


def test_events_conversion_and_commission_created_carry_the_representations(
    sk_live: Any, click: Click, approved: Any
) -> None:
    response = post(sk_live, body(click_id=str(click.pk)))

    data = response.json()
    events = {e.type: e for e in Event.objects.all()}
    assert set(events) == {"conversion.created", "commission.created"}
    assert events["conversion.created"].payload["data"] == data
    assert events["conversion.created"].mode == "live"
    # The answer, built once with the event, is what the conversion reads as afterwards.
    assert sk_live.get(f"/api/v1/conversions/{data['id']}").json() == data
    commission_data = events["commission.created"].payload["data"]
    assert commission_data["id"] == data["commission"]["id"]
    assert commission_data["conversion_id"] == data["id"]
    assert commission_data["amount_cents"] == 490


def test_unattributed_conversion_emits_only_conversion_created(sk_live: Any) -> None:
    post(sk_live, body(promo_code="NOPE"))

    assert list(Event.objects.values_list("type", flat=True)) == ["conversion.created"]


def test_no_signal_is_422_no_attribution_signal(sk_live: Any) -> None:
    response = post(sk_live, body())

    assert_error(response, 422, "NO_ATTRIBUTION_SIGNAL")
    assert Conversion.objects.count() == 0


def test_null_signals_count_as_no_signal(sk_live: Any) -> None:
    response = post(sk_live, body(click_id=None, promo_code=None))

    assert_error(response, 422, "NO_ATTRIBUTION_SIGNAL")


def test_repeated_transaction_id_is_409_and_changes_nothing(sk_live: Any, click: Click) -> None:
    assert post(sk_live, body(click_id=str(click.pk))).status_code == 201

    response = post(sk_live, body(click_id=str(click.pk), amount_cents=9999))

    assert_error(response, 409, "CONVERSION_DUPLICATE")
    assert Conversion.objects.get().amount_cents == 4900
    assert Commission.objects.count() == 1
    assert Event.objects.count() == 2


def test_same_transaction_id_in_other_mode_or_merchant_is_not_a_duplicate(
    keys: Keys, other_keys: Keys, click: Click, test_click: Click
) -> None:
    assert post(api_client(keys.sk_live), body(click_id=str(click.pk))).status_code == 201
    test_response = post(api_client(keys.sk_test), body(click_id=str(test_click.pk)))
    other_response = post(api_client(other_keys.sk_live), body(promo_code="X"))

    assert test_response.status_code == 201
    assert other_response.status_code == 201
    assert Conversion.objects.count() == 3


@pytest.mark.parametrize(
    ("key_mode", "signal_mode"), [("test", "live"), ("live", "test")], ids=["test-key", "live-key"]
)
def test_click_of_the_other_mode_is_422_mode_mismatch(
    keys: Keys, merchant: Merchant, partner: Partner, key_mode: str, signal_mode: str
) -> None:
    click = ClickFactory(
        program=ProgramFactory(merchant=merchant, mode=signal_mode), partner=partner
    )
    client = api_client(getattr(keys, f"sk_{key_mode}"))

    response = post(client, body(click_id=str(click.pk)))

    assert_error(response, 422, "MODE_MISMATCH")
    assert Conversion.objects.count() == 0


@pytest.mark.parametrize(
    ("key_mode", "signal_mode"), [("test", "live"), ("live", "test")], ids=["test-key", "live-key"]
)
def test_promo_code_of_the_other_mode_is_422_mode_mismatch(
    keys: Keys, merchant: Merchant, partner: Partner, key_mode: str, signal_mode: str
) -> None:
    program = ProgramFactory(merchant=merchant, mode=signal_mode)
    PromoCodeFactory(program=program, partner=partner, code="MIXED")
    client = api_client(getattr(keys, f"sk_{key_mode}"))

    response = post(client, body(promo_code="MIXED"))

    assert_error(response, 422, "MODE_MISMATCH")
    assert Conversion.objects.count() == 0


def test_mode_mismatch_wins_even_when_the_other_signal_resolves(
    sk_live: Any, promo: PromoCode, test_click: Click
) -> None:
    response = post(sk_live, body(click_id=str(test_click.pk), promo_code=promo.code))

    assert_error(response, 422, "MODE_MISMATCH")


def test_another_merchants_click_is_not_found_not_a_mismatch(
    other_sk_live: Any, click: Click
) -> None:
    response = post(other_sk_live, body(click_id=str(click.pk)))

    assert response.status_code == 201
    assert response.json()["attribution"]["explanation"]["code"] == "click_not_found"
    assert Conversion.objects.get().click is None


def test_missing_key_is_401_invalid_api_key(anon_client: Any) -> None:
    assert_error(post(anon_client, body(promo_code="X")), 401, "INVALID_API_KEY")


def test_unknown_secret_key_is_401_invalid_api_key() -> None:
    client = api_client("sk_live_" + "A" * 44)

    assert_error(post(client, body(promo_code="X")), 401, "INVALID_API_KEY")


def test_public_key_is_403_forbidden(keys: Keys) -> None:
    response = post(api_client(keys.pk_live), body(promo_code="X"))

    assert_error(response, 403, "FORBIDDEN")
    assert Conversion.objects.count() == 0


def test_dashboard_token_cannot_report_conversions(alice_client: Any) -> None:
    response = post(alice_client, body(promo_code="X"))

    assert_error(response, 403, "FORBIDDEN")
    assert Conversion.objects.count() == 0


def test_conversions_zone_allows_120_per_minute_per_key(
    settings: Any, sk_live: Any, keys: Keys
) -> None:
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "conversions": "2/m"}
    statuses = [
        post(sk_live, body(promo_code="X", external_transaction_id=f"o{i}")).status_code
        for i in range(3)
    ]
    other = post(api_client(keys.sk_test), body(promo_code="X"))

    assert statuses == [201, 201, 429]
    assert other.status_code == 201


def test_reporting_a_conversion_costs_a_handful_of_queries(
    sk_live: Any, click: Click, merchant: Merchant, django_assert_max_num_queries: Any
) -> None:
    # Whether anyone subscribes to the merchant's events is known already: each process
    # keeps the answer for a few seconds.
    webhooks_selectors.has_subscriber(
        merchant_id=merchant.pk, mode="live", type="conversion.created"
    )
    # So are the merchant's reporting currency and the exchange rates in effect.
    fx_selectors.reporting_currency_of(merchant)
    fx_selectors.rate_set_current()
    # Key, click, conversion, commission, two events, and their savepoints: nothing per
    # field of the representation, which is rendered three times (two events, response).
    with django_assert_max_num_queries(14):
        response = post(sk_live, body(click_id=str(click.pk)))

    assert response.status_code == 201


def test_reading_does_not_count_in_the_conversions_zone(settings: Any, sk_live: Any) -> None:
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "conversions": "1/m"}

    first = post(sk_live, body(promo_code="X", external_transaction_id="o1"))
    reads = [sk_live.get("/api/v1/conversions").status_code for _ in range(3)]
    second = post(sk_live, body(promo_code="X", external_transaction_id="o2"))

    assert (first.status_code, reads) == (201, [200, 200, 200])
    assert_error(second, 429, "RATE_LIMIT_EXCEEDED")
    assert 1 <= int(second["Retry-After"]) <= 60


ATTRIBUTION_TABLES = (
    "tracking_click",
    "partners_program",
    "accounts_partner",
    "partners_referralcode",
    "partners_promocode",
)


def _attribution_reads(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and any(t in q["sql"] for t in ATTRIBUTION_TABLES)
    ]


@pytest.mark.parametrize(
    "terms",
    [
        {"commission_type": "cps"},
        {"commission_type": "cpa", "percent_bps": None, "cpa_amount_cents": 500},
        {"commission_type": "revshare", "recurring_months": 12},
    ],
    ids=["cps", "cpa", "revshare"],
)
@pytest.mark.parametrize("mode", ["live", "test"])
def test_a_click_its_program_partner_and_code_are_read_once(
    keys: Keys, merchant: Merchant, partner: Partner, terms: dict[str, Any], mode: str
) -> None:
    # What attribution, the program's rules, a test session and the representations read
    # of them comes with the click: reading a field the click lookup leaves out would
    # cost a query of its own, and show here.
    program = ProgramFactory(merchant=merchant, mode=mode, **terms)
    client = api_client(keys.sk_live if mode == "live" else keys.sk_test)
    if mode == "live":
        code = ReferralCodeFactory(program=program, partner=partner)
        click_id = str(ClickFactory(program=program, partner=partner, referral_code=code).pk)
    else:
        ApplicationFactory(program=program, partner=partner)
        session = client.post("/api/v1/test-sessions", {"program": program.code}, format="json")
        click_id = session.json()["test_click_id"]

    with CaptureQueriesContext(connection) as queries:
        response = post(client, body(click_id=click_id, customer_id="cust_1"))

    assert response.status_code == 201, response.content
    assert response.json()["attributed"] is True
    reads = _attribution_reads(queries)
    assert len(reads) == 1, reads
    assert 'FROM "tracking_click"' in reads[0]


def test_a_promo_code_its_program_and_partner_are_read_once(sk_live: Any, promo: PromoCode) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = post(sk_live, body(promo_code="anna10", customer_id="cust_1"))

    assert response.status_code == 201, response.content
    assert response.json()["attributed"] is True
    reads = _attribution_reads(queries)
    assert len(reads) == 1, reads
    assert 'FROM "partners_promocode"' in reads[0]
