"""Per-partner and group rates and performance tiers, through the merchant API.

Precedence: the partner's own rate, then its group's, then the best tier reached this
month, then the program's terms version. Each commission says which, in its attribution
steps and in `terms_source`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from conversions.models import Commission
from partners.models import CommissionOverride, CommissionTier, PartnerGroup, Program
from tests.conftest import Keys, api_client, assert_error
from tests.conversions.conftest import body, post
from tests.conversions.factories import ApplicationFactory, ProgramFactory, PromoCodeFactory
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sk_live(keys: Keys) -> APIClient:
    return api_client(keys.sk_live)


@pytest.fixture
def shoes(merchant: Merchant) -> Program:
    return ProgramFactory(merchant=merchant, code="SHOES", percent_bps=1000)


def join(program: Program, partner: Partner, code: str) -> Partner:
    ApplicationFactory(program=program, partner=partner, status="approved")
    PromoCodeFactory(program=program, partner=partner, code=code)
    return partner


def sale(client: APIClient, code: str, txid: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("amount_cents", 10000)
    response = post(client, body(promo_code=code, external_transaction_id=txid, **fields))
    assert response.status_code == 201, response.content
    data: dict[str, Any] = response.json()
    return data


def terms_step(data: dict[str, Any]) -> str:
    step = data["attribution"]["steps"][-1]
    assert step["check"] == "commission_terms"
    return str(step["message"])


def url(program: Program, rest: str) -> str:
    return f"/api/v1/programs/{program.pk}/{rest}"


def test_partner_rate_beats_group_rate_beats_tier_beats_program(
    alice_client: APIClient, sk_live: APIClient, shoes: Program
) -> None:
    own, grouped, top, plain = (
        join(shoes, PartnerFactory(), c) for c in ("OWN", "GRP", "TOP", "PLN")
    )
    group = alice_client.post("/api/v1/partner-groups", {"name": "Bloggers"}, format="json").json()
    alice_client.post(
        f"/api/v1/partner-groups/{group['id']}/members", {"partner": str(grouped.pk)}, format="json"
    )
    # The partner with its own rate is in the group too: its own rate wins.
    alice_client.post(
        f"/api/v1/partner-groups/{group['id']}/members", {"partner": str(own.pk)}, format="json"
    )
    created = [
        alice_client.post(url(shoes, "rates"), payload, format="json")
        for payload in (
            {"partner": str(own.pk), "percent_bps": 2500},
            {"group": group["id"], "percent_bps": 1500},
        )
    ]
    alice_client.post(
        url(shoes, "tiers"), {"min_conversions": 1, "percent_bps": 2000}, format="json"
    )
    sale(sk_live, "TOP", "warm-up")  # TOP's first sale of the month: no tier yet.

    results = {code: sale(sk_live, code, f"o-{code}") for code in ("OWN", "GRP", "TOP", "PLN")}

    assert [r.status_code for r in created] == [201, 201]
    amounts = {code: data["commission"]["amount_cents"] for code, data in results.items()}
    assert amounts == {"OWN": 2500, "GRP": 1500, "TOP": 2000, "PLN": 1000}
    sources = dict(
        Commission.objects.filter(conversion__external_transaction_id__startswith="o-").values_list(
            "conversion__promo_code_raw", "terms_source"
        )
    )
    assert sources == {"OWN": "partner", "GRP": "group", "TOP": "tier", "PLN": "program"}
    assert "the partner's own rate on this program" in terms_step(results["OWN"])
    assert "the rate of the partner's group 'Bloggers'" in terms_step(results["GRP"])
    assert terms_step(results["TOP"]) == (
        "Commission: 20% of the amount (cps), performance tier 'above 1 conversions a month' "
        "(1 counted this month), under the program's terms."
    )
    assert terms_step(results["PLN"]) == (
        "Commission: 10% of the amount (cps), the program's rate (0 conversions counted this "
        "month, no tier reached), under the program's terms."
    )
    assert top is not None and plain is not None


def test_a_tier_applies_from_the_conversion_after_exactly_n(
    alice_client: APIClient, sk_live: APIClient, shoes: Program
) -> None:
    join(shoes, PartnerFactory(), "ANNA")
    alice_client.post(
        url(shoes, "tiers"), {"min_conversions": 3, "percent_bps": 2000}, format="json"
    )
    june = datetime(2026, 6, 15, 12, tzinfo=UTC).isoformat()
    # A sale of the previous month and a reversed one do not count.
    sale(sk_live, "ANNA", "may", occurred_at=datetime(2026, 5, 31, 23, 59, tzinfo=UTC).isoformat())
    reversed_one = sale(sk_live, "ANNA", "refunded", occurred_at=june)
    sk_live.post(
        f"/api/v1/conversions/{reversed_one['id']}/reverse", {"reason": "refund"}, format="json"
    )

    amounts = [
        sale(sk_live, "ANNA", f"june-{i}", occurred_at=june)["commission"]["amount_cents"]
        for i in range(1, 6)
    ]

    # Three counted sales, then the 4th and 5th are above the tier of 3.
    assert amounts == [1000, 1000, 1000, 2000, 2000]
    steps = Commission.objects.get(conversion__external_transaction_id="june-4").conversion
    assert "(3 counted this month)" in steps.attribution_steps[-1]["message"]


def test_a_cpa_programs_rates_are_amounts(
    alice_client: APIClient, sk_live: APIClient, merchant: Merchant
) -> None:
    cpa = ProgramFactory(
        merchant=merchant,
        code="LEADS",
        commission_type="cpa",
        cpa_amount_cents=3000,
        percent_bps=None,
    )
    partner = join(cpa, PartnerFactory(), "LEAD1")

    refused = alice_client.post(
        url(cpa, "rates"), {"partner": str(partner.pk), "percent_bps": 2000}, format="json"
    )
    set_ = alice_client.post(
        url(cpa, "rates"), {"partner": str(partner.pk), "cpa_amount_cents": 4500}, format="json"
    )
    data = sale(sk_live, "LEAD1", "lead-1", customer_id="c1")

    error = assert_error(refused, 400, "VALIDATION_ERROR")
    assert error["details"] == [
        {
            "field": "cpa_amount_cents",
            "message": "cpa_amount_cents must be an integer from 0 to 1000000000000 (cpa program)",
        },
        {"field": "percent_bps", "message": "percent_bps does not apply to cpa programs"},
    ]
    assert set_.status_code == 201 and set_.json()["cpa_amount_cents"] == 4500
    assert data["commission"]["amount_cents"] == 4500


def test_setting_a_rate_again_replaces_it_and_removing_it_restores_the_program_rate(
    alice_client: APIClient, sk_live: APIClient, shoes: Program
) -> None:
    partner = join(shoes, PartnerFactory(), "ANNA")
    first = alice_client.post(
        url(shoes, "rates"), {"partner": str(partner.pk), "percent_bps": 2500}, format="json"
    )
    again = alice_client.post(
        url(shoes, "rates"), {"partner": str(partner.pk), "percent_bps": 3000}, format="json"
    )
    with_rate = sale(sk_live, "ANNA", "o1")

    removed = alice_client.delete(url(shoes, f"rates/{first.json()['id']}"))
    without = sale(sk_live, "ANNA", "o2")

    assert (first.status_code, again.status_code, removed.status_code) == (201, 200, 204)
    assert again.json()["id"] == first.json()["id"]
    assert (with_rate["commission"]["amount_cents"], without["commission"]["amount_cents"]) == (
        3000,
        1000,
    )
    assert not CommissionOverride.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"percent_bps": 2000}, "partner", "Send exactly one of partner and group"),
        (
            {"partner": "0193a3c5-1b8a-7c21-8f3e-6a7b8c9d0e1f", "percent_bps": 2000},
            "partner",
            "No partner of this merchant has this id",
        ),
        (
            {"group": "0193a3c5-1b8a-7c21-8f3e-6a7b8c9d0e1f", "percent_bps": 2000},
            "group",
            "No group of this merchant has this id",
        ),
        ({"partner": "x", "percent_bps": 2000}, "partner", "Must be a valid UUID."),
        ({"percent_bps": 20.5, "partner": None, "group": None}, "percent_bps", None),
        ({"rate": 5}, "rate", "Unknown field"),
    ],
)
def test_bad_rates_are_refused_in_the_envelope(
    alice_client: APIClient,
    shoes: Program,
    payload: dict[str, Any],
    field: str,
    message: str | None,
) -> None:
    error = assert_error(
        alice_client.post(url(shoes, "rates"), payload, format="json"), 400, "VALIDATION_ERROR"
    )

    assert error["details"][0]["field"] == field
    if message is not None:
        assert error["details"][0]["message"] == message
    assert not CommissionOverride.objects.exists()


def test_another_merchants_partner_cannot_get_a_rate(
    alice_client: APIClient, shoes: Program, other_merchant: Merchant
) -> None:
    outsider = join(ProgramFactory(merchant=other_merchant, code="THEIRS"), PartnerFactory(), "X1")

    error = assert_error(
        alice_client.post(
            url(shoes, "rates"), {"partner": str(outsider.pk), "percent_bps": 9000}, format="json"
        ),
        400,
        "VALIDATION_ERROR",
    )

    assert error["details"] == [
        {"field": "partner", "message": "No partner of this merchant has this id"}
    ]


def test_tier_thresholds_are_unique_per_program(alice_client: APIClient, shoes: Program) -> None:
    alice_client.post(
        url(shoes, "tiers"), {"min_conversions": 50, "percent_bps": 2000}, format="json"
    )

    error = assert_error(
        alice_client.post(
            url(shoes, "tiers"), {"min_conversions": 50, "percent_bps": 2500}, format="json"
        ),
        400,
        "VALIDATION_ERROR",
    )
    changed = alice_client.patch(
        url(shoes, f"tiers/{CommissionTier.objects.get().pk}"), {"percent_bps": 2200}, format="json"
    )

    assert error["details"] == [
        {
            "field": "min_conversions",
            "message": "The program already has a tier at this number of conversions",
        }
    ]
    assert changed.status_code == 200 and changed.json()["percent_bps"] == 2200
    assert list(CommissionTier.objects.values_list("min_conversions", "percent_bps")) == [
        (50, 2200)
    ]


def test_a_partner_is_in_one_group_and_adding_it_elsewhere_moves_it(
    alice_client: APIClient, shoes: Program
) -> None:
    partner = join(shoes, PartnerFactory(), "ANNA")
    one, two = (
        alice_client.post("/api/v1/partner-groups", {"name": name}, format="json").json()
        for name in ("One", "Two")
    )

    alice_client.post(
        f"/api/v1/partner-groups/{one['id']}/members", {"partner": str(partner.pk)}, format="json"
    )
    moved = alice_client.post(
        f"/api/v1/partner-groups/{two['id']}/members", {"partner": str(partner.pk)}, format="json"
    )
    duplicate = alice_client.post("/api/v1/partner-groups", {"name": "two"}, format="json")
    removed = alice_client.delete(f"/api/v1/partner-groups/{two['id']}/members/{partner.pk}")
    again = alice_client.delete(f"/api/v1/partner-groups/{two['id']}/members/{partner.pk}")

    assert moved.status_code == 200 and moved.json()["partner_ids"] == [str(partner.pk)]
    assert alice_client.get(f"/api/v1/partner-groups/{one['id']}").json()["partner_ids"] == []
    assert assert_error(duplicate, 400, "VALIDATION_ERROR")["details"] == [
        {"field": "name", "message": "This merchant already has a group with this name"}
    ]
    assert removed.status_code == 200 and removed.json()["partner_ids"] == []
    assert_error(again, 404, "NOT_FOUND")
    assert PartnerGroup.objects.count() == 2


def test_a_secret_key_manages_rates_in_its_own_mode(
    keys: Keys, shoes: Program, merchant: Merchant
) -> None:
    partner = join(shoes, PartnerFactory(), "ANNA")
    sandbox = ProgramFactory(merchant=merchant, mode="test", code="SANDBOX")

    live = api_client(keys.sk_live).post(
        url(shoes, "rates"), {"partner": str(partner.pk), "percent_bps": 2500}, format="json"
    )
    other_mode = api_client(keys.sk_live).get(url(sandbox, "rates"))
    public = api_client(keys.pk_live).get(url(shoes, "rates"))

    assert live.status_code == 201
    assert_error(other_mode, 404, "NOT_FOUND")
    assert public.status_code in (401, 403)


def test_erasing_a_partner_ends_its_group_place_and_own_rates(
    alice_client: APIClient, shoes: Program
) -> None:
    partner = join(shoes, PartnerFactory(), "ANNA")
    group = alice_client.post("/api/v1/partner-groups", {"name": "Top"}, format="json").json()
    alice_client.post(
        f"/api/v1/partner-groups/{group['id']}/members", {"partner": str(partner.pk)}, format="json"
    )
    alice_client.post(
        url(shoes, "rates"), {"partner": str(partner.pk), "percent_bps": 2500}, format="json"
    )

    erased = alice_client.post(f"/api/v1/partners/{partner.pk}/erase", {}, format="json")

    assert erased.status_code == 200
    assert not CommissionOverride.objects.exists()
    assert alice_client.get(f"/api/v1/partner-groups/{group['id']}").json()["partner_ids"] == []
