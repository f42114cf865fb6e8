"""The conversions app's time rules at their exact edges, with a frozen clock.

- The hold period: a commission's `approve_after` is `occurred_at + hold_days`; the
  approval sweep approves it at that instant and after, never a second before.
- RevShare `recurring_months`: a renewal is paid while `occurred_at` is at most
  `recurring_months` calendar months after the customer's first attributed conversion;
  one second later it is `revshare_window_over`.
- Test sessions: open for one hour; at `created_at + 1 h` the session is expired and
  no longer records what arrives.
- The test session's click carries the program's cookie window like any other click.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts.models import Partner
from conversions import services
from conversions.models import Commission, Conversion
from conversions.models import TestSession as SessionRow
from conversions.tasks import approve_due_commissions
from partners.models import Program
from tests.conversions.conftest import body, post
from tests.conversions.factories import ApplicationFactory, ClickFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db

T = datetime(2027, 3, 10, 12, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def _send(client: Any, txid: str, **fields: Any) -> dict[str, Any]:
    response = post(client, body(external_transaction_id=txid, **fields))
    assert response.status_code == 201, response.content
    data: dict[str, Any] = response.json()
    return data


def _explanation(data: dict[str, Any]) -> str:
    return str(data["attribution"]["explanation"]["code"])


# The hold period.


@pytest.fixture
def held(sk_live: Any, program: Program, partner: Partner, time_machine: Any) -> Commission:
    """A commission of a conversion that occurred at T in a program holding 30 days."""
    time_machine.move_to(T, tick=False)
    click = ClickFactory(program=program, partner=partner, created_at=T - timedelta(hours=1))
    data = _send(sk_live, "held", click_id=str(click.pk))
    commission = Commission.objects.get(conversion_id=data["id"])
    assert program.hold_days == 30
    assert commission.approve_after == T + timedelta(days=30)
    assert data["commission"]["approve_after"] == "2027-04-09T12:00:00.000000Z"
    return commission


def _approved_events() -> list[str]:
    return [e.payload["data"]["id"] for e in Event.objects.filter(type="commission.approved")]


def test_the_sweep_a_second_before_the_hold_ends_approves_nothing(held: Commission) -> None:
    assert services.commissions_approve_due(now=held.approve_after - SECOND) == 0

    held.refresh_from_db()
    assert (held.status, held.approved_at) == ("pending", None)
    assert Conversion.objects.get(pk=held.conversion_id).status == "pending"
    assert _approved_events() == []


@pytest.mark.parametrize("after", [timedelta(0), SECOND])
def test_the_sweep_at_or_after_the_hold_end_approves(held: Commission, after: timedelta) -> None:
    now = held.approve_after + after

    assert services.commissions_approve_due(now=now) == 1

    held.refresh_from_db()
    assert (held.status, held.approved_at) == ("approved", now)
    assert Conversion.objects.get(pk=held.conversion_id).status == "approved"
    assert _approved_events() == [str(held.pk)]


def test_the_beat_task_approves_on_the_clock_at_the_hold_end_and_not_before(
    held: Commission, time_machine: Any
) -> None:
    time_machine.move_to(held.approve_after - SECOND, tick=False)
    assert approve_due_commissions.apply().get() == 0
    assert Commission.objects.get(pk=held.pk).status == "pending"

    time_machine.move_to(held.approve_after, tick=False)
    assert approve_due_commissions.apply().get() == 1
    held.refresh_from_db()
    assert (held.status, held.approved_at) == ("approved", held.approve_after)


def test_the_hold_counts_from_when_the_sale_occurred_not_when_it_was_reported(
    sk_live: Any, program: Program, partner: Partner, time_machine: Any
) -> None:
    # Reported at T, the sale happened ten days earlier: the hold ends 20 days after T.
    occurred = T - timedelta(days=10)
    time_machine.move_to(T, tick=False)
    click = ClickFactory(program=program, partner=partner, created_at=occurred)
    data = _send(sk_live, "late", click_id=str(click.pk), occurred_at=occurred.isoformat())
    commission = Commission.objects.get(conversion_id=data["id"])

    assert commission.approve_after == T + timedelta(days=20)
    assert services.commissions_approve_due(now=T + timedelta(days=20) - SECOND) == 0
    assert services.commissions_approve_due(now=T + timedelta(days=20)) == 1


def test_a_program_without_hold_is_approvable_at_the_instant_of_the_sale(
    sk_live: Any, program: Program, partner: Partner, time_machine: Any
) -> None:
    program.hold_days = 0
    program.save()
    time_machine.move_to(T, tick=False)
    click = ClickFactory(program=program, partner=partner, created_at=T - timedelta(hours=1))
    data = _send(sk_live, "nohold", click_id=str(click.pk))

    assert data["commission"]["status"] == "pending"
    assert services.commissions_approve_due(now=T - SECOND) == 0
    assert services.commissions_approve_due(now=T) == 1


# RevShare recurring_months.


# First payment on 30 November: three calendar months later is 28 February (clamped).
FIRST = datetime(2026, 11, 30, 9, 30, 0, tzinfo=UTC)
WINDOW_END = datetime(2027, 2, 28, 9, 30, 0, tzinfo=UTC)
RENEWAL_EDGES = [
    (-SECOND, True, "attributed_promo_code"),
    (timedelta(0), True, "attributed_promo_code"),
    (SECOND, False, "revshare_window_over"),
]


@pytest.mark.parametrize(("offset", "attributed", "code"), RENEWAL_EDGES)
def test_a_renewal_by_promo_code_is_paid_until_recurring_months_end(
    sk_live: Any,
    revshare: Program,
    time_machine: Any,
    offset: timedelta,
    attributed: bool,
    code: str,
) -> None:
    time_machine.move_to(FIRST, tick=False)
    assert _explanation(_send(sk_live, "first", promo_code="SUBS", customer_id="c")) == (
        "attributed_promo_code"
    )
    time_machine.move_to(WINDOW_END + offset, tick=False)

    renewal = _send(sk_live, "renewal", promo_code="SUBS", customer_id="c")

    assert (renewal["attributed"], _explanation(renewal)) == (attributed, code)
    assert (renewal["commission"] is not None) is attributed
    row = Conversion.objects.get(external_transaction_id="renewal")
    assert row.occurred_at == WINDOW_END + offset
    window = next(s for s in row.attribution_steps if s["check"] == "revshare_window")
    assert window["result"] == ("pass" if attributed else "fail")
    assert "2027-02-28T09:30:00" in window["message"]
    assert Commission.objects.count() == (2 if attributed else 1)


@pytest.mark.parametrize(("offset", "attributed", "code"), RENEWAL_EDGES)
def test_a_renewal_through_the_winning_click_is_paid_until_recurring_months_end(
    sk_live: Any,
    revshare: Program,
    partner: Partner,
    time_machine: Any,
    offset: timedelta,
    attributed: bool,
    code: str,
) -> None:
    # The click's 30-day cookie window is long over at the renewal: the click still
    # carries this customer's payments, and recurring_months decide.
    time_machine.move_to(FIRST, tick=False)
    click = ClickFactory(program=revshare, partner=partner, created_at=FIRST - timedelta(hours=1))
    _send(sk_live, "first", click_id=str(click.pk), customer_id="c")
    time_machine.move_to(WINDOW_END + offset, tick=False)

    renewal = _send(sk_live, "renewal", click_id=str(click.pk), customer_id="c")

    expected = "attributed_click" if attributed else code
    assert (renewal["attributed"], _explanation(renewal)) == (attributed, expected)
    assert Commission.objects.count() == (2 if attributed else 1)


# Test sessions.


@pytest.fixture
def session(sk_test: Any, test_program: Program, partner: Partner, time_machine: Any) -> Any:
    ApplicationFactory(program=test_program, partner=partner)
    time_machine.move_to(T, tick=False)
    response = sk_test.post("/api/v1/test-sessions", {"program": "SANDBOX"}, format="json")
    assert response.status_code == 201, response.content
    row = SessionRow.objects.get()
    assert (row.created_at, row.expires_at) == (T, T + timedelta(hours=1))
    # Its click expires as any click of the program would.
    assert (row.click.created_at, row.click.expires_at) == (
        T,
        T + timedelta(days=test_program.cookie_days),
    )
    return response.json()


def _status(client: Any, token: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/test-sessions/{token}")
    assert response.status_code == 200, response.content
    data: dict[str, Any] = response.json()
    return data


def test_a_session_records_a_conversion_a_second_before_it_expires(
    sk_test: Any, session: Any, time_machine: Any
) -> None:
    time_machine.move_to(T + timedelta(hours=1) - SECOND, tick=False)
    assert _status(sk_test, session["token"])["status"] == "waiting"

    conversion = _send(sk_test, "in-time", click_id=session["test_click_id"])

    data = _status(sk_test, session["token"])
    assert (data["status"], data["attempts"], data["conversion_id"]) == (
        "received",
        1,
        conversion["id"],
    )


@pytest.mark.parametrize("after", [timedelta(0), SECOND])
def test_a_session_is_expired_from_its_hour_on_and_records_nothing(
    sk_test: Any, session: Any, time_machine: Any, after: timedelta
) -> None:
    time_machine.move_to(T + timedelta(hours=1) + after, tick=False)
    assert _status(sk_test, session["token"])["status"] == "expired"

    _send(sk_test, "too-late", click_id=session["test_click_id"])
    bad = post(sk_test, body(click_id=session["test_click_id"], amount_cents=1.5))
    assert bad.status_code == 400

    data = _status(sk_test, session["token"])
    assert (data["status"], data["attempts"], data["conversion_id"]) == ("expired", 0, None)
    assert SessionRow.objects.get().received_at is None


def test_a_refused_conversion_is_recorded_a_second_before_the_session_expires(
    sk_test: Any, session: Any, time_machine: Any
) -> None:
    time_machine.move_to(T + timedelta(hours=1) - SECOND, tick=False)

    assert post(sk_test, body(click_id=session["test_click_id"], amount_cents=1.5)).status_code == (
        400
    )

    data = _status(sk_test, session["token"])
    assert (data["status"], data["attempts"], data["conversion_id"]) == ("received", 1, None)


@pytest.mark.parametrize(
    ("offset", "code"),
    [(-SECOND, "attributed_click"), (timedelta(0), "attributed_click"), (SECOND, "click_expired")],
)
def test_the_session_click_carries_the_programs_cookie_window(
    sk_test: Any,
    session: Any,
    test_program: Program,
    time_machine: Any,
    offset: timedelta,
    code: str,
) -> None:
    time_machine.move_to(T + timedelta(days=test_program.cookie_days) + offset, tick=False)

    assert _explanation(_send(sk_test, "late", click_id=session["test_click_id"])) == code
