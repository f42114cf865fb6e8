"""Property tests of the time arithmetic: over random windows and moments, the edge is
exactly where the rule says, not a day or a second either side.

- cookie window: a click recorded at C in a program of N days is attributable at
  C + N days and not one second later;
- hold period: a commission of a sale at S in a program holding H days is approved by
  a sweep at S + H days and not one second before;
- RevShare: a renewal is paid at `add_months(first, M)` and not one second later, and
  `add_months` moves by whole calendar months, clamped to the month's last day.
"""

from __future__ import annotations

import calendar
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Partner
from conversions import attribution, services
from conversions.models import Commission
from conversions.money import add_months
from partners.models import Program
from tests.conversions.conftest import body, post
from tests.conversions.factories import (
    ClickFactory,
    ReferralCodeFactory,
)
from tracking import services as tracking_services
from tracking.models import ClickSource
from tracking.visitors import Visitor

pytestmark = pytest.mark.django_db

# Examples share one test's database: each writes rows under fresh ids.
_serial = itertools.count()
_fixtures = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_moments = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2015, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))
# Offsets from an edge: mostly a second or two either side, sometimes far.
_offsets = st.one_of(st.integers(-2, 2), st.integers(-3 * 86400, 3 * 86400))
VISITOR = Visitor(ip_hash="", user_agent="", country="", is_bot=False)


@_fixtures
@given(days=st.integers(1, 365), clicked=_moments, offset=_offsets)
def test_a_click_is_attributable_exactly_until_created_plus_cookie_days(
    program: Program, partner: Partner, merchant: Any, days: int, clicked: datetime, offset: int
) -> None:
    program.cookie_days = days
    program.save(update_fields=["cookie_days"])
    code = ReferralCodeFactory(program=program, partner=partner, code=f"r{next(_serial)}")
    click = tracking_services.click_record(
        referral_code=code, visitor=VISITOR, source=ClickSource.API, now=clicked
    )
    assert click.expires_at - click.created_at == timedelta(days=days)
    occurred = click.expires_at + timedelta(seconds=max(offset, -days * 86400))

    resolution = attribution.resolve(
        merchant=merchant,
        mode="live",
        click_id=click.pk,
        promo_code=None,
        customer_ref="",
        occurred_at=occurred,
    )

    if occurred <= clicked + timedelta(days=days):
        assert resolution.candidate is not None and resolution.failures == []
    else:
        assert resolution.candidate is None
        assert [f.code for f in resolution.failures] == ["click_expired"]


@_fixtures
@given(hold=st.integers(0, 365), occurred_days_ago=st.integers(0, 400), offset=_offsets)
def test_a_commission_is_approved_exactly_from_occurred_plus_hold_days(
    sk_live: Any, program: Program, partner: Partner, hold: int, occurred_days_ago: int, offset: int
) -> None:
    program.hold_days = hold
    program.save(update_fields=["hold_days"])
    occurred = (timezone.now() - timedelta(days=occurred_days_ago)).replace(microsecond=0)
    click = ClickFactory(program=program, partner=partner, created_at=occurred)
    response = post(
        sk_live,
        body(
            click_id=str(click.pk),
            external_transaction_id=f"hold-{next(_serial)}",
            occurred_at=occurred.isoformat(),
        ),
    )
    assert response.status_code == 201, response.content
    commission = Commission.objects.get(conversion_id=response.json()["id"])
    assert commission.approve_after == occurred + timedelta(days=hold)

    services.commissions_approve_due(now=commission.approve_after + timedelta(seconds=offset))

    commission.refresh_from_db()
    assert commission.status == ("approved" if offset >= 0 else "pending")


@_fixtures
@given(months=st.integers(1, 120), first=_moments, offset=st.integers(-2, 2))
def test_a_renewal_is_paid_exactly_until_recurring_months_after_the_first(
    sk_live: Any, revshare: Program, months: int, first: datetime, offset: int
) -> None:
    revshare.recurring_months = months
    revshare.save(update_fields=["recurring_months"])
    customer, serial = f"c{next(_serial)}", next(_serial)
    renewal_at = add_months(first, months) + timedelta(seconds=offset)

    answers = [
        post(
            sk_live,
            body(
                promo_code="SUBS",
                customer_id=customer,
                external_transaction_id=f"{name}-{serial}",
                occurred_at=moment.isoformat(),
            ),
        )
        for name, moment in (("first", first), ("renewal", renewal_at))
    ]

    codes = [a.json()["attribution"]["explanation"]["code"] for a in answers]
    assert codes[0] == "attributed_promo_code"
    assert codes[1] == ("attributed_promo_code" if offset <= 0 else "revshare_window_over")


@settings(max_examples=2000)
@given(moment=_moments, months=st.integers(0, 240), later=st.integers(0, 400 * 86400))
def test_add_months_moves_by_calendar_months_clamped_and_in_order(
    moment: datetime, months: int, later: int
) -> None:
    result = add_months(moment, months)
    index = lambda m: m.year * 12 + m.month  # noqa: E731
    assert index(result) - index(moment) == months
    assert result.day == min(moment.day, calendar.monthrange(result.year, result.month)[1])
    assert (result.time(), result.tzinfo) == (moment.time(), moment.tzinfo)
    assert timedelta(days=28 * months) <= result - moment <= timedelta(days=31 * months)
    # A later first payment never ends its window on an earlier day. (The time of day is
    # kept while the day is clamped, so 29 April 00:00 ends before 28 April 05:00 does.)
    assert add_months(moment + timedelta(seconds=later), months).date() >= result.date()
