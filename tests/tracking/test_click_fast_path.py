"""The one-statement click path agrees with the general one.

`click_input_fast` may only accept bodies ClickIn accepts, with the same values; the
fast path's answer and row must be what the general path would have given; and every
refusal still comes from the general path, after authentication.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from accounts.models import ApiKey
from accounts.services import api_key_revoke
from selgeo.db import supports_prepared
from tests.conftest import api_client, assert_error
from tests.tracking.conftest import BROWSER_UA, post_click
from tracking import services
from tracking.models import Click, ClickSource
from tracking.serializers import ClickIn, ClickOut, click_input_fast
from tracking.visitors import ip_hash
from webhooks.models import Event, WebhookEndpoint

_strings = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "JaneDoe",
            " JaneDoe ",
            "jane-doe_2",
            "x" * 40,
            "x" * 41,
            "https://shop.example.com/p/1?q=a#b",
            "HTTPS://SHOP.EXAMPLE.COM/",
            "ftp://shop.example.com/",
            "https://",
            "shop.example.com/p/1",
            "javascript:alert(1)",
            "https://shop.example.com/\x00",
            "a\tb",
            "203.0.113.9",
            " 203.0.113.9 ",
            "::ffff:203.0.113.9",
            "2001:DB8::1",
            "999.1.1.1",
            "de",
            "DE",
            " de ",
            "d3",
            "deu",
            "\ud800",
            "é" * 3,
            BROWSER_UA,
            "curl/8.5.0",
        ]
    ),
    st.text(max_size=50),
    st.text(min_size=1990, max_size=2010, alphabet="ab"),
)
_values = st.one_of(
    _strings, st.integers(), st.booleans(), st.none(), st.lists(st.integers(), max_size=2)
)
_keys = st.sampled_from(
    [
        "referral_code",
        "landing_url",
        "referrer",
        "user_agent",
        "ip",
        "country",
        "program",
        "partner",
        "extra",
    ]
)


@settings(max_examples=600, deadline=None)
@given(body=st.dictionaries(_keys, _values, max_size=6))
def test_fast_input_accepts_only_what_click_in_accepts_with_the_same_values(body):
    fast = click_input_fast(body)
    if fast is None:
        return
    general = ClickIn(data=body)
    assert general.is_valid(), general.errors
    assert dict(general.validated_data) == fast


@settings(max_examples=200, deadline=None)
@given(
    code=st.from_regex(r"\A[A-Za-z0-9_-]{1,40}\Z"),
    landing=st.sampled_from(["", "https://shop.example.com/p/1", "http://a.example/x?y=1"]),
    referrer=st.sampled_from(["", "https://blog.example.org/review", "android-app://x"]),
)
def test_fast_input_takes_the_common_bodies(code, landing, referrer):
    body = {"referral_code": code, "landing_url": landing, "referrer": referrer}
    assert click_input_fast(body) == body


def _rendered(data: Any) -> Any:
    return json.loads(JSONRenderer().render(data))


@pytest.fixture
def fast_clicks(settings):
    # Rate limits resolve the key first; without them a click is the single statement.
    settings.SELGEO_RATELIMITS_ENABLED = False


def test_the_answer_and_the_row_are_the_general_paths(fast_clicks, pk_test_client, code):
    body = {
        "referral_code": "janedoe",
        "landing_url": "https://acme.example.com/p/9",
        "referrer": "https://blog.example.org/",
        "user_agent": "ignored: the request is a browser's",
    }
    response = post_click(pk_test_client, body, HTTP_ORIGIN="https://acme.example.com")
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    click = Click.objects.select_related("program").get(pk=response.json()["click_id"])
    assert response.json() == _rendered(ClickOut(click).data)
    assert click.referral_code == code
    assert click.merchant_id == code.merchant_id
    assert click.partner_id == code.partner_id
    assert click.program_id == code.program_id
    assert click.mode == "test"
    assert click.source == ClickSource.BROWSER
    assert click.user_agent == BROWSER_UA
    assert click.ip_hash == ip_hash("127.0.0.1")
    assert click.landing_url == "https://acme.example.com/p/9"
    assert click.referrer == "https://blog.example.org/"
    assert click.is_bot is False
    # The program's 45-day window, to the microsecond.
    assert (click.expires_at - click.created_at).total_seconds() == 45 * 86400


def test_server_side_hints_describe_the_visitor(fast_clicks, pk_test_client, code):
    body = {
        "referral_code": "JaneDoe",
        "ip": " ::ffff:203.0.113.9 ",
        "country": "de",
        "user_agent": "curl/8.5.0",
    }
    response = post_click(pk_test_client, body)
    assert response.status_code == 201
    assert response.json()["attributable"] is False
    click = Click.objects.get(pk=response.json()["click_id"])
    assert click.source == ClickSource.API
    assert click.ip_hash == ip_hash("203.0.113.9")
    assert click.country == "DE"
    assert click.is_bot is True


@pytest.mark.parametrize(
    ("body", "status", "code_"),
    [
        ({"referral_code": "Nobody"}, 404, "NOT_FOUND"),
        ({"referral_code": "JaneDoe", "ip": "999.1.1.1"}, 400, "VALIDATION_ERROR"),
        ({"referral_code": "JaneDoe", "landing_url": "ftp://x.example"}, 400, "VALIDATION_ERROR"),
    ],
)
def test_refusals_come_from_the_general_path(
    fast_clicks, pk_test_client, code, body, status, code_
):
    response = post_click(pk_test_client, body)
    assert_error(response, status, code_)
    assert not Click.objects.exists()


def test_a_bad_key_is_refused_before_the_body_is_read(fast_clicks, code, keys):
    forged = keys.pk_test[:-4] + ("AAAA" if not keys.pk_test.endswith("AAAA") else "BBBB")
    client = api_client(forged, HTTP_USER_AGENT=BROWSER_UA)
    assert_error(post_click(client, {"referral_code": "JaneDoe"}), 401, "INVALID_PUBLIC_KEY")
    response = client.post("/v1/clicks", b"{not json", content_type="application/json")
    assert_error(response, 401, "INVALID_PUBLIC_KEY")
    assert not Click.objects.exists()


def test_a_revoked_key_stops_at_once(fast_clicks, pk_test_client, code, keys):
    assert post_click(pk_test_client, {"referral_code": "JaneDoe"}).status_code == 201
    api_key_revoke(api_key=ApiKey.objects.get(prefix=keys.pk_test[:20]))
    assert_error(
        post_click(pk_test_client, {"referral_code": "JaneDoe"}), 401, "INVALID_PUBLIC_KEY"
    )
    assert Click.objects.count() == 1


def test_a_code_of_the_other_mode_is_mode_mismatch(fast_clicks, pk_live_client, code):
    assert_error(post_click(pk_live_client, {"referral_code": "JaneDoe"}), 422, "MODE_MISMATCH")
    assert not Click.objects.exists()


def test_a_click_created_subscriber_gets_the_click_and_its_event(
    fast_clicks, pk_test_client, code, merchant
):
    WebhookEndpoint.objects.create(
        merchant=merchant,
        mode="test",
        url="https://hooks.example.com/selgeo",
        secret="whsec_" + "A" * 43,
        event_types=["click.created"],
    )
    response = post_click(pk_test_client, {"referral_code": "JaneDoe"})
    assert response.status_code == 201
    # The one statement records nothing then; the general path writes the click and its
    # event in one transaction.
    assert Click.objects.count() == 1
    event = Event.objects.get(type="click.created")
    assert event.payload["data"]["id"] == response.json()["click_id"]


@pytest.mark.parametrize(("durable", "expected"), [(False, "off"), (True, "on")])
def test_the_click_statement_commits_as_configured(
    fast_clicks, pk_test_client, code, settings, monkeypatch, durable, expected
):
    # The statement sets synchronous_commit for its own transaction: asynchronous unless
    # SELGEO_CLICKS_DURABLE_COMMIT asks clicks to wait for their WAL flush.
    settings.SELGEO_CLICKS_DURABLE_COMMIT = durable
    seen: list[dict[str, Any]] = []
    real = services.fetch_prepared

    def spy(sql: str, params: Any) -> Any:
        seen.append(dict(params))
        return real(sql, params)

    monkeypatch.setattr(services, "fetch_prepared", spy)
    response = post_click(pk_test_client, {"referral_code": "JaneDoe"})
    assert response.status_code == 201
    if supports_prepared():
        assert [p["synchronous_commit"] for p in seen] == [expected]
        assert "set_config('synchronous_commit'" in services._TRACK_CLICK_SQL
    else:
        assert seen == []  # SQLite records clicks through the general path
