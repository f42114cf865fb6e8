"""The set in effect is read once a minute per process, not once per sale, and stays
exact: a set stored meanwhile takes effect only after the window the process knows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fx import selectors
from fx.adapters import parse_json
from fx.services import rate_set_record

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def record(eur: str) -> int:
    parsed = parse_json(b'{"base": "USD", "rates": {"EUR": "' + eur.encode() + b'"}}')
    return rate_set_record(parsed=parsed, fetched_at=datetime.now(UTC), source="json").pk


def test_sales_within_the_minute_read_no_rates(
    time_machine: Any, django_assert_num_queries: Any
) -> None:
    time_machine.move_to(T0, tick=False)
    first = record("0.9")
    time_machine.move_to(T0 + timedelta(minutes=2), tick=False)
    assert selectors.rate_set_at(T0 + timedelta(minutes=2)).id == first

    with django_assert_num_queries(0):
        for seconds in range(0, 50, 5):
            now = T0 + timedelta(minutes=2, seconds=seconds)
            time_machine.move_to(now, tick=False)
            assert selectors.rate_set_at(now).id == first


def test_a_set_stored_meanwhile_is_used_from_its_effective_moment(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    first = record("0.9")
    time_machine.move_to(T0 + timedelta(minutes=2), tick=False)
    assert selectors.rate_set_at(T0 + timedelta(minutes=2)).id == first
    time_machine.move_to(T0 + timedelta(minutes=2, seconds=10), tick=False)
    second = record("0.8")

    # Stored at 12:02:10, in effect from 12:03:10; the process knew 12:02:00-12:03:00.
    moments = [
        T0 + timedelta(minutes=3, seconds=9),
        T0 + timedelta(minutes=3, seconds=10),
        T0 + timedelta(minutes=4),
    ]
    found = []
    for moment in moments:
        time_machine.move_to(moment, tick=False)
        found.append(selectors.rate_set_at(moment).id)

    assert found == [first, second, second]


def test_a_past_moment_reads_its_own_set(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    first = record("0.9")
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    second = record("0.8")
    time_machine.move_to(T0 + timedelta(hours=2), tick=False)

    assert selectors.rate_set_at(T0 + timedelta(hours=2)).id == second
    assert selectors.rate_set_at(T0 + timedelta(minutes=30)).id == first
