"""A conversion's page: the attribution step by step, the signals, the commission, reversal."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from conversions.models import Commission, CommissionAdjustment, Conversion
from tests.dashboard.conftest import flashed, page
from tests.dashboard.sales import report
from tests.partners.factories import ClickFactory, PromoCodeFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db

STEP = re.compile(
    r'<li><span class="pill step-(\w+)">\w+</span> <strong>(\w+)</strong>: (.*?)</li>'
)


def url(conversion_id: str, action: str = "") -> str:
    return f"/dashboard/conversions/{conversion_id}/{action}"


def snapshot(conversion_id: str) -> tuple[object, ...]:
    conversion = Conversion.objects.get(pk=conversion_id)
    commission = Commission.objects.filter(conversion=conversion).first()
    return (
        conversion.status,
        conversion.reversed_at,
        conversion.reversal_reason,
        commission and (commission.status, commission.reversed_at),
        Event.objects.filter(type__endswith=".reversed").count(),
    )


def test_the_page_shows_each_attribution_step_in_order(alice_web, sales, partner, program):
    conversion = Conversion.objects.get(pk=sales.ids["c-pending"])
    response = alice_web.get(url(sales.ids["c-pending"]))
    assert response.status_code == 200
    body = page(response)
    assert [(s["result"], s["check"]) for s in conversion.attribution_steps] == [
        ("info", "signals"),
        ("pass", "click_found"),
        ("pass", "click_not_bot"),
        ("pass", "click_program"),
        ("pass", "click_partner"),
        ("pass", "click_window"),
        ("pass", "currency"),
        ("pass", "attributed"),
        ("info", "commission_terms"),
    ]
    # Partners and programs are named (with their ids beside), never only a UUID.
    partner_html = (
        f'partner <a href="/dashboard/partners/{partner.pk}/">{partner.display_name}</a> '
        f'<span class="muted mono">({partner.pk})</span>'
    )
    program_html = (
        f'program <a href="/dashboard/programs/{program.pk}/">Shoes</a> '
        f'<span class="muted mono">(SHOES, {program.pk})</span>'
    )

    def named(message: str) -> str:
        return (
            escape(message)
            .replace(f"partner {partner.pk}", partner_html)
            .replace(f"Partner {partner.pk}", partner_html.replace("partner", "Partner", 1))
            .replace("program SHOES", program_html)
            .replace("Program SHOES", program_html.replace("program", "Program", 1))
        )

    assert STEP.findall(body) == [
        (step["result"], step["check"], named(step["message"]))
        for step in conversion.attribution_steps
    ]
    assert partner_html in STEP.findall(body)[1][2]
    explanation = conversion.attribution_explanation
    assert explanation["code"] == "attributed_click"
    assert (
        "Attributed through the partner&#x27;s tracking link. "
        '<span class="muted mono">attributed_click</span>'
    ) in body
    assert f'<p data-testid="explanation-message">{named(explanation["message"])}</p>' in body
    assert f"partner {partner.pk}" not in body.replace(partner_html, "")
    assert f'<dt>click_id</dt><dd class="mono">{conversion.click_id_raw}</dd>' in body
    assert f'<a href="/dashboard/programs/{program.pk}/">Shoes</a>' in body
    assert f'<a href="/dashboard/partners/{partner.pk}/">{partner.display_name}</a>' in body
    assert "<dt>Amount</dt><dd>20.00 EUR</dd>" in body
    assert '3.00 EUR <span class="muted">(15% of the amount)</span>' in body
    assert "<dt>Held until</dt><dd>2026-06-19 10:00 UTC</dd>" in body
    assert "The partner's pending commission of 3.00 EUR is cancelled." in escape_free(body)
    assert f'action="{url(sales.ids["c-pending"], "reverse/")}"' in body


def escape_free(body: str) -> str:
    return body.replace("&#x27;", "'")


def test_an_unattributed_conversion_says_why(alice_web, sales):
    body = page(alice_web.get(url(sales.ids["c-none"])))
    # Neutral, not a red or green verdict: nobody earned, nothing went wrong.
    assert '<span class="pill unattributed">not attributed</span>' in body
    assert '<span class="pill unattributed" title="No partner earns from this conversion">' in body
    assert '<span class="pill approved">' not in body
    assert (
        "The click id matches no click of this merchant in this mode. "
        '<span class="muted mono">click_not_found</span>'
    ) in body
    assert [(result, check) for result, check, _ in STEP.findall(body)] == [
        ("info", "signals"),
        ("fail", "click_found"),
    ]
    assert "No commission: the conversion was not attributed to a partner." in body


def test_the_signals_are_shown_as_sent(alice_web, keys, approved, program, partner):
    PromoCodeFactory(program=program, partner=partner, code="ANNA10")
    click = ClickFactory(program=program, partner=partner)
    conversion_id = report(
        keys.sk_live,
        txid="both-signals",
        click=click,
        promo_code="anna10",
        customer_id="cus_<42>",
        metadata={"cart": "A-1", "items": 2},
    )
    body = page(alice_web.get(url(conversion_id)))
    assert '<dt>promo_code</dt><dd class="mono">anna10</dd>' in body
    assert '<dt>customer_id</dt><dd class="mono">cus_&lt;42&gt;</dd>' in body
    assert "<pre>{\n  &quot;cart&quot;: &quot;A-1&quot;,\n  &quot;items&quot;: 2\n}</pre>" in body
    assert ("skipped", "promo_code") in [(r, c) for r, c, _ in STEP.findall(body)]


def test_another_merchants_or_the_other_modes_conversion_is_not_found(
    alice_web, charlie_web, sales
):
    for txid in ("c-elsewhere", "t-1"):
        before = snapshot(sales.ids[txid])
        assert alice_web.get(url(sales.ids[txid])).status_code == 404
        reverse = alice_web.post(
            url(sales.ids[txid], "reverse/"), {"reason": "fraud", "confirm": "on"}
        )
        assert reverse.status_code == 404
        assert snapshot(sales.ids[txid]) == before
    assert charlie_web.get(url(sales.ids["c-pending"])).status_code == 404
    assert alice_web.get(url("00000000-0000-7000-8000-000000000000")).status_code == 404


def test_reversing_needs_the_confirmation_box(alice_web, sales):
    before = snapshot(sales.ids["c-pending"])
    response = alice_web.post(url(sales.ids["c-pending"], "reverse/"), {"reason": "refund"})
    assert response.status_code == 200
    assert response.context["reverse_form"].errors == {
        "confirm": ["Tick the box to confirm the reversal."]
    }
    assert snapshot(sales.ids["c-pending"]) == before
    assert alice_web.get(url(sales.ids["c-pending"], "reverse/")).status_code == 405


def test_reversing_cancels_the_commission_and_a_second_reversal_changes_nothing(alice_web, sales):
    conversion_id = sales.ids["c-pending"]
    events = Event.objects.count()
    earlier = list(Event.objects.values_list("pk", flat=True))
    response = alice_web.post(
        url(conversion_id, "reverse/"), {"reason": "chargeback", "confirm": "on"}, follow=True
    )
    assert response.redirect_chain == [(url(conversion_id), 302)]
    assert flashed(response) == [
        "The conversion was reversed, and its commission of 3.00 EUR with it."
    ]
    conversion = Conversion.objects.get(pk=conversion_id)
    commission = Commission.objects.get(conversion=conversion)
    assert (conversion.status, conversion.reversal_reason) == ("reversed", "chargeback")
    assert (commission.status, commission.reversed_at) == ("reversed", conversion.reversed_at)
    assert Event.objects.count() == events + 2
    # The clock is frozen: the reversal's events tie with the approvals' on created_at.
    assert sorted(Event.objects.exclude(pk__in=earlier).values_list("type", flat=True)) == [
        "commission.reversed",
        "conversion.reversed",
    ]
    body = page(response)
    assert 'id="reverse-heading"' not in body
    assert "<dt>Reversed</dt><dd>2026-05-31 12:00:00 UTC · Chargeback</dd>" in body

    before = snapshot(conversion_id)
    again = alice_web.post(
        url(conversion_id, "reverse/"), {"reason": "fraud", "confirm": "on"}, follow=True
    )
    assert flashed(again) == ["This conversion was already reversed: nothing changed."]
    assert snapshot(conversion_id) == before
    assert Event.objects.count() == events + 2


def test_reversing_after_payment_deducts_the_commission_from_the_next_payout(alice_web, sales):
    conversion_id = sales.ids["c-paid"]
    response = alice_web.post(
        url(conversion_id, "reverse/"), {"reason": "refund", "confirm": "on"}, follow=True
    )
    assert flashed(response) == [
        "The conversion was reversed. Its commission of 30.00 EUR was already paid: "
        "it will be deducted from the partner's next payout."
    ]
    adjustment = CommissionAdjustment.objects.get()
    assert (adjustment.amount_cents, adjustment.currency, adjustment.reason) == (
        -3000,
        "EUR",
        "refund",
    )
    assert Commission.objects.get(conversion_id=conversion_id).status == "paid"
    body = page(response)
    assert "<dt>Deduction</dt><dd>-30.00 EUR from the partner" in escape_free(body)


def test_the_page_needs_a_signed_in_merchant(client, sales):
    target = url(sales.ids["c-pending"])
    assert client.get(target)["Location"] == f"/login/?next={target}"
    response = client.post(url(sales.ids["c-pending"], "reverse/"), {"reason": "refund"})
    assert response.status_code == 302
    assert Conversion.objects.get(pk=sales.ids["c-pending"]).status == "pending"
