"""Second, independent guards of two conversion rules that each had a single test.

- Promo-code mode isolation: a promo code of the other mode is MODE_MISMATCH, checked
  here at the service (`attribution.resolve`, `services.conversion_create`) and through
  the API when the *click* is of the key's mode and resolves (the API test guards a
  promo code sent alone).
- Duplicate transaction ids: 409 CONVERSION_DUPLICATE on the other write paths (a CPA
  conversion recorded inside a transaction with its locks, an unattributed one, the
  service called directly), while the same id in the other mode or merchant is new.
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Merchant, Partner
from conversions import attribution, services
from conversions.errors import ConversionDuplicate
from conversions.models import Commission, Conversion
from conversions.services import ConversionInput
from partners.models import Program
from selgeo.api.errors import ModeMismatch
from tests.conftest import Keys, api_client, assert_error
from tests.conversions.conftest import body, post
from tests.conversions.factories import ClickFactory, ProgramFactory, PromoCodeFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db

MODES = [("test", "live"), ("live", "test")]
IDS = ["test-key", "live-key"]


@pytest.mark.parametrize(("key_mode", "code_mode"), MODES, ids=IDS)
def test_resolving_a_promo_code_of_the_other_mode_raises_mode_mismatch(
    merchant: Merchant, partner: Partner, key_mode: str, code_mode: str
) -> None:
    program = ProgramFactory(merchant=merchant, mode=code_mode)
    PromoCodeFactory(program=program, partner=partner, code="MIXED")

    with pytest.raises(ModeMismatch) as raised:
        attribution.resolve(
            merchant=merchant,
            mode=key_mode,
            click_id=None,
            promo_code="mixed",
            customer_ref="",
            occurred_at=program.created_at,
        )

    assert raised.value.message == (
        f"promo_code is a {code_mode}-mode promo code but the key is a {key_mode} key"
    )


@pytest.mark.parametrize(("key_mode", "code_mode"), MODES, ids=IDS)
def test_the_service_records_nothing_for_a_promo_code_of_the_other_mode(
    merchant: Merchant, partner: Partner, key_mode: str, code_mode: str
) -> None:
    program = ProgramFactory(merchant=merchant, mode=code_mode)
    PromoCodeFactory(program=program, partner=partner, code="MIXED")

    with pytest.raises(ModeMismatch):
        services.conversion_create(
            merchant=merchant,
            mode=key_mode,
            data=ConversionInput(
                external_transaction_id="o1", promo_code="MIXED", amount_cents=100, currency="EUR"
            ),
        )

    assert (Conversion.objects.count(), Commission.objects.count(), Event.objects.count()) == (
        0,
        0,
        0,
    )


@pytest.mark.parametrize(("key_mode", "code_mode"), MODES, ids=IDS)
def test_a_promo_code_of_the_other_mode_is_refused_even_beside_a_resolving_click(
    keys: Keys, merchant: Merchant, partner: Partner, key_mode: str, code_mode: str
) -> None:
    own = ProgramFactory(merchant=merchant, mode=key_mode)
    click = ClickFactory(program=own, partner=partner)
    PromoCodeFactory(
        program=ProgramFactory(merchant=merchant, mode=code_mode), partner=partner, code="MIXED"
    )
    client = api_client(getattr(keys, f"sk_{key_mode}"))
    assert post(client, body(click_id=str(click.pk), external_transaction_id="ok")).status_code == (
        201
    )

    response = post(client, body(click_id=str(click.pk), promo_code="MIXED"))

    assert_error(response, 422, "MODE_MISMATCH")
    assert list(Conversion.objects.values_list("external_transaction_id", flat=True)) == ["ok"]


# Duplicate transaction ids on the other write paths.


@pytest.fixture
def cpa(merchant: Merchant, partner: Partner) -> Program:
    program = ProgramFactory(
        merchant=merchant,
        code="CPA",
        commission_type="cpa",
        cpa_amount_cents=3000,
        percent_bps=None,
    )
    PromoCodeFactory(program=program, partner=partner, code="CPA10")
    return program


def test_a_repeated_cpa_transaction_id_is_409_and_changes_nothing(
    sk_live: Any, cpa: Program
) -> None:
    # CPA conversions are written inside a transaction holding the customer's lock.
    first = post(sk_live, body(promo_code="CPA10", customer_id="c1"))
    assert first.status_code == 201 and first.json()["commission"]["amount_cents"] == 3000

    response = post(sk_live, body(promo_code="CPA10", customer_id="c2", amount_cents=1))

    assert_error(response, 409, "CONVERSION_DUPLICATE")
    conversion = Conversion.objects.get()
    assert (conversion.customer_ref, conversion.amount_cents) == ("c1", 4900)
    assert Commission.objects.count() == 1
    assert Event.objects.count() == 2


def test_a_repeated_unattributed_transaction_id_is_409(sk_live: Any) -> None:
    assert post(sk_live, body(promo_code="NOBODY")).status_code == 201

    response = post(sk_live, body(promo_code="NOBODY", amount_cents=1))

    assert_error(response, 409, "CONVERSION_DUPLICATE")
    assert Conversion.objects.get().amount_cents == 4900
    assert Event.objects.count() == 1


def test_the_same_cpa_transaction_id_in_the_other_mode_or_merchant_is_new(
    keys: Keys, other_keys: Keys, merchant: Merchant, partner: Partner, cpa: Program
) -> None:
    test_cpa = ProgramFactory(
        merchant=merchant,
        mode="test",
        commission_type="cpa",
        cpa_amount_cents=500,
        percent_bps=None,
    )
    PromoCodeFactory(program=test_cpa, partner=partner, code="TEST10")
    answers = [
        post(api_client(keys.sk_live), body(promo_code="CPA10", customer_id="c")),
        post(api_client(keys.sk_test), body(promo_code="TEST10", customer_id="c")),
        post(api_client(other_keys.sk_live), body(promo_code="CPA10", customer_id="c")),
    ]

    assert [a.status_code for a in answers] == [201, 201, 201]
    assert sorted(Conversion.objects.values_list("merchant__slug", "mode", "attributed")) == sorted(
        [("acme", "live", True), ("acme", "test", True), ("other", "live", False)]
    )


def test_the_service_raises_conversion_duplicate_for_a_repeated_id(
    merchant: Merchant, other_merchant: Merchant
) -> None:
    data = ConversionInput(external_transaction_id="svc-1", promo_code="NOBODY")
    services.conversion_create(merchant=merchant, mode="live", data=data)

    with pytest.raises(ConversionDuplicate):
        services.conversion_create(merchant=merchant, mode="live", data=data)

    services.conversion_create(merchant=merchant, mode="test", data=data)
    services.conversion_create(merchant=other_merchant, mode="live", data=data)
    assert Conversion.objects.filter(external_transaction_id="svc-1").count() == 3
