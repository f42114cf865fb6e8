"""Merchant sign-up, log in and out, the auth rate limit, password reset, creating a merchant."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import ApiKey, Membership, Merchant, Role, User
from dashboard.access import SESSION_MERCHANT, SESSION_MODE
from tests.conftest import api_client, assert_error
from tests.dashboard.conftest import browser, flashed, page
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "a-long-passphrase-42"
NEW_PASSWORD = "brand-new-passphrase-7"


def _signup(client: Client, **overrides: str):
    data = {
        "company_name": "Shoe Shop",
        "full_name": "Sam Owner",
        "email": "Sam@Shoes.example",
        "password": STRONG,
    }
    data.update(overrides)
    return client.post("/signup/", data)


def test_signup_creates_merchant_owner_and_four_keys_and_logs_in_in_test_mode(client):
    response = _signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/developers/keys/"
    user = User.objects.get()
    merchant = Merchant.objects.get()
    assert (user.email, user.full_name, merchant.name, merchant.slug) == (
        "sam@shoes.example",
        "Sam Owner",
        "Shoe Shop",
        "shoe-shop",
    )
    assert Membership.objects.get().role == Role.OWNER
    keys = sorted(ApiKey.objects.filter(merchant=merchant).values_list("kind", "mode"))
    assert keys == [("public", "live"), ("public", "test"), ("secret", "live"), ("secret", "test")]
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session[SESSION_MERCHANT] == str(merchant.pk)
    assert client.session[SESSION_MODE] == "test"
    keys_page = client.get("/dashboard/developers/keys/")
    assert keys_page.status_code == 200
    assert "You are viewing test data" in page(keys_page)
    assert flashed(keys_page) == ["Welcome to Selgeo. Shoe Shop starts in test mode."]


def test_signup_with_a_taken_email_shows_the_error_next_to_the_field(client, alice):
    response = _signup(client, email=alice.email)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["An account with this email already exists"]
    }
    assert Merchant.objects.count() == 1  # alice's only
    assert SESSION_KEY not in client.session


def test_signup_with_a_weak_password_creates_nothing(client):
    response = _signup(client, password="short")
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert (User.objects.count(), Merchant.objects.count(), ApiKey.objects.count()) == (0, 0, 0)


def test_login_with_the_right_password_lands_on_the_dashboard(client, alice):
    response = client.post("/login/", {"email": alice.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_login_follows_a_local_next_but_not_another_site(client, alice):
    response = client.post(
        "/login/?next=/dashboard/team/",
        {"email": alice.email, "password": TEST_PASSWORD, "next": "/dashboard/team/"},
    )
    assert response["Location"] == "/dashboard/team/"
    other = Client()
    response = other.post(
        "/login/",
        {"email": alice.email, "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/dashboard/"


def test_login_with_a_wrong_password_shows_an_error_and_does_not_log_in(client, alice):
    response = client.post("/login/", {"email": alice.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The email or password is not right."]
    assert SESSION_KEY not in client.session


def test_the_eleventh_login_attempt_in_a_minute_from_one_ip_is_refused(client, alice):
    # Guesses at other accounts (alice's own would start her account's back-off).
    for number in range(10):
        response = client.post(
            "/login/", {"email": f"guess{number}@example.com", "password": "wrong-password"}
        )
        assert "Too many attempts" not in page(response)
    response = client.post("/login/", {"email": alice.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "Too many attempts" in page(response)
    assert SESSION_KEY not in client.session
    # Another address is not affected.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    response = elsewhere.post("/login/", {"email": alice.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_logout_is_a_post_and_ends_the_session(alice_web):
    assert alice_web.get("/logout/").status_code == 405
    response = alice_web.post("/logout/")
    assert response["Location"] == "/login/"
    assert SESSION_KEY not in alice_web.session
    assert alice_web.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"


def _reset_token(mailoutbox) -> str:
    match = re.search(r"reset-password\?token=(\S+)", mailoutbox[-1].body)
    assert match is not None
    return match.group(1)


def test_forgot_and_reset_password_works_once(client, alice, mailoutbox):
    response = client.post("/forgot-password/", {"email": alice.email})
    assert response["Location"] == "/login/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [alice.email]
    token = _reset_token(mailoutbox)
    form_page = client.get(f"/reset-password?token={token}")
    assert f'value="{token}"' in page(form_page)
    response = client.post(
        "/reset-password", {"token": token, "password": "brand-new-passphrase-7"}
    )
    assert response["Location"] == "/login/"
    alice.refresh_from_db()
    assert alice.check_password("brand-new-passphrase-7")

    again = client.post("/reset-password", {"token": token, "password": "another-passphrase-8"})
    assert again.status_code == 200
    assert "The reset token is invalid or has expired" in page(again)
    alice.refresh_from_db()
    assert alice.check_password("brand-new-passphrase-7")


def test_forgot_password_for_an_unknown_email_says_the_same_and_sends_nothing(client, mailoutbox):
    response = client.post("/forgot-password/", {"email": "nobody@example.com"}, follow=True)
    assert flashed(response) == ["If an account exists for this email, a reset link is on its way."]
    assert mailoutbox == []


def test_a_user_without_merchant_is_sent_to_create_one(db):
    user = UserFactory()
    web = browser(user)
    assert web.get("/dashboard/")["Location"] == "/dashboard/new-merchant/"
    response = web.post("/dashboard/new-merchant/", {"company_name": "Hat Shop"})
    assert response["Location"] == "/dashboard/developers/keys/"
    merchant = Merchant.objects.get(name="Hat Shop")
    assert Membership.objects.get(user=user).role == Role.OWNER
    assert ApiKey.objects.filter(merchant=merchant).count() == 4
    assert web.session[SESSION_MODE] == "test"
    assert web.get("/dashboard/").status_code == 200


def test_create_merchant_without_login_goes_to_login(client):
    assert client.get("/dashboard/new-merchant/")["Location"] == "/login/"
    assert client.post("/dashboard/new-merchant/", {"company_name": "X"})["Location"] == "/login/"
    assert Merchant.objects.count() == 0


# Password changes end the other sessions and every token.


def _logged_in(user: User, ip: str = "127.0.0.1") -> Client:
    web = Client(REMOTE_ADDR=ip)
    assert web.post("/login/", {"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    return web


def _api_tokens(user: User) -> dict[str, str]:
    response = api_client().post(
        "/api/v1/auth/login", {"email": user.email, "password": TEST_PASSWORD}, format="json"
    )
    tokens: dict[str, str] = response.json()["tokens"]
    return tokens


def test_a_password_reset_on_the_page_ends_dashboard_sessions_and_tokens(client, alice, mailoutbox):
    other_browser = _logged_in(alice, "198.51.100.4")
    assert other_browser.get("/dashboard/").status_code == 200
    tokens = _api_tokens(alice)
    client.post("/forgot-password/", {"email": alice.email})
    client.post("/reset-password", {"token": _reset_token(mailoutbox), "password": NEW_PASSWORD})
    assert other_browser.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"
    assert_error(api_client(tokens["access"]).get("/api/v1/api-keys"), 401, "UNAUTHORIZED")
    refresh = api_client().post(
        "/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json"
    )
    assert_error(refresh, 401, "UNAUTHORIZED")


def test_a_password_reset_through_the_api_ends_dashboard_sessions(alice, mailoutbox):
    web = _logged_in(alice)
    api_client().post("/api/v1/auth/forgot-password", {"email": alice.email}, format="json")
    response = api_client().post(
        "/api/v1/auth/reset-password",
        {"token": _reset_token(mailoutbox), "password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    assert web.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"


def test_changing_the_password_keeps_this_session_and_ends_the_others(alice):
    this_browser = _logged_in(alice, "198.51.100.5")
    other_browser = _logged_in(alice, "198.51.100.6")
    tokens = _api_tokens(alice)
    assert this_browser.get("/password/").status_code == 200
    response = this_browser.post(
        "/password/", {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD}, follow=True
    )
    assert flashed(response) == [
        "Your password has been changed. Other sessions have been logged out."
    ]
    alice.refresh_from_db()
    assert (alice.check_password(NEW_PASSWORD), alice.token_generation) == (True, 1)
    assert this_browser.get("/dashboard/").status_code == 200
    assert other_browser.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"
    assert_error(api_client(tokens["access"]).get("/api/v1/api-keys"), 401, "UNAUTHORIZED")


def test_changing_the_password_with_the_wrong_current_one_changes_nothing(alice_web, alice):
    response = alice_web.post(
        "/password/", {"current_password": "not-my-password", "password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "current_password": ["The current password is not right"]
    }
    alice.refresh_from_db()
    assert (alice.check_password(TEST_PASSWORD), alice.token_generation) == (True, 0)


def test_a_partner_changes_the_password_on_the_same_page(partner_web, partner):
    response = partner_web.post(
        "/password/", {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD}
    )
    assert response["Location"] == "/"
    assert partner_web.get("/partner/").status_code == 200


def test_the_password_page_needs_a_login(client):
    assert client.get("/password/")["Location"] == "/login/"


# The per-account back-off on the login pages.


def _guess(email: str, count: int, path: str = "/login/") -> list[int]:
    return [
        Client(REMOTE_ADDR=f"203.0.113.{n}")
        .post(path, {"email": email, "password": "wrong-password"})
        .status_code
        for n in range(count)
    ]


@pytest.mark.parametrize("path", ["/login/", "/partner/login/"])
def test_failed_logins_from_many_addresses_make_the_account_wait(alice, path, time_machine):
    time_machine.move_to("2026-03-04T05:06:07Z", tick=False)
    assert _guess(alice.email, 5, path) == [200] * 5
    web = Client(REMOTE_ADDR="198.51.100.8")
    response = web.post(path, {"email": alice.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert response.context["form"].non_field_errors() == [
        "Too many failed attempts for this account. Try again in 1 second, "
        "or reset your password to log in at once."
    ]
    assert SESSION_KEY not in web.session
    time_machine.shift(1)
    assert web.post(path, {"email": alice.email, "password": TEST_PASSWORD}).status_code == 302
    assert web.session[SESSION_KEY] == str(alice.pk)


def test_a_long_wait_is_told_in_minutes(alice, time_machine):
    time_machine.move_to("2026-03-04T05:06:07Z", tick=False)
    _guess(alice.email, 5)
    for n in range(10):
        time_machine.shift(900)
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(
            "/login/", {"email": alice.email, "password": "wrong-password"}
        )
    response = Client(REMOTE_ADDR="198.51.100.8").post(
        "/login/", {"email": alice.email, "password": TEST_PASSWORD}
    )
    assert (response.status_code, response["Retry-After"]) == (429, "900")
    assert "Try again in 15 minutes" in page(response)


def test_a_browser_that_logged_in_before_is_not_kept_out(alice, time_machine):
    time_machine.move_to("2026-03-04T05:06:07Z", tick=False)
    web = _logged_in(alice, "198.51.100.9")
    cookie = web.cookies["selgeo_device"]
    assert (cookie["httponly"], cookie["samesite"], cookie["max-age"]) == (True, "Lax", 31536000)
    web.post("/logout/")
    assert _guess(alice.email, 8) == [200] * 5 + [429] * 3
    # Her browser, even from a new address, logs in; a new browser must wait.
    web.defaults["REMOTE_ADDR"] = "192.0.2.99"
    assert web.post("/login/", {"email": alice.email, "password": TEST_PASSWORD}).status_code == 302
    stranger = Client(REMOTE_ADDR="192.0.2.100")
    response = stranger.post("/login/", {"email": alice.email, "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_a_device_cookie_counts_only_for_its_own_account(alice, bob, time_machine):
    time_machine.move_to("2026-03-04T05:06:07Z", tick=False)
    web = _logged_in(bob, "198.51.100.10")
    _guess(alice.email, 5)
    web.defaults["REMOTE_ADDR"] = "192.0.2.10"
    assert web.post("/login/", {"email": alice.email, "password": TEST_PASSWORD}).status_code == 429
    forged = Client(REMOTE_ADDR="192.0.2.11")
    forged.cookies["selgeo_device"] = "forged-value"
    assert (
        forged.post("/login/", {"email": alice.email, "password": TEST_PASSWORD}).status_code == 429
    )
