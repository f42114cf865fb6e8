"""The failed-login back-off per account, across addresses (accounts.login_limit)."""

from __future__ import annotations

import re
import threading

import pytest
from django.core import mail
from django.test import Client

from accounts import login_limit
from accounts.login_limit import LoginClient
from accounts.models import User
from selgeo.api.errors import RateLimitExceeded, ServiceUnavailable
from tests.conftest import api_client, assert_error
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "wrong-password-1"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to("2026-03-04T05:06:07Z", tick=False)


def _login(email: str, password: str, ip: str):
    client = Client(REMOTE_ADDR=ip)
    return client.post(
        "/api/v1/auth/login",
        {"email": email, "password": password},
        content_type="application/json",
    )


def _stuff(email: str, count: int, first: int = 0) -> list[int]:
    """`count` wrong passwords for `email`, each from an address of its own."""
    return [_login(email, WRONG, f"203.0.113.{first + n}").status_code for n in range(count)]


def test_five_failures_from_five_addresses_make_the_account_wait_a_second(alice, time_machine):
    assert _stuff(alice.email, 5) == [401] * 5
    response = _login(alice.email, TEST_PASSWORD, "198.51.100.1")
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert response["Retry-After"] == "1"
    time_machine.shift(1)
    assert _login(alice.email, TEST_PASSWORD, "198.51.100.1").status_code == 200


def test_the_wait_doubles_with_each_failure_up_to_fifteen_minutes(alice, time_machine):
    assert _stuff(alice.email, 5) == [401] * 5
    waits = []
    for n in range(12):
        refused = _login(alice.email, WRONG, f"198.51.100.{n}")
        assert_error(refused, 429, "RATE_LIMIT_EXCEEDED")
        waits.append(int(refused["Retry-After"]))
        time_machine.shift(waits[-1])
        assert _login(alice.email, WRONG, f"192.0.2.{n}").status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    # Half-way through a wait the answer says what is left.
    time_machine.shift(450)
    assert _login(alice.email, TEST_PASSWORD, "192.0.2.200")["Retry-After"] == "450"


def test_an_unknown_email_is_answered_exactly_like_a_known_one(alice):
    known = _stuff(alice.email, 6)
    unknown = _stuff("nobody-here@example.com", 6, first=100)
    assert known == unknown == [401] * 5 + [429]
    assert (
        _login(alice.email, WRONG, "192.0.2.1").json()
        == _login("nobody-here@example.com", WRONG, "192.0.2.2").json()
    )


def test_the_email_is_normalised_so_case_does_not_dodge_the_count(alice):
    variants = [alice.email.upper(), alice.email, f" {alice.email.title()}", alice.email] * 2
    statuses = [
        _login(email.strip(), WRONG, f"203.0.113.{n}").status_code
        for n, email in enumerate(variants)
    ]
    assert statuses == [401] * 5 + [429] * 3


def test_another_account_is_not_affected(alice, bob):
    _stuff(alice.email, 6)
    assert _login(bob.email, TEST_PASSWORD, "203.0.113.50").status_code == 200


def test_a_refused_attempt_does_not_check_the_password_or_extend_the_wait(alice, time_machine):
    _stuff(alice.email, 5)
    for n in range(20):
        assert _login(alice.email, TEST_PASSWORD, f"198.51.100.{n}").status_code == 429
    time_machine.shift(1)
    assert _login(alice.email, TEST_PASSWORD, "198.51.100.9").status_code == 200


def _reset(user: User, password: str) -> None:
    mail.outbox.clear()
    api_client().post("/api/v1/auth/forgot-password", {"email": user.email}, format="json")
    token = re.search(r"token=(\S+)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    response = api_client().post(
        "/api/v1/auth/reset-password", {"token": token, "password": password}, format="json"
    )
    assert response.status_code == 200


def test_a_successful_password_reset_ends_the_wait(alice, django_capture_on_commit_callbacks):
    _stuff(alice.email, 20)
    assert _login(alice.email, TEST_PASSWORD, "198.51.100.1")["Retry-After"] == "1"
    with django_capture_on_commit_callbacks(execute=True):
        _reset(alice, "brand-new-secret-77")
    assert _login(alice.email, "brand-new-secret-77", "198.51.100.1").status_code == 200


def test_a_failed_reset_does_not_end_the_wait(alice, django_capture_on_commit_callbacks):
    _stuff(alice.email, 5)
    with django_capture_on_commit_callbacks(execute=True):
        api_client().post(
            "/api/v1/auth/reset-password",
            {"token": "MQ.bad-token", "password": "brand-new-secret-77"},
            format="json",
        )
    assert _login(alice.email, TEST_PASSWORD, "198.51.100.1").status_code == 429


def test_an_address_the_account_logged_in_from_lately_has_a_back_off_of_its_own(
    alice, time_machine
):
    assert _login(alice.email, TEST_PASSWORD, "198.51.100.77").status_code == 200
    assert _stuff(alice.email, 30) == [401] * 5 + [429] * 25
    # Her usual address is not kept out by what the others did...
    assert _login(alice.email, TEST_PASSWORD, "198.51.100.77").status_code == 200
    # ...but guessing from it backs off on its own.
    assert [_login(alice.email, WRONG, "198.51.100.77").status_code for _ in range(6)] == [
        401
    ] * 5 + [429]
    assert _login(alice.email, TEST_PASSWORD, "203.0.113.200").status_code == 429


def test_a_success_ends_the_back_off_of_that_client(alice, time_machine):
    assert _stuff(alice.email, 5) == [401] * 5
    time_machine.shift(1)
    assert _login(alice.email, TEST_PASSWORD, "198.51.100.1").status_code == 200
    assert _stuff(alice.email, 5, first=20) == [401] * 5


def test_concurrent_attempts_from_many_addresses_get_five_password_checks(db):
    email = "target@example.com"
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        try:
            login_limit.begin(email=email, client=LoginClient(ip=f"203.0.113.{n}"))
            outcome = "checked"
        except RateLimitExceeded:
            outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["checked"] * 5 + ["refused"] * 35


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit-dead": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    settings.RATELIMIT_USE_CACHE = "ratelimit-dead"


def test_the_back_off_fails_closed_when_its_cache_is_down(dead_cache):
    with pytest.raises(ServiceUnavailable):
        login_limit.begin(email="alice@example.com", client=LoginClient(ip="203.0.113.1"))


def test_the_login_answers_503_when_the_cache_is_down(dead_cache, alice):
    assert_error(_login(alice.email, TEST_PASSWORD, "203.0.113.1"), 503, "SERVICE_UNAVAILABLE")


def test_with_rate_limits_off_the_account_never_waits(settings, alice):
    settings.SELGEO_RATELIMITS_ENABLED = False
    assert _stuff(alice.email, 8) == [401] * 8
    assert _login(alice.email, TEST_PASSWORD, "198.51.100.1").status_code == 200
