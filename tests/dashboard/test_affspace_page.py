""" "Moving from AffSpace": the dialect's base URL and copy-paste requests, with the
`/pb` URL template carrying the partner's click id macro, for the page's mode."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings

from accounts import services as account_services
from tests.dashboard.conftest import switch_mode
from tests.partners.factories import ProgramFactory

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/developers/affspace/"


def _pre(page: str, element_id: str) -> str:
    found = re.search(rf'<pre id="{element_id}"[^>]*>(.*?)</pre>', page, re.S)
    assert found is not None, element_id
    return html.unescape(found.group(1))


def test_the_page_gives_the_base_url_and_the_pb_template_with_the_click_id_macro(
    alice_web, merchant
):
    ProgramFactory(merchant=merchant, mode="live", code="SHOES", currency="EUR")
    key = account_services.api_key_create(merchant=merchant, kind="secret", mode="live")

    response = alice_web.get(PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    base = settings.SELGEO_PUBLIC_URL
    assert f"{base}/compat/affspace" in page
    assert _pre(page, "pb-template") == (
        f"{base}/pb?offer_code=SHOES&click_id={{selgeo_click_id}}&txid={{order_id}}"
        "&customer_id={customer_id}&amount={amount}&currency=EUR"
    )
    report = _pre(page, "affspace-report")
    assert f'curl -X POST "{base}/compat/affspace/api/v1/conversions"' in report
    assert '"offer_code": "SHOES"' in report and '"amount": "149.99"' in report
    assert key.api_key.redacted in page and key.raw not in page
    assert 'aria-current="page">Moving from AffSpace' in page


def test_the_examples_follow_the_mode_and_never_show_the_other_modes_programs(alice_web, merchant):
    ProgramFactory(merchant=merchant, mode="live", code="LIVEONLY")
    switch_mode(alice_web, "test")

    page = alice_web.get(PAGE).content.decode()

    assert "LIVEONLY" not in page
    assert "offer_code=MYOFFER123" in _pre(page, "pb-template")
    assert "sk_test_" in page


def test_the_page_needs_a_merchant_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]
