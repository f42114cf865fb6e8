"""A program's cookie window at its exact edge, on every path that records a click.

A click recorded at T in a program with `cookie_days` = N expires at T + N days, and a
conversion is attributed through it while `occurred_at <= expires_at`: one second
before and exactly at the end are inside, one second after is `click_expired`. Each
path computes the expiry itself (the direct write in Python, the one-statement paths
in SQL, the buffer before its batch is written), so each is checked from the click it
recorded to the Conversion API's answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from conversions.models import Commission, Conversion
from partners.models import ReferralCode
from tests.conftest import Keys, api_client
from tests.tracking.conftest import BROWSER_UA, post_click
from tracking import buffer, services
from tracking.models import Click, ClickSource
from tracking.visitors import Visitor

pytestmark = pytest.mark.django_db

CLICKED = datetime(2027, 3, 10, 12, 0, 0, tzinfo=UTC)
# The tracking tests' program keeps a click for 45 days.
WINDOW = timedelta(days=45)
EDGES = [
    (timedelta(seconds=-1), True, "attributed_click"),
    (timedelta(0), True, "attributed_click"),
    (timedelta(seconds=1), False, "click_expired"),
]


def _direct(code: ReferralCode, keys: Keys) -> str:
    visitor = Visitor(ip_hash="", user_agent=BROWSER_UA, country="", is_bot=False)
    click = services.click_record(referral_code=code, visitor=visitor, source=ClickSource.API)
    return str(click.pk)


def _api(code: ReferralCode, keys: Keys) -> str:
    response = post_click(
        api_client(keys.pk_test, HTTP_USER_AGENT=BROWSER_UA), {"referral_code": "JaneDoe"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["expires_at"] == "2027-04-24T12:00:00.000000Z"
    return str(response.json()["click_id"])


def _link(code: ReferralCode, keys: Keys) -> str:
    response = Client(HTTP_USER_AGENT=BROWSER_UA).get("/r/janedoe")
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)["selgeo_click_id"][0]


def _convert(keys: Keys, click_id: str) -> tuple[bool, str]:
    response = api_client(keys.sk_test).post(
        "/api/v1/conversions",
        {
            "click_id": click_id,
            "external_transaction_id": "order_edge",
            "amount_cents": 10000,
            "currency": "EUR",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    return data["attributed"], data["attribution"]["explanation"]["code"]


def _assert_outcome(click_id: str, attributed: bool, code: str, answer: tuple[bool, str]) -> None:
    assert answer == (attributed, code)
    conversion = Conversion.objects.get()
    assert conversion.attribution_explanation["code"] == code
    assert conversion.attributed is attributed
    assert str(conversion.click_id) == click_id
    assert Commission.objects.count() == (1 if attributed else 0)


def _check_edge(
    time_machine: Any, record: Any, code: ReferralCode, keys: Keys, offset: timedelta
) -> tuple[str, tuple[bool, str]]:
    time_machine.move_to(CLICKED, tick=False)
    click_id = record(code, keys)
    click = Click.objects.get(pk=click_id)
    assert (click.created_at, click.expires_at) == (CLICKED, CLICKED + WINDOW)
    time_machine.move_to(CLICKED + WINDOW + offset, tick=False)
    return click_id, _convert(keys, click_id)


@pytest.mark.parametrize(("offset", "attributed", "code_"), EDGES)
def test_a_directly_written_click_attributes_until_its_window_ends(
    time_machine, code, keys, offset, attributed, code_
):
    click_id, answer = _check_edge(time_machine, _direct, code, keys, offset)
    _assert_outcome(click_id, attributed, code_, answer)


@pytest.mark.parametrize(("offset", "attributed", "code_"), EDGES)
def test_a_click_posted_to_the_api_attributes_until_its_window_ends(
    time_machine, code, keys, offset, attributed, code_
):
    # On PostgreSQL this is the one-statement SQL path; embedded, the direct write.
    click_id, answer = _check_edge(time_machine, _api, code, keys, offset)
    _assert_outcome(click_id, attributed, code_, answer)


@pytest.mark.parametrize(("offset", "attributed", "code_"), EDGES)
def test_a_tracking_link_click_attributes_until_its_window_ends(
    time_machine, code, keys, offset, attributed, code_
):
    click_id, answer = _check_edge(time_machine, _link, code, keys, offset)
    _assert_outcome(click_id, attributed, code_, answer)


@pytest.fixture
def buffered(settings, monkeypatch):
    settings.SELGEO_RATELIMITS_ENABLED = False
    settings.SELGEO_CLICKS_BUFFER_MS = 50
    clicks = buffer.ClickBuffer(threaded=False)
    monkeypatch.setattr(buffer, "BUFFER", clicks)
    monkeypatch.setattr(services.RECENT, "answers", {})
    return clicks


@pytest.mark.postgresql
@pytest.mark.parametrize("record", [_api, _link], ids=["api", "link"])
@pytest.mark.parametrize(("offset", "attributed", "code_"), EDGES)
def test_a_buffered_click_attributes_until_its_window_ends(
    buffered, time_machine, code, keys, record, offset, attributed, code_
):
    def record_buffered(code: ReferralCode, keys: Keys) -> str:
        click_id = record(code, keys)
        assert not Click.objects.filter(pk=click_id).exists()
        assert buffered.flush() == 1
        return click_id

    click_id, answer = _check_edge(time_machine, record_buffered, code, keys, offset)
    _assert_outcome(click_id, attributed, code_, answer)


@pytest.mark.parametrize(("offset", "expired"), [(-1, False), (0, False), (1, True)])
def test_the_click_audit_says_expired_only_when_a_conversion_would_be(
    time_machine, code, keys, offset, expired
):
    # The audit's `expired` answers "would a conversion now be click_expired?": at the
    # window's last instant a conversion is still attributed, so the click is not expired.
    time_machine.move_to(CLICKED, tick=False)
    click_id = _direct(code, keys)
    time_machine.move_to(CLICKED + WINDOW + timedelta(seconds=offset), tick=False)

    response = api_client(keys.sk_test).get(f"/api/v1/attribution/clicks/{click_id}")

    assert response.status_code == 200, response.content
    assert response.json()["expired"] is expired
    assert timezone.now() - Click.objects.get(pk=click_id).expires_at == timedelta(seconds=offset)
