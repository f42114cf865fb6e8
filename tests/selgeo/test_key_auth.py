"""pk_/sk_ key authentication: the reference's codes for each endpoint kind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services
from accounts.models import ApiKey
from partners.models import Program
from tests.conftest import Keys, api_client, assert_error, jwt_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.selgeo.probe_urls")]

SECRET_BODY = {"amount_cents": 100, "currency": "EUR"}


def _program(merchant, mode):
    return Program.objects.create(
        merchant=merchant,
        mode=mode,
        code=f"prog-{mode}",
        name="Program",
        currency="EUR",
        commission_type="cpa",
        cpa_amount_cents=1000,
        landing_url="https://shop.example.com/",
    )


def test_public_key_authenticates_with_its_mode(keys: Keys, merchant):
    response = api_client(keys.pk_live).post("/api/v1/probe/public", {}, format="json")
    assert response.status_code == 201
    assert response.json() == {"merchant": str(merchant.pk), "mode": "live"}


def test_secret_key_authenticates_with_its_mode(keys: Keys):
    response = api_client(keys.sk_test).post("/api/v1/probe/secret", SECRET_BODY, format="json")
    assert response.status_code == 201
    assert response.json()["mode"] == "test"


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v1/probe/public", "INVALID_PUBLIC_KEY"),
        ("/api/v1/probe/secret", "INVALID_API_KEY"),
    ],
)
def test_missing_key_uses_the_endpoint_code(anon_client, path, code):
    assert_error(anon_client.post(path, {}, format="json"), 401, code)


def test_missing_key_on_audit_endpoint_is_invalid_secret_key(anon_client):
    assert_error(anon_client.get("/api/v1/probe/audit/x"), 401, "INVALID_SECRET_KEY")


@pytest.mark.parametrize(
    "token",
    [
        "sk_test_short",
        "sk_test_" + "A" * 44,
        "sk_prod_" + "A" * 44,
        "pk_test_" + "!" * 44,
        "garbage",
    ],
)
def test_garbled_secret_key_is_invalid_api_key(token):
    response = api_client(token).post("/api/v1/probe/secret", SECRET_BODY, format="json")
    assert_error(response, 401, "INVALID_API_KEY")


def test_malformed_key_costs_no_database_query():
    client = api_client("sk_test_not-a-key")
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/probe/secret", SECRET_BODY, format="json")
    assert response.status_code == 401
    assert len(queries) == 0


def test_key_with_wrong_secret_part_is_invalid(keys: Keys):
    tampered = keys.sk_test[:-1] + ("A" if keys.sk_test[-1] != "A" else "B")
    response = api_client(tampered).post("/api/v1/probe/secret", SECRET_BODY, format="json")
    assert_error(response, 401, "INVALID_API_KEY")


def test_public_key_on_secret_endpoint_is_forbidden(keys: Keys):
    response = api_client(keys.pk_test).post("/api/v1/probe/secret", SECRET_BODY, format="json")
    assert_error(response, 403, "FORBIDDEN")


def test_secret_key_on_public_endpoint_is_forbidden(keys: Keys):
    response = api_client(keys.sk_test).post("/api/v1/probe/public", {}, format="json")
    assert_error(response, 403, "FORBIDDEN")


def test_garbled_public_key_is_invalid_public_key():
    response = api_client("pk_live_" + "z" * 44).post("/api/v1/probe/public", {}, format="json")
    assert_error(response, 401, "INVALID_PUBLIC_KEY")


def test_secret_key_on_dashboard_endpoint_is_forbidden(keys: Keys):
    assert_error(api_client(keys.sk_live).get("/api/v1/api-keys"), 403, "FORBIDDEN")


def test_jwt_on_secret_endpoint_is_invalid_api_key(alice, merchant):
    client = api_client(jwt_for(alice, merchant))
    assert_error(
        client.post("/api/v1/probe/secret", SECRET_BODY, format="json"), 401, "INVALID_API_KEY"
    )


def test_revoked_key_stops_at_once(keys: Keys):
    client = api_client(keys.sk_test)
    assert client.post("/api/v1/probe/secret", SECRET_BODY, format="json").status_code == 201
    key = ApiKey.objects.get(prefix=keys.sk_test[:20])
    services.api_key_revoke(api_key=key)
    assert_error(
        client.post("/api/v1/probe/secret", SECRET_BODY, format="json"), 401, "INVALID_API_KEY"
    )


def test_rolled_key_replaces_the_old_one_immediately(keys: Keys):
    old = ApiKey.objects.get(prefix=keys.sk_test[:20])
    issued = services.api_key_roll(api_key=old)
    assert issued.raw != keys.sk_test
    assert issued.api_key.rolled_from_id == old.pk
    assert_error(
        api_client(keys.sk_test).post("/api/v1/probe/secret", SECRET_BODY, format="json"),
        401,
        "INVALID_API_KEY",
    )
    response = api_client(issued.raw).post("/api/v1/probe/secret", SECRET_BODY, format="json")
    assert response.status_code == 201


def test_rolled_key_with_grace_period_keeps_working_until_it_expires(keys: Keys, time_machine):
    old = ApiKey.objects.get(prefix=keys.sk_test[:20])
    services.api_key_roll(api_key=old, expires_in_hours=2)
    client = api_client(keys.sk_test)
    assert client.post("/api/v1/probe/secret", SECRET_BODY, format="json").status_code == 201
    time_machine.move_to(timezone.now() + timedelta(hours=2, seconds=1))
    assert_error(
        client.post("/api/v1/probe/secret", SECRET_BODY, format="json"), 401, "INVALID_API_KEY"
    )


def test_test_key_cannot_see_live_data(keys: Keys, merchant):
    live_program = _program(merchant, "live")
    response = api_client(keys.sk_test).get(f"/api/v1/probe/audit/{live_program.pk}")
    assert_error(response, 404, "NOT_FOUND")
    response = api_client(keys.sk_live).get(f"/api/v1/probe/audit/{live_program.pk}")
    assert response.status_code == 200


def test_other_merchants_key_cannot_see_data(other_keys: Keys, merchant):
    program = _program(merchant, "live")
    response = api_client(other_keys.sk_live).get(f"/api/v1/probe/audit/{program.pk}")
    assert_error(response, 404, "NOT_FOUND")


def test_secrets_are_stored_only_as_digests(keys: Keys):
    for raw in (keys.sk_test, keys.sk_live):
        key = ApiKey.objects.get(prefix=raw[:20])
        assert raw not in {key.secret_hash, key.public_value, key.name, key.last4}
        assert key.public_value == ""
        assert key.last4 == raw[-4:]
    public = ApiKey.objects.get(prefix=keys.pk_test[:20])
    assert public.public_value == keys.pk_test
