"""Credential lifetimes at their exact edges, with a frozen clock.

- A dashboard access token is answered until `exp` (issued + SELGEO_JWT_ACCESS_MINUTES),
  exclusive: one second before it opens the API, at `exp` it is 401 UNAUTHORIZED.
- A refresh token likewise until issued + SELGEO_JWT_REFRESH_DAYS.
- A password-reset link works for PASSWORD_RESET_TIMEOUT (2 hours) inclusive, as
  Django's token generator counts it: at two hours it resets, a second later it is 400.
- A rolled API key works through its grace period, exclusive of its end: one second
  before `expires_at` it is answered, at `expires_at` it is 401, on the secret-key API
  and on the click paths alike (on PostgreSQL, a click's key is checked in SQL).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail

from accounts import services
from accounts.models import ApiKey, User
from tests.conftest import Keys, api_client, assert_error
from tests.factories import TEST_PASSWORD
from tests.tracking.conftest import BROWSER_UA, post_click
from tests.tracking.factories import ProgramFactory, ReferralCodeFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db

T = datetime(2027, 3, 10, 12, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
ACCESS = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
REFRESH = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]


def _login(user: User) -> dict[str, str]:
    response = api_client().post(
        "/api/v1/auth/login", {"email": user.email, "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    tokens: dict[str, str] = response.json()["tokens"]
    return tokens


def test_the_lifetimes_are_the_documented_defaults() -> None:
    assert (timedelta(minutes=15), timedelta(days=7)) == (ACCESS, REFRESH)


@pytest.mark.parametrize(("offset", "answered"), [(-SECOND, True), (timedelta(0), False)])
def test_an_access_token_opens_the_api_until_its_lifetime_ends(
    alice, merchant, time_machine, offset, answered
):
    time_machine.move_to(T, tick=False)
    access = _login(alice)["access"]
    time_machine.move_to(T + ACCESS + offset, tick=False)

    response = api_client(access).get("/api/v1/api-keys?mode=test")

    if answered:
        assert response.status_code == 200, response.content
    else:
        assert_error(response, 401, "UNAUTHORIZED")


def test_an_access_token_a_second_past_its_lifetime_is_unauthorized(alice, merchant, time_machine):
    time_machine.move_to(T, tick=False)
    access = _login(alice)["access"]
    time_machine.move_to(T + ACCESS + SECOND, tick=False)

    assert_error(api_client(access).get("/api/v1/api-keys?mode=test"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("offset", "answered"), [(-SECOND, True), (timedelta(0), False), (SECOND, False)]
)
def test_a_refresh_token_refreshes_until_its_lifetime_ends(
    alice, merchant, time_machine, offset, answered
):
    time_machine.move_to(T, tick=False)
    refresh = _login(alice)["refresh"]
    time_machine.move_to(T + REFRESH + offset, tick=False)

    response = api_client().post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")

    if answered:
        assert response.status_code == 200, response.content
        fresh = response.json()["access"]
        assert api_client(fresh).get("/api/v1/api-keys?mode=test").status_code == 200
    else:
        assert_error(response, 401, "UNAUTHORIZED")


def _reset_link(user: User) -> str:
    api_client().post("/api/v1/auth/forgot-password", {"email": user.email}, format="json")
    match = re.search(r"token=([A-Za-z0-9_\-]+\.[A-Za-z0-9\-]+)", mail.outbox[-1].body)
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    ("offset", "works"), [(-SECOND, True), (timedelta(0), True), (SECOND, False)]
)
def test_a_password_reset_link_works_for_two_hours_inclusive(alice, time_machine, offset, works):
    assert settings.PASSWORD_RESET_TIMEOUT == 2 * 3600
    time_machine.move_to(T, tick=False)
    token = _reset_link(alice)
    time_machine.move_to(T + timedelta(hours=2) + offset, tick=False)

    response = api_client().post(
        "/api/v1/auth/reset-password",
        {"token": token, "password": "brand-new-secret-77"},
        format="json",
    )

    alice.refresh_from_db()
    if works:
        assert response.status_code == 200, response.content
        assert alice.check_password("brand-new-secret-77")
    else:
        body = assert_error(response, 400, "VALIDATION_ERROR")
        assert body["details"][0]["field"] == "token"
        assert alice.check_password(TEST_PASSWORD)


GRACE_EDGES = [(-SECOND, True), (timedelta(0), False), (SECOND, False)]


def _roll(raw: str, time_machine) -> ApiKey:
    time_machine.move_to(T, tick=False)
    old = ApiKey.objects.get(prefix=raw[:20])
    services.api_key_roll(api_key=old, expires_in_hours=2)
    old.refresh_from_db()
    assert old.expires_at == T + timedelta(hours=2)
    return old


@pytest.mark.parametrize(("offset", "answered"), GRACE_EDGES)
def test_a_rolled_secret_key_is_answered_until_its_grace_ends(
    keys: Keys, time_machine, offset, answered
):
    client = api_client(keys.sk_test)
    assert client.get("/api/v1/conversions?mode=test").status_code == 200
    _roll(keys.sk_test, time_machine)
    time_machine.move_to(T + timedelta(hours=2) + offset, tick=False)

    response = client.get("/api/v1/conversions?mode=test")

    if answered:
        assert response.status_code == 200, response.content
    else:
        assert_error(response, 401, "INVALID_API_KEY")


@pytest.fixture
def code(merchant, partner):
    program = ProgramFactory(merchant=merchant, mode="test", code="SPRING")
    return ReferralCodeFactory(program=program, partner=partner, code="JaneDoe")


@pytest.mark.parametrize(("offset", "answered"), GRACE_EDGES)
def test_a_rolled_public_key_records_clicks_until_its_grace_ends(
    keys: Keys, code, time_machine, offset, answered
):
    # On PostgreSQL the key is checked by the click statement itself, embedded by the
    # general path: both stop at the same instant.
    _roll(keys.pk_test, time_machine)
    time_machine.move_to(T + timedelta(hours=2) + offset, tick=False)

    response = post_click(
        api_client(keys.pk_test, HTTP_USER_AGENT=BROWSER_UA), {"referral_code": "JaneDoe"}
    )

    if answered:
        assert response.status_code == 201, response.content
        assert Click.objects.filter(pk=response.json()["click_id"]).exists()
    else:
        assert_error(response, 401, "INVALID_PUBLIC_KEY")
        assert not Click.objects.exists()
