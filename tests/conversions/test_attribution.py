"""Attribution outcomes: each explanation code, its steps, and the order of the signals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Partner
from conversions.explanations import EXPLANATION_CODES
from conversions.models import Commission, Conversion
from partners.models import Program, PromoCode
from tests.conversions.conftest import body, post
from tests.conversions.factories import (
    ClickFactory,
    ProgramFactory,
    PromoCodeFactory,
    ReferralCodeFactory,
)
from tests.factories import PartnerFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db


def outcome(response: Any) -> tuple[bool, str]:
    assert response.status_code == 201, response.content
    data = response.json()
    return data["attributed"], data["attribution"]["explanation"]["code"]


def stored(code: str) -> Conversion:
    conversion = Conversion.objects.get()
    assert conversion.attribution_explanation["code"] == code
    assert conversion.attribution_explanation["message"]
    return conversion


def checks(conversion: Conversion) -> list[tuple[str, str]]:
    return [(s["check"], s["result"]) for s in conversion.attribution_steps]


def test_click_attributes_to_its_partner(sk_live: Any, click: Click, partner: Partner) -> None:
    assert outcome(post(sk_live, body(click_id=str(click.pk)))) == (True, "attributed_click")
    conversion = stored("attributed_click")
    assert conversion.partner == partner and conversion.click == click
    assert conversion.promo_code is None


def test_promo_code_attributes_to_its_partner_case_insensitively(
    sk_live: Any, promo: PromoCode, partner: Partner
) -> None:
    response = post(sk_live, body(promo_code="anna10"))

    assert outcome(response) == (True, "attributed_promo_code")
    conversion = stored("attributed_promo_code")
    assert conversion.partner == partner and conversion.promo_code == promo
    assert conversion.promo_code_raw == "anna10"
    assert response.json()["promo_code"] == "anna10"


def test_unknown_click_is_click_not_found(sk_live: Any) -> None:
    missing = "550e8400-e29b-41d4-a716-446655440000"

    assert outcome(post(sk_live, body(click_id=missing))) == (False, "click_not_found")
    conversion = stored("click_not_found")
    assert checks(conversion) == [("signals", "info"), ("click_found", "fail")]
    assert str(conversion.click_id_raw) == missing and conversion.click is None


def test_click_past_its_window_is_click_expired(
    sk_live: Any, program: Program, partner: Partner
) -> None:
    old = ClickFactory(
        program=program, partner=partner, created_at=timezone.now() - timedelta(days=31)
    )

    assert outcome(post(sk_live, body(click_id=str(old.pk)))) == (False, "click_expired")
    conversion = stored("click_expired")
    assert conversion.click == old and conversion.partner is None and conversion.program is None
    assert checks(conversion)[-1] == ("click_window", "fail")
    assert "30 days" in conversion.attribution_explanation["message"]


def test_window_is_measured_at_occurred_at_not_at_reporting_time(
    sk_live: Any, program: Program, partner: Partner
) -> None:
    old = ClickFactory(
        program=program, partner=partner, created_at=timezone.now() - timedelta(days=40)
    )
    occurred = (timezone.now() - timedelta(days=20)).isoformat()

    response = post(sk_live, body(click_id=str(old.pk), occurred_at=occurred))

    assert outcome(response) == (True, "attributed_click")


def test_bot_click_is_click_is_bot(sk_live: Any, program: Program, partner: Partner) -> None:
    bot = ClickFactory(program=program, partner=partner, is_bot=True)

    assert outcome(post(sk_live, body(click_id=str(bot.pk)))) == (False, "click_is_bot")
    stored("click_is_bot")
    assert Commission.objects.count() == 0


def test_conversion_before_its_click_is_click_after_conversion(sk_live: Any, click: Click) -> None:
    occurred = (click.created_at - timedelta(hours=1)).isoformat()

    response = post(sk_live, body(click_id=str(click.pk), occurred_at=occurred))

    assert outcome(response) == (False, "click_after_conversion")


def test_disabled_referral_code_is_referral_code_disabled(
    sk_live: Any, program: Program, partner: Partner
) -> None:
    code = ReferralCodeFactory(program=program, partner=partner, disabled_at=timezone.now())
    click = ClickFactory(
        program=program,
        partner=partner,
        referral_code=code,
        created_at=timezone.now() - timedelta(hours=1),
    )

    response = post(sk_live, body(click_id=str(click.pk)))

    assert outcome(response) == (False, "referral_code_disabled")


def test_referral_code_disabled_after_the_conversion_still_attributes(
    sk_live: Any, program: Program, partner: Partner
) -> None:
    code = ReferralCodeFactory(
        program=program, partner=partner, disabled_at=timezone.now() + timedelta(minutes=1)
    )
    click = ClickFactory(program=program, partner=partner, referral_code=code)

    assert outcome(post(sk_live, body(click_id=str(click.pk)))) == (True, "attributed_click")
    assert ("click_referral_code", "pass") in checks(Conversion.objects.get())


def test_unknown_promo_code_is_promo_code_unknown(sk_live: Any) -> None:
    assert outcome(post(sk_live, body(promo_code="NOPE"))) == (False, "promo_code_unknown")
    assert Conversion.objects.get().promo_code_raw == "NOPE"


def test_disabled_promo_code_is_promo_code_disabled(sk_live: Any, promo: PromoCode) -> None:
    promo.disabled_at = timezone.now() - timedelta(days=1)
    promo.save()

    assert outcome(post(sk_live, body(promo_code=promo.code))) == (False, "promo_code_disabled")
    assert Conversion.objects.get().promo_code == promo


def test_erased_partner_of_a_click_is_partner_erased(
    sk_live: Any, click: Click, partner: Partner
) -> None:
    partner.erased_at = timezone.now()
    partner.save()

    assert outcome(post(sk_live, body(click_id=str(click.pk)))) == (False, "partner_erased")
    assert Commission.objects.count() == 0


def test_erased_partner_of_a_promo_code_is_partner_erased(
    sk_live: Any, promo: PromoCode, partner: Partner
) -> None:
    partner.erased_at = timezone.now()
    partner.save()

    assert outcome(post(sk_live, body(promo_code=promo.code))) == (False, "partner_erased")


@pytest.mark.parametrize("status", ["draft", "paused", "archived"])
def test_unpublished_program_is_program_not_active(
    sk_live: Any, click: Click, promo: PromoCode, program: Program, status: str
) -> None:
    program.status = status
    program.save()

    assert outcome(post(sk_live, body(click_id=str(click.pk)))) == (False, "program_not_active")
    assert outcome(post(sk_live, body(promo_code=promo.code, external_transaction_id="o2"))) == (
        False,
        "program_not_active",
    )


def test_a_currency_the_program_does_not_accept_is_currency_mismatch(
    sk_live: Any, click: Click, program: Program
) -> None:
    # Other currencies are converted (tests/conversions/test_exchange.py) unless the
    # program lists the ones it accepts.
    program.accepted_currencies = ["GBP"]
    program.save()
    response = post(sk_live, body(click_id=str(click.pk), currency="USD"))

    assert outcome(response) == (False, "currency_mismatch")
    conversion = stored("currency_mismatch")
    assert conversion.currency == "USD" and conversion.amount_cents == 4900
    assert Commission.objects.count() == 0


def test_missing_currency_takes_the_programs_currency(sk_live: Any, click: Click) -> None:
    response = post(sk_live, body(click_id=str(click.pk), drop=("amount_cents", "currency")))

    assert response.status_code == 400  # CPS needs an amount; see the CPA test below.
    cpa = ProgramFactory(
        merchant=click.merchant, commission_type="cpa", cpa_amount_cents=3000, currency="GBP"
    )
    cpa_click = ClickFactory(program=cpa, partner=click.partner)

    response = post(sk_live, body(click_id=str(cpa_click.pk), drop=("amount_cents", "currency")))

    assert outcome(response) == (True, "attributed_click")
    assert response.json()["currency"] == "GBP"
    assert response.json()["commission"]["amount_cents"] == 3000


def test_click_wins_over_a_promo_code_of_another_partner(
    sk_live: Any, click: Click, program: Program, partner: Partner
) -> None:
    PromoCodeFactory(program=program, code="OTHER")

    response = post(sk_live, body(click_id=str(click.pk), promo_code="OTHER"))

    assert outcome(response) == (True, "attributed_click")
    conversion = Conversion.objects.get()
    assert conversion.partner == partner
    assert ("promo_code", "skipped") in checks(conversion)


def test_failed_click_falls_back_to_the_promo_code(
    sk_live: Any, program: Program, partner: Partner
) -> None:
    bot = ClickFactory(program=program, is_bot=True)
    PromoCodeFactory(program=program, partner=partner, code="FALLBACK")

    response = post(sk_live, body(click_id=str(bot.pk), promo_code="FALLBACK"))

    assert outcome(response) == (True, "attributed_promo_code")
    conversion = Conversion.objects.get()
    assert conversion.partner == partner and conversion.click == bot
    assert ("click_not_bot", "fail") in checks(conversion)
    assert ("promo_code_found", "pass") in checks(conversion)


def test_when_both_signals_fail_the_click_explains(sk_live: Any) -> None:
    response = post(
        sk_live, body(click_id="550e8400-e29b-41d4-a716-446655440000", promo_code="NOPE")
    )

    assert outcome(response) == (False, "click_not_found")
    assert checks(Conversion.objects.get()) == [
        ("signals", "info"),
        ("click_found", "fail"),
        ("promo_code_found", "fail"),
    ]


def test_messages_name_partners_by_id_never_by_name(
    sk_live: Any, click: Click, partner: Partner
) -> None:
    post(sk_live, body(click_id=str(click.pk)))

    conversion = Conversion.objects.get()
    text = str(conversion.attribution_explanation) + str(conversion.attribution_steps)
    assert partner.display_name not in text
    assert str(partner.pk) in text


def test_explanation_codes_are_stable() -> None:
    assert EXPLANATION_CODES == (
        "attributed_click",
        "attributed_promo_code",
        "click_not_found",
        "click_expired",
        "click_is_bot",
        "click_after_conversion",
        "referral_code_disabled",
        "promo_code_unknown",
        "promo_code_disabled",
        "partner_erased",
        "program_not_active",
        "currency_mismatch",
        "cpa_customer_limit",
        "cpa_click_limit",
        "revshare_window_over",
    )


def test_a_partner_in_another_program_is_attributed_to_the_clicks_program(
    sk_live: Any, merchant: Any
) -> None:
    other_program = ProgramFactory(merchant=merchant, percent_bps=2500)
    click = ClickFactory(program=other_program, partner=PartnerFactory())

    response = post(sk_live, body(click_id=str(click.pk)))

    assert response.json()["program"]["id"] == str(other_program.pk)
    assert response.json()["commission"]["amount_cents"] == 1225
