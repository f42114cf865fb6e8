"""A W-8's period of validity at its exact edges: it is in effect until the last day of
the third calendar year after the year of signing (UTC), inclusive; a W-9 never expires."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Partner
from payouts.selectors import tax_status
from payouts.services import tax_profile_save
from tests.payouts.conftest import w8ben

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.mark.parametrize(
    ("signed", "last_ready", "expiry"),
    [
        # The last second of a year and the first of the next are a year apart in effect.
        (dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), dt.date(2029, 12, 31), "2029-12-31"),
        (dt.datetime(2027, 1, 1, 0, 0, 0, tzinfo=UTC), dt.date(2030, 12, 31), "2030-12-31"),
    ],
)
def test_a_w8_is_in_effect_through_the_last_second_of_its_third_year_after_signing(
    partner: Partner, time_machine, signed, last_ready, expiry
) -> None:
    time_machine.move_to(signed, tick=False)
    tax_profile_save(partner=partner, **w8ben())
    end = dt.datetime.combine(last_ready, dt.time(23, 59, 59), tzinfo=UTC)

    time_machine.move_to(end, tick=False)
    assert tax_status(partner) == (True, "")

    time_machine.move_to(end + dt.timedelta(seconds=1), tick=False)
    assert tax_status(partner) == (False, f"W-8BEN expired on {expiry}")
