"""GDPR erasure seam: a partner's clicks lose what could identify anyone, and stay."""

from __future__ import annotations

import pytest

from tests.tracking.factories import ClickFactory
from tracking.models import Click
from tracking.services import clicks_anonymise_for_partner

pytestmark = pytest.mark.django_db


def test_anonymise_clears_identifying_fields_of_that_partners_clicks_only():
    mine = ClickFactory(ip_hash="a" * 64, country="DE")
    ClickFactory(referral_code=mine.referral_code)
    other = ClickFactory(ip_hash="b" * 64)

    assert clicks_anonymise_for_partner(partner=mine.partner) == 2

    for click in Click.objects.filter(partner=mine.partner):
        assert (click.ip_hash, click.user_agent, click.referrer) == ("", "", "")
        assert click.program_id == mine.program_id
    mine.refresh_from_db()
    assert mine.country == "DE"
    assert mine.landing_url == "https://shop.example.com/welcome"
    other.refresh_from_db()
    assert other.ip_hash == "b" * 64
    assert other.user_agent != ""
    assert Click.objects.count() == 3
