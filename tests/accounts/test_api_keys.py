"""API key management through the dashboard API: create, list, roll, revoke, delete."""

from __future__ import annotations

import pytest

from accounts.models import ApiKey
from tests.conftest import Keys, api_client, assert_error
from tests.dashboard.conftest import browser

pytestmark = pytest.mark.django_db


def test_create_secret_key_shows_the_secret_once(alice_client, merchant):
    response = alice_client.post(
        "/api/v1/api-keys?mode=test", {"kind": "secret", "name": "CI"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    raw = body["key"]
    assert raw.startswith("sk_test_") and len(raw) == 52
    assert body["redacted"] == f"{raw[:20]}…{raw[-4:]}"
    assert (body["kind"], body["mode"], body["name"], body["status"]) == (
        "secret",
        "test",
        "CI",
        "active",
    )
    listed = alice_client.get("/api/v1/api-keys?mode=test").json()
    assert listed["total"] == 1
    assert listed["data"][0]["key"] is None
    detail = alice_client.get(f"/api/v1/api-keys/{body['id']}?mode=test").json()
    assert detail["key"] is None
    assert ApiKey.objects.get(pk=body["id"]).merchant == merchant


def test_public_keys_stay_readable(alice_client):
    body = alice_client.post("/api/v1/api-keys?mode=live", {"kind": "public"}, format="json").json()
    listed = alice_client.get("/api/v1/api-keys?mode=live").json()
    assert listed["data"][0]["key"] == body["key"]


def test_keys_are_listed_per_mode(alice_client, keys: Keys):
    live = alice_client.get("/api/v1/api-keys").json()
    test = alice_client.get("/api/v1/api-keys?mode=test").json()
    assert {k["mode"] for k in live["data"]} == {"live"}
    assert {k["mode"] for k in test["data"]} == {"test"}
    assert live["total"] == test["total"] == 2


def test_bad_mode_is_validation_error(alice_client):
    body = assert_error(alice_client.get("/api/v1/api-keys?mode=prod"), 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "mode", "message": "mode must be 'test' or 'live'"}]


def test_create_with_bad_kind_writes_nothing(alice_client):
    response = alice_client.post("/api/v1/api-keys", {"kind": "root"}, format="json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "kind"
    assert ApiKey.objects.count() == 0


def test_mass_assignment_of_merchant_or_mode_is_refused(alice_client, other_merchant):
    response = alice_client.post(
        "/api/v1/api-keys?mode=test",
        {"kind": "secret", "merchant": str(other_merchant.pk), "mode": "live"},
        format="json",
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert {d["field"] for d in body["details"]} == {"merchant", "mode"}
    assert ApiKey.objects.count() == 0


def test_roll_returns_a_new_secret_and_revokes_the_old(alice_client, keys: Keys):
    old = ApiKey.objects.get(prefix=keys.sk_live[:20])
    response = alice_client.post(f"/api/v1/api-keys/{old.pk}/roll", {}, format="json")
    assert response.status_code == 201
    new = response.json()
    assert new["key"].startswith("sk_live_") and new["key"] != keys.sk_live
    assert new["rolled_from"] == str(old.pk)
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert_error(api_client(keys.sk_live).get("/api/v1/api-keys"), 401, "UNAUTHORIZED")


def test_roll_with_grace_period_out_of_range_is_rejected(alice_client, keys: Keys):
    old = ApiKey.objects.get(prefix=keys.sk_live[:20])
    response = alice_client.post(
        f"/api/v1/api-keys/{old.pk}/roll", {"expires_in_hours": 500}, format="json"
    )
    assert_error(response, 400, "VALIDATION_ERROR")
    assert ApiKey.objects.filter(merchant=old.merchant).count() == 4


def test_delete_revokes_the_key_and_it_is_then_not_found(alice_client, keys: Keys):
    key = ApiKey.objects.get(prefix=keys.sk_live[:20])

    response = alice_client.delete(f"/api/v1/api-keys/{key.pk}")

    assert response.status_code == 204
    assert response.content == b""
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert_error(alice_client.get(f"/api/v1/api-keys/{key.pk}"), 404, "NOT_FOUND")
    assert_error(alice_client.delete(f"/api/v1/api-keys/{key.pk}"), 404, "NOT_FOUND")
    listed = alice_client.get("/api/v1/api-keys").json()
    assert [k["id"] for k in listed["data"]] == [
        str(ApiKey.objects.get(prefix=keys.pk_live[:20]).pk)
    ]
    assert listed["total"] == 1
    assert_error(api_client(keys.sk_live).get("/api/v1/conversions"), 401, "INVALID_API_KEY")


def test_revoke_answers_the_final_state_then_the_key_is_not_found(alice_client, keys: Keys):
    key = ApiKey.objects.get(prefix=keys.pk_live[:20])

    response = alice_client.post(f"/api/v1/api-keys/{key.pk}/revoke")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (str(key.pk), "revoked")
    assert_error(alice_client.get(f"/api/v1/api-keys/{key.pk}"), 404, "NOT_FOUND")
    assert str(key.pk) not in {k["id"] for k in alice_client.get("/api/v1/api-keys").json()["data"]}


def test_a_deleted_key_stays_in_the_dashboard_history(alice_client, alice, merchant, keys: Keys):
    key = ApiKey.objects.get(prefix=keys.sk_live[:20])
    alice_client.delete(f"/api/v1/api-keys/{key.pk}")

    page = browser(alice, merchant).get("/dashboard/developers/keys/")

    assert page.status_code == 200
    assert key.redacted in page.content.decode()


def test_rolling_a_revoked_key_is_not_found(alice_client, keys: Keys):
    key = ApiKey.objects.get(prefix=keys.sk_live[:20])
    alice_client.post(f"/api/v1/api-keys/{key.pk}/revoke")
    assert_error(
        alice_client.post(f"/api/v1/api-keys/{key.pk}/roll", {}, format="json"), 404, "NOT_FOUND"
    )


def test_other_merchants_keys_are_not_found(charlie_client, keys: Keys):
    key = ApiKey.objects.get(prefix=keys.sk_live[:20])
    for method, path in [
        ("get", f"/api/v1/api-keys/{key.pk}"),
        ("post", f"/api/v1/api-keys/{key.pk}/roll"),
        ("post", f"/api/v1/api-keys/{key.pk}/revoke"),
        ("delete", f"/api/v1/api-keys/{key.pk}"),
    ]:
        assert_error(getattr(charlie_client, method)(path), 404, "NOT_FOUND")
    key.refresh_from_db()
    assert key.revoked_at is None


def test_key_of_the_other_mode_is_not_found(alice_client, keys: Keys):
    key = ApiKey.objects.get(prefix=keys.sk_live[:20])
    assert_error(alice_client.get(f"/api/v1/api-keys/{key.pk}?mode=test"), 404, "NOT_FOUND")


def test_members_cannot_manage_keys(bob_client, keys: Keys):
    assert_error(bob_client.get("/api/v1/api-keys"), 403, "FORBIDDEN")
    assert_error(
        bob_client.post("/api/v1/api-keys", {"kind": "secret"}, format="json"), 403, "FORBIDDEN"
    )


def test_partners_cannot_manage_keys(partner_client):
    assert_error(partner_client.get("/api/v1/api-keys"), 403, "FORBIDDEN")


@pytest.mark.parametrize("key_id", ["960-BB046981307BaEFaF59CbEd7D0d48BF4", "0" * 36, "-" * 36])
def test_malformed_key_ids_are_not_found(alice_client, key_id):
    assert_error(alice_client.get(f"/api/v1/api-keys/{key_id}"), 404, "NOT_FOUND")
    assert_error(
        alice_client.post(f"/api/v1/api-keys/{key_id}/roll", {}, format="json"), 404, "NOT_FOUND"
    )
