"""JWTs that end: rotation of refresh tokens, logout, and revocation of every token of a
user by a password reset or change, a deactivation or an erasure."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIRequestFactory
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts import services
from accounts.models import ApiKey, Merchant, Partner, User
from accounts.tasks import flush_expired_tokens
from accounts.tokens import issue_tokens
from partners.services import partner_erase
from selgeo.api.authentication import MerchantJWTAuthentication
from tests.conftest import api_client, assert_error
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "brand-new-secret-77"


def _login(user: User, password: str = TEST_PASSWORD) -> dict[str, str]:
    response = api_client().post(
        "/api/v1/auth/login", {"email": user.email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    tokens: dict[str, str] = response.json()["tokens"]
    return tokens


def _refresh(refresh: str):
    return api_client().post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")


def _logout(refresh: str):
    return api_client().post("/api/v1/auth/logout", {"refresh": refresh}, format="json")


def _create_live_secret_key(access: str):
    return api_client(access).post(
        "/api/v1/api-keys?mode=live", {"kind": "secret", "name": "Server"}, format="json"
    )


def _reset_password(user: User, password: str = NEW_PASSWORD) -> None:
    mail.outbox.clear()
    api_client().post("/api/v1/auth/forgot-password", {"email": user.email}, format="json")
    match = re.search(r"token=(\S+)", mail.outbox[0].body)
    assert match is not None
    response = api_client().post(
        "/api/v1/auth/reset-password",
        {"token": match.group(1), "password": password},
        format="json",
    )
    assert response.status_code == 200, response.content


def _live_keys(merchant: Merchant) -> int:
    return ApiKey.objects.filter(merchant=merchant, mode="live").count()


# Rotation.


def test_refresh_answers_a_new_refresh_token_with_the_same_claims(alice, merchant):
    tokens = _login(alice)
    response = _refresh(tokens["refresh"])
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "token_type"}
    assert body["token_type"] == "Bearer"
    assert body["refresh"] != tokens["refresh"]
    old = RefreshToken(tokens["refresh"], verify=False)  # type: ignore[arg-type]
    new = RefreshToken(body["refresh"])  # type: ignore[arg-type]
    for claim in ("user_id", "merchant_id", "role", "gen", "sid"):
        assert new[claim] == old[claim], claim
    assert (new["merchant_id"], new["role"], new["gen"]) == (str(merchant.pk), "owner", 0)
    assert AccessToken(body["access"])["sid"] == old["sid"]
    assert api_client(body["access"]).get("/api/v1/api-keys").status_code == 200
    # The replacement works in turn.
    assert _refresh(body["refresh"]).status_code == 200


def test_a_rotated_refresh_token_used_again_is_unauthorized(alice):
    tokens = _login(alice)
    assert _refresh(tokens["refresh"]).status_code == 200
    assert_error(_refresh(tokens["refresh"]), 401, "UNAUTHORIZED")
    assert BlacklistedToken.objects.filter(token__user=alice).count() == 1


def test_refresh_tokens_are_recorded_by_id_and_never_stored(alice):
    tokens = _login(alice)
    jti = RefreshToken(tokens["refresh"])["jti"]
    recorded = OutstandingToken.objects.get(user=alice)
    assert (recorded.jti, recorded.token) == (jti, "")


# Logout.


def test_logout_then_refresh_is_unauthorized(alice):
    tokens = _login(alice)
    response = _logout(tokens["refresh"])
    assert response.status_code == 204
    assert response.content == b""
    assert_error(_refresh(tokens["refresh"]), 401, "UNAUTHORIZED")


def test_logout_ends_the_sessions_access_tokens_but_not_other_sessions(alice):
    phone, laptop = _login(alice), _login(alice)
    rotated = _refresh(phone["refresh"]).json()
    assert _logout(rotated["refresh"]).status_code == 204
    # Both access tokens of the phone's session, before and after its rotation, end.
    assert_error(api_client(phone["access"]).get("/api/v1/api-keys"), 401, "UNAUTHORIZED")
    assert_error(api_client(rotated["access"]).get("/api/v1/api-keys"), 401, "UNAUTHORIZED")
    assert api_client(laptop["access"]).get("/api/v1/api-keys").status_code == 200
    assert _refresh(laptop["refresh"]).status_code == 200


def test_logout_twice_or_with_garbage_is_unauthorized(alice):
    tokens = _login(alice)
    assert _logout(tokens["refresh"]).status_code == 204
    assert_error(_logout(tokens["refresh"]), 401, "UNAUTHORIZED")
    assert_error(_logout("not-a-token"), 401, "UNAUTHORIZED")
    assert_error(_logout(tokens["access"]), 401, "UNAUTHORIZED")
    body = assert_error(
        api_client().post("/api/v1/auth/logout", {}, format="json"), 400, "VALIDATION_ERROR"
    )
    assert body["details"] == [{"field": "refresh", "message": "This field is required."}]


# Revocation of every token of a user.


def test_after_a_password_reset_old_refresh_and_access_tokens_are_unauthorized(alice, merchant):
    tokens = _login(alice)
    live_keys = _live_keys(merchant)
    _reset_password(alice)
    assert_error(_refresh(tokens["refresh"]), 401, "UNAUTHORIZED")
    assert_error(api_client(tokens["access"]).get("/api/v1/api-keys"), 401, "UNAUTHORIZED")
    assert_error(_create_live_secret_key(tokens["access"]), 401, "UNAUTHORIZED")
    assert _live_keys(merchant) == live_keys
    # A login with the new password works as before.
    fresh = _login(alice, NEW_PASSWORD)
    assert _create_live_secret_key(fresh["access"]).status_code == 201
    assert _live_keys(merchant) == live_keys + 1


def test_after_a_password_change_old_tokens_are_unauthorized_and_new_ones_answered(alice, merchant):
    other_device, this_device = _login(alice), _login(alice)
    live_keys = _live_keys(merchant)
    response = api_client(this_device["access"]).post(
        "/api/v1/auth/change-password",
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    answered = response.json()
    assert answered["merchant_id"] == str(merchant.pk)
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    for tokens in (other_device, this_device):
        assert_error(_refresh(tokens["refresh"]), 401, "UNAUTHORIZED")
        assert_error(_create_live_secret_key(tokens["access"]), 401, "UNAUTHORIZED")
    assert _live_keys(merchant) == live_keys
    assert _create_live_secret_key(answered["access"]).status_code == 201
    assert _refresh(answered["refresh"]).status_code == 200


def test_a_password_change_with_the_wrong_current_password_changes_nothing(alice):
    tokens = _login(alice)
    response = api_client(tokens["access"]).post(
        "/api/v1/auth/change-password",
        {"current_password": "not-my-password", "new_password": NEW_PASSWORD},
        format="json",
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        {"field": "current_password", "message": "The current password is not right"}
    ]
    alice.refresh_from_db()
    assert (alice.check_password(TEST_PASSWORD), alice.token_generation) == (True, 0)
    assert api_client(tokens["access"]).get("/api/v1/api-keys").status_code == 200


def test_a_password_change_to_a_weak_password_changes_nothing(alice):
    tokens = _login(alice)
    response = api_client(tokens["access"]).post(
        "/api/v1/auth/change-password",
        {"current_password": TEST_PASSWORD, "new_password": "short"},
        format="json",
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert {d["field"] for d in body["details"]} == {"password"}
    alice.refresh_from_db()
    assert (alice.check_password(TEST_PASSWORD), alice.token_generation) == (True, 0)


def test_changing_the_password_needs_a_token(anon_client):
    response = anon_client.post(
        "/api/v1/auth/change-password",
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert_error(response, 401, "UNAUTHORIZED")


def test_a_partner_can_change_the_password_too(partner: Partner):
    assert partner.user is not None
    tokens = _login(partner.user)
    response = api_client(tokens["access"]).post(
        "/api/v1/auth/change-password",
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["merchant_id"], response.json()["partner_id"]) == (
        None,
        str(partner.pk),
    )
    assert_error(api_client(tokens["access"]).get("/api/v1/partner/programs"), 401, "UNAUTHORIZED")


def test_a_deactivated_user_stays_logged_out_when_activated_again(alice):
    tokens = _login(alice)
    services.user_set_active(user=alice, is_active=False)
    assert_error(api_client(tokens["access"]).get("/api/v1/api-keys"), 401, "UNAUTHORIZED")
    assert_error(_refresh(tokens["refresh"]), 401, "UNAUTHORIZED")
    services.user_set_active(user=alice, is_active=True)
    assert_error(api_client(tokens["access"]).get("/api/v1/api-keys"), 401, "UNAUTHORIZED")
    assert_error(_refresh(tokens["refresh"]), 401, "UNAUTHORIZED")
    assert api_client(_login(alice)["access"]).get("/api/v1/api-keys").status_code == 200


def test_the_token_of_an_erased_partner_is_unauthorized(partner: Partner):
    user = partner.user
    assert user is not None
    tokens = _login(user)
    partner_erase(partner=partner)
    assert_error(api_client(tokens["access"]).get("/api/v1/partner/programs"), 401, "UNAUTHORIZED")
    assert_error(_refresh(tokens["refresh"]), 401, "UNAUTHORIZED")


def test_the_token_of_a_deleted_user_is_unauthorized(alice):
    tokens = _login(alice)
    User.objects.filter(pk=alice.pk).delete()
    assert_error(api_client(tokens["access"]).get("/api/v1/api-keys"), 401, "UNAUTHORIZED")
    assert_error(_refresh(tokens["refresh"]), 401, "UNAUTHORIZED")


# Staff in the admin.


@pytest.fixture
def staff_client() -> Client:
    staff = User.objects.create_superuser(email="staff@selgeo.local", password="staff-password-1")
    client = Client()
    client.force_login(staff)
    return client


def test_a_password_set_in_the_admin_revokes_the_users_tokens(staff_client, alice):
    tokens = _login(alice)
    response = staff_client.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.check_password(NEW_PASSWORD), alice.token_generation) == (True, 1)
    assert_error(api_client(tokens["access"]).get("/api/v1/api-keys"), 401, "UNAUTHORIZED")
    assert_error(_refresh(tokens["refresh"]), 401, "UNAUTHORIZED")


def test_disabling_a_user_in_the_admin_revokes_its_tokens(staff_client, alice):
    tokens = _login(alice)
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    form = {
        "email": alice.email,
        "full_name": alice.full_name,
        "is_staff": "",
        "is_superuser": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": alice.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": alice.date_joined.strftime("%H:%M:%S"),
    }
    assert staff_client.post(url, form).status_code == 302  # is_active unticked
    alice.refresh_from_db()
    assert (alice.is_active, alice.token_generation) == (False, 1)
    assert staff_client.post(url, {**form, "is_active": "on"}).status_code == 302
    alice.refresh_from_db()
    assert (alice.is_active, alice.token_generation) == (True, 2)
    assert_error(api_client(tokens["access"]).get("/api/v1/api-keys"), 401, "UNAUTHORIZED")
    # Saving without touching is_active leaves the tokens alone.
    fresh = _login(alice)
    assert staff_client.post(url, {**form, "is_active": "on"}).status_code == 302
    assert api_client(fresh["access"]).get("/api/v1/api-keys").status_code == 200


# The hot path and housekeeping.


def test_a_jwt_authentication_reads_the_user_row_and_nothing_else(
    alice, merchant, django_assert_num_queries
):
    tokens = issue_tokens(user=alice, merchant_id=str(merchant.pk))
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    with django_assert_num_queries(1):
        user, _token = MerchantJWTAuthentication().authenticate(request)  # type: ignore[misc]
    assert user == alice


def test_flushing_expired_tokens_keeps_the_live_ones(alice, time_machine):
    time_machine.move_to("2026-01-01T00:00:00Z", tick=False)
    old = _login(alice)
    _refresh(old["refresh"])
    time_machine.move_to("2026-01-08T00:00:01Z", tick=False)  # past the 7-day lifetime
    live = _login(alice)
    assert OutstandingToken.objects.count() == 3
    assert flush_expired_tokens() == 2
    assert list(OutstandingToken.objects.values_list("user_id", flat=True)) == [alice.pk]
    assert BlacklistedToken.objects.count() == 0
    assert _refresh(live["refresh"]).status_code == 200


def test_the_openapi_document_describes_logout_refresh_and_password_change(anon_client):
    document = anon_client.get("/api/v1/openapi.json").json()
    paths, schemas = document["paths"], document["components"]["schemas"]
    error = {"$ref": "#/components/schemas/Error"}
    logout = paths["/api/v1/auth/logout"]["post"]
    assert logout["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RefreshInRequest"
    }
    assert logout["responses"]["204"] == {"description": "Logged out"}
    assert logout["responses"]["401"]["content"]["application/json"]["schema"] == error
    assert logout["security"] == [{}]
    refresh = paths["/api/v1/auth/refresh"]["post"]
    assert refresh["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RefreshOut"
    }
    assert set(schemas["RefreshOut"]["properties"]) == {"access", "refresh", "token_type"}
    change = paths["/api/v1/auth/change-password"]["post"]
    assert set(schemas["ChangePasswordInRequest"]["properties"]) == {
        "current_password",
        "new_password",
    }
    assert change["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TokensOut"
    }
    assert {"dashboardJWT": []} in change["security"]
    login_429 = paths["/api/v1/auth/login"]["post"]["responses"]["429"]["content"]
    assert login_429["application/json"]["schema"] == error
