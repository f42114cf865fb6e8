"""API keys: a new secret shows once; roll and revoke; members and outsiders are refused."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.keys import hash_key
from accounts.models import ApiKey
from tests.dashboard.conftest import page, switch_mode

pytestmark = pytest.mark.django_db


def test_keys_page_lists_the_modes_keys_only(alice_web, merchant):
    live = services.api_key_create(merchant=merchant, kind="secret", mode="live").api_key
    test = services.api_key_create(merchant=merchant, kind="secret", mode="test").api_key
    response = alice_web.get("/dashboard/developers/keys/")
    assert response.status_code == 200
    assert [key.pk for key in response.context["keys"]] == [live.pk]
    assert test.redacted not in page(response)


def test_creating_a_secret_key_shows_it_once_and_stores_only_its_digest(alice_web, merchant):
    response = alice_web.post("/dashboard/developers/keys/", {"kind": "secret", "name": "Server"})
    assert response["Location"] == "/dashboard/developers/keys/"
    key = ApiKey.objects.get(merchant=merchant)
    assert (key.kind, key.mode, key.name) == ("secret", "live", "Server")
    shown = alice_web.get("/dashboard/developers/keys/")
    [secret] = shown.context["new_secrets"]
    raw = secret["raw"]
    assert (secret["id"], secret["mode"]) == (str(key.pk), "live")
    assert raw.startswith("sk_live_") and raw in page(shown)
    assert "Copy it now: it will not be shown again." in page(shown)
    assert key.secret_hash == hash_key(raw) and key.public_value == ""
    again = alice_web.get("/dashboard/developers/keys/")
    assert again.context["new_secrets"] == []
    assert raw not in page(again)


def test_creating_a_key_in_test_mode_makes_a_test_key(alice_web, merchant):
    switch_mode(alice_web, "test")
    alice_web.post("/dashboard/developers/keys/", {"kind": "public", "name": ""})
    key = ApiKey.objects.get(merchant=merchant)
    assert (key.kind, key.mode) == ("public", "test")
    assert key.public_value.startswith("pk_test_")


def test_rolling_a_key_issues_a_new_secret_and_revokes_the_old(alice_web, merchant):
    old = services.api_key_create(merchant=merchant, kind="secret", mode="live").api_key
    response = alice_web.post(
        f"/dashboard/developers/keys/{old.pk}/roll/", {"expires_in_hours": "0"}
    )
    assert response["Location"] == "/dashboard/developers/keys/"
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = ApiKey.objects.get(rolled_from=old)
    shown = alice_web.get("/dashboard/developers/keys/")
    [secret] = shown.context["new_secrets"]
    assert secret["id"] == str(new.pk)
    assert new.secret_hash == hash_key(secret["raw"])


def test_rolling_with_a_grace_period_keeps_the_old_key_until_then(alice_web, merchant):
    old = services.api_key_create(merchant=merchant, kind="secret", mode="live").api_key
    alice_web.post(f"/dashboard/developers/keys/{old.pk}/roll/", {"expires_in_hours": "24"})
    old.refresh_from_db()
    assert old.revoked_at is None and old.expires_at is not None


def test_revoking_a_key(alice_web, merchant):
    key = services.api_key_create(merchant=merchant, kind="secret", mode="live").api_key
    alice_web.post(f"/dashboard/developers/keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_a_member_cannot_see_or_manage_keys(bob_web, merchant):
    key = services.api_key_create(merchant=merchant, kind="secret", mode="live").api_key
    assert bob_web.get("/dashboard/developers/keys/").status_code == 403
    assert bob_web.post("/dashboard/developers/keys/", {"kind": "secret"}).status_code == 403
    assert bob_web.post(f"/dashboard/developers/keys/{key.pk}/roll/").status_code == 403
    assert bob_web.post(f"/dashboard/developers/keys/{key.pk}/revoke/").status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None
    assert ApiKey.objects.count() == 1


def test_another_merchants_or_modes_key_is_not_found(alice_web, merchant, other_merchant):
    theirs = services.api_key_create(merchant=other_merchant, kind="secret", mode="live").api_key
    test_key = services.api_key_create(merchant=merchant, kind="secret", mode="test").api_key
    for key in (theirs, test_key):
        assert alice_web.post(f"/dashboard/developers/keys/{key.pk}/revoke/").status_code == 404
        assert alice_web.post(f"/dashboard/developers/keys/{key.pk}/roll/").status_code == 404
        key.refresh_from_db()
        assert key.revoked_at is None
    assert ApiKey.objects.count() == 2
