"""Register, log in, refresh, forgot and reset password (JWT flow)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import ApiKey, Membership, Merchant, Partner, User
from tests.conftest import api_client, assert_error
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

STRONG = "a-long-passphrase-42"


def _register(client, **overrides):
    payload = {"email": "Owner@Shop.example", "password": STRONG, "company_name": "Shop"}
    payload.update(overrides)
    return client.post("/api/v1/auth/register", payload, format="json")


def test_register_merchant_creates_owner_merchant_and_four_keys(anon_client):
    response = _register(anon_client)
    assert response.status_code == 201
    body = response.json()
    user = User.objects.get()
    assert user.email == "owner@shop.example"
    merchant = Merchant.objects.get()
    assert Membership.objects.get().role == "owner"
    assert body["merchants"] == [
        {
            "id": str(merchant.pk),
            "name": "Shop",
            "slug": "shop",
            "website": "",
            "created_at": body["merchants"][0]["created_at"],
            "role": "owner",
        }
    ]
    assert body["partner"] is None
    assert body["tokens"]["merchant_id"] == str(merchant.pk)
    prefixes = sorted(k["key"][:8] for k in body["api_keys"])
    assert prefixes == ["pk_live_", "pk_test_", "sk_live_", "sk_test_"]
    assert ApiKey.objects.filter(merchant=merchant).count() == 4


def test_register_partner_creates_profile(anon_client):
    response = _register(
        anon_client, account_type="partner", display_name="Blogger", country="fr", company_name=None
    )
    assert response.status_code == 400  # company_name: null is not a string
    response = anon_client.post(
        "/api/v1/auth/register",
        {
            "email": "p@example.org",
            "password": STRONG,
            "account_type": "partner",
            "display_name": "Blogger",
            "country": "fr",
        },
        format="json",
    )
    assert response.status_code == 201
    partner = Partner.objects.get()
    assert (partner.display_name, partner.country) == ("Blogger", "FR")
    assert response.json()["tokens"]["partner_id"] == str(partner.pk)
    assert Merchant.objects.count() == 0


def test_register_duplicate_email_is_validation_error_and_writes_nothing(anon_client):
    assert _register(anon_client).status_code == 201
    response = _register(anon_client, email="OWNER@shop.example", company_name="Other")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        {"field": "email", "message": "An account with this email already exists"}
    ]
    assert Merchant.objects.count() == 1


def test_register_weak_password_is_rejected(anon_client):
    body = assert_error(_register(anon_client, password="123"), 400, "VALIDATION_ERROR")
    assert {d["field"] for d in body["details"]} == {"password"}
    assert User.objects.count() == 0


def test_register_merchant_needs_company_name(anon_client):
    response = anon_client.post(
        "/api/v1/auth/register", {"email": "a@b.example", "password": STRONG}, format="json"
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "company_name", "message": "Required for a merchant"}]


def test_login_returns_tokens_that_open_the_dashboard_api(alice, merchant):
    response = api_client().post(
        "/api/v1/auth/login",
        {"email": alice.email.upper(), "password": TEST_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    tokens = response.json()["tokens"]
    assert tokens["merchant_id"] == str(merchant.pk)
    assert api_client(tokens["access"]).get("/api/v1/api-keys?mode=test").status_code == 200


def test_login_with_wrong_password_is_unauthorized(alice):
    response = api_client().post(
        "/api/v1/auth/login", {"email": alice.email, "password": "nope-nope-nope"}, format="json"
    )
    assert_error(response, 401, "UNAUTHORIZED")


def test_login_for_a_merchant_the_user_does_not_belong_to_is_forbidden(alice, other_merchant):
    response = api_client().post(
        "/api/v1/auth/login",
        {"email": alice.email, "password": TEST_PASSWORD, "merchant_id": str(other_merchant.pk)},
        format="json",
    )
    assert_error(response, 403, "FORBIDDEN")


def test_refresh_issues_a_new_access_token(alice):
    tokens = (
        api_client()
        .post(
            "/api/v1/auth/login", {"email": alice.email, "password": TEST_PASSWORD}, format="json"
        )
        .json()["tokens"]
    )
    response = api_client().post(
        "/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json"
    )
    assert response.status_code == 200
    assert api_client(response.json()["access"]).get("/api/v1/api-keys").status_code == 200


def test_refresh_with_garbage_is_unauthorized():
    response = api_client().post("/api/v1/auth/refresh", {"refresh": "nope"}, format="json")
    assert_error(response, 401, "UNAUTHORIZED")


def test_refresh_for_a_disabled_user_is_unauthorized(alice):
    tokens = (
        api_client()
        .post(
            "/api/v1/auth/login", {"email": alice.email, "password": TEST_PASSWORD}, format="json"
        )
        .json()["tokens"]
    )
    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = api_client().post(
        "/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json"
    )
    assert_error(response, 401, "UNAUTHORIZED")


def test_garbage_access_token_is_unauthorized():
    assert_error(api_client("not.a.jwt").get("/api/v1/api-keys"), 401, "UNAUTHORIZED")


def test_missing_token_is_unauthorized(anon_client):
    assert_error(anon_client.get("/api/v1/api-keys"), 401, "UNAUTHORIZED")


def test_forgot_password_does_not_reveal_whether_an_account_exists(alice, mailoutbox):
    known = api_client().post("/api/v1/auth/forgot-password", {"email": alice.email}, format="json")
    unknown = api_client().post(
        "/api/v1/auth/forgot-password", {"email": "ghost@example.com"}, format="json"
    )
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m.to for m in mailoutbox] == [[alice.email]]


def _reset_token(alice) -> str:
    mail.outbox.clear()
    api_client().post("/api/v1/auth/forgot-password", {"email": alice.email}, format="json")
    match = re.search(r"token=([A-Za-z0-9_\-]+\.[A-Za-z0-9\-]+)", mail.outbox[0].body)
    assert match
    return match.group(1)


def test_reset_password_sets_the_new_password_once(alice):
    token = _reset_token(alice)
    client = api_client()
    response = client.post(
        "/api/v1/auth/reset-password",
        {"token": token, "password": "brand-new-secret-77"},
        format="json",
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password("brand-new-secret-77")
    again = client.post(
        "/api/v1/auth/reset-password",
        {"token": token, "password": "another-secret-88"},
        format="json",
    )
    body = assert_error(again, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "token"
    alice.refresh_from_db()
    assert alice.check_password("brand-new-secret-77")


@pytest.mark.parametrize("token", ["", "abc", "MQ.bad-token", "!!!.x"])
def test_reset_password_with_bad_token_is_rejected(alice, token):
    response = api_client().post(
        "/api/v1/auth/reset-password",
        {"token": token, "password": "brand-new-secret-77"},
        format="json",
    )
    assert_error(response, 400, "VALIDATION_ERROR")
    alice.refresh_from_db()
    assert alice.check_password(TEST_PASSWORD)


def test_reset_password_with_weak_password_keeps_the_old_one(alice):
    token = _reset_token(alice)
    response = api_client().post(
        "/api/v1/auth/reset-password", {"token": token, "password": "short"}, format="json"
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert {d["field"] for d in body["details"]} == {"password"}
    alice.refresh_from_db()
    assert alice.check_password(TEST_PASSWORD)
