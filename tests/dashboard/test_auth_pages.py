"""Merchant sign-up, log in and out, the auth rate limit, password reset, creating a merchant."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import ApiKey, Membership, Merchant, Role, User
from dashboard.access import SESSION_MERCHANT, SESSION_MODE
from tests.dashboard.conftest import browser, flashed, page
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "a-long-passphrase-42"


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
    assert response["Location"] == "/dashboard/"
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
    overview = client.get("/dashboard/")
    assert overview.status_code == 200
    assert "You are viewing test data" in page(overview)
    assert flashed(overview) == ["Welcome to Selgeo. Shoe Shop starts in test mode."]


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
    for _ in range(10):
        response = client.post("/login/", {"email": alice.email, "password": "wrong-password"})
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
    assert response["Location"] == "/dashboard/"
    merchant = Merchant.objects.get(name="Hat Shop")
    assert Membership.objects.get(user=user).role == Role.OWNER
    assert ApiKey.objects.filter(merchant=merchant).count() == 4
    assert web.session[SESSION_MODE] == "test"
    assert web.get("/dashboard/").status_code == 200


def test_create_merchant_without_login_goes_to_login(client):
    assert client.get("/dashboard/new-merchant/")["Location"] == "/login/"
    assert client.post("/dashboard/new-merchant/", {"company_name": "X"})["Location"] == "/login/"
    assert Merchant.objects.count() == 0
