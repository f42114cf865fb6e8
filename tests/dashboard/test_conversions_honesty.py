"""The conversions pages tell the truth plainly: an unattributed conversion is neutral
("unattributed"), never a green "approved"; codes come with their sentence; partners
and programs are named, with their ids beside, never a bare UUID."""

from __future__ import annotations

import pytest

from accounts.models import Partner
from conversions.explanations import CODE_SENTENCES, EXPLANATION_CODES
from conversions.models import Conversion
from tests.dashboard.conftest import page
from tests.dashboard.sales import report
from tests.factories import PartnerFactory
from tests.partners.factories import ApplicationFactory, ClickFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cpa(merchant):
    return ProgramFactory(
        merchant=merchant,
        mode="live",
        code="TRIAL",
        name="Free Trial Signups",
        commission_type="cpa",
        cpa_amount_cents=500,
        percent_bps=None,
    )


@pytest.fixture
def maya(cpa) -> Partner:
    partner = PartnerFactory(display_name="Maya Reviews")
    ApplicationFactory(program=cpa, partner=partner, status="approved")
    return partner


@pytest.fixture
def second_on_one_click(keys, cpa, maya) -> Conversion:
    """Two sales on one click of a CPA program: the second earns nothing (cpa_click_limit)."""
    click = ClickFactory(program=cpa, partner=maya)
    report(keys.sk_live, txid="first", click=click, customer_id="cus_1")
    second = report(keys.sk_live, txid="second", click=click, customer_id="cus_2")
    conversion = Conversion.objects.get(pk=second)
    assert (conversion.attributed, conversion.status) == (False, "approved")
    assert conversion.attribution_explanation["code"] == "cpa_click_limit"
    return conversion


def _row(body: str, txid: str) -> str:
    start = body.index(f">{txid}</a>")
    return body[start : body.index("</tr>", start)]


def test_the_list_shows_an_unattributed_conversion_as_neutral_with_its_sentence(
    alice_web, second_on_one_click
):
    body = page(alice_web.get("/dashboard/conversions/"))
    row = _row(body, "second")
    assert '<span class="pill unattributed" title="No partner earns from this conversion">' in row
    assert "unattributed</span>" in row
    assert "pill approved" not in row
    assert (
        "CPA pays once per click, and this click had already converted. "
        '<span class="muted mono">cpa_click_limit</span>'
    ) in row
    # The attributed one keeps its real status.
    first = _row(body, "first")
    assert '<span class="pill pending">pending</span>' in first
    assert '<span class="pill approved">attributed</span>' in first


def test_the_detail_page_names_the_program_and_partner(alice_web, second_on_one_click, cpa, maya):
    conversion = second_on_one_click
    body = page(alice_web.get(f"/dashboard/conversions/{conversion.pk}/"))
    assert '<span class="pill unattributed" title="No partner earns from this conversion">' in body
    message = body[body.index('data-testid="explanation-message"') :]
    message = message[: message.index("</p>")]
    assert (
        f'CPA program <a href="/dashboard/programs/{cpa.pk}/">Free Trial Signups</a> '
        f'<span class="muted mono">(TRIAL, {cpa.pk})</span>; CPA pays once per click.'
    ) in message
    # The click's step names the partner by name, with the id available beside it.
    assert (
        f'partner <a href="/dashboard/partners/{maya.pk}/">Maya Reviews</a> '
        f'<span class="muted mono">({maya.pk})</span>'
    ) in body
    # No UUID of the partner appears on its own.
    assert body.count(str(maya.pk)) == body.count(f"({maya.pk})") + body.count(
        f"/dashboard/partners/{maya.pk}/"
    )


def test_an_erased_partner_is_named_as_such(alice_web, keys, cpa, maya):
    click = ClickFactory(program=cpa, partner=maya)
    Partner.objects.filter(pk=maya.pk).update(display_name="", erased_at="2026-01-01T00:00:00Z")
    conversion_id = report(keys.sk_live, txid="after-erasure", click=click)
    conversion = Conversion.objects.get(pk=conversion_id)
    assert conversion.attribution_explanation["code"] == "partner_erased"
    body = page(alice_web.get(f"/dashboard/conversions/{conversion_id}/"))
    assert f'Partner <em>[name erased]</em> <span class="muted mono">({maya.pk})</span>' in body
    assert "The partner erased their data and can no longer earn." in body


def test_a_name_with_markup_is_escaped(alice_web, keys, cpa):
    partner = PartnerFactory(display_name="<b>Bold</b> & Co")
    ApplicationFactory(program=cpa, partner=partner, status="approved")
    conversion_id = report(
        keys.sk_live, txid="esc", click=ClickFactory(program=cpa, partner=partner)
    )
    body = page(alice_web.get(f"/dashboard/conversions/{conversion_id}/"))
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co</a>" in body
    assert "<b>Bold</b>" not in body


def test_every_explanation_code_has_a_sentence():
    assert set(CODE_SENTENCES) == set(EXPLANATION_CODES)
    assert all(sentence.endswith(".") for sentence in CODE_SENTENCES.values())
