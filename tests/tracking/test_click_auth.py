"""POST /v1/clicks takes public keys only, and counts 1,000 calls a minute per key."""

from __future__ import annotations

import pytest
import time_machine
from django.conf import settings as django_settings

from accounts import services as account_services
from accounts.models import ApiKey
from tests.conftest import api_client, assert_error, jwt_for
from tests.tracking.conftest import post_click
from tracking.models import Click

pytestmark = pytest.mark.django_db

BODY = {"referral_code": "JaneDoe"}


def test_missing_key_is_401_invalid_public_key(anon_client, code):
    response = post_click(anon_client, BODY)
    assert_error(response, 401, "INVALID_PUBLIC_KEY")
    assert Click.objects.count() == 0


@pytest.mark.parametrize(
    "token",
    [
        "pk_test_garbled",
        "pk_test_" + "A" * 44,
        "pk_live_short",
        "not-a-key",
    ],
)
def test_garbled_key_is_401_invalid_public_key(code, token):
    response = post_click(api_client(token), BODY)
    assert_error(response, 401, "INVALID_PUBLIC_KEY")
    assert Click.objects.count() == 0


def test_key_of_the_right_shape_with_a_wrong_secret_is_401(keys, code):
    forged = keys.pk_test[:-4] + ("AAAA" if not keys.pk_test.endswith("AAAA") else "BBBB")
    assert_error(post_click(api_client(forged), BODY), 401, "INVALID_PUBLIC_KEY")


def test_key_sent_with_another_scheme_is_401(keys, code):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {keys.pk_test}")
    assert_error(post_click(client, BODY), 401, "INVALID_PUBLIC_KEY")


def test_key_in_the_body_instead_of_the_header_is_401(anon_client, keys, code):
    response = post_click(anon_client, {**BODY, "key": keys.pk_test})
    assert_error(response, 401, "INVALID_PUBLIC_KEY")
    assert Click.objects.count() == 0


def test_revoked_key_is_401(keys, code):
    key = ApiKey.objects.get(prefix=keys.pk_test[:20])
    account_services.api_key_revoke(api_key=key)
    assert_error(post_click(api_client(keys.pk_test), BODY), 401, "INVALID_PUBLIC_KEY")
    assert Click.objects.count() == 0


@pytest.mark.parametrize("kind", ["sk_test", "sk_live"])
def test_secret_key_is_403_forbidden(keys, code, kind):
    response = post_click(api_client(getattr(keys, kind)), BODY)
    assert_error(response, 403, "FORBIDDEN")
    assert Click.objects.count() == 0


def test_dashboard_token_is_401_invalid_public_key(alice, merchant, code):
    response = post_click(api_client(jwt_for(alice, merchant)), BODY)
    assert_error(response, 401, "INVALID_PUBLIC_KEY")


def test_tracking_zone_is_1000_per_minute():
    assert django_settings.SELGEO_RATE_LIMITS["tracking"] == "1000/m"


@time_machine.travel("2026-03-04T05:06:07Z", tick=False)
def test_rate_limit_is_per_key_with_retry_after(keys, code, live_code, settings):
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "tracking": "3/m"}
    client = api_client(keys.pk_test)
    for _ in range(3):
        assert post_click(client, BODY).status_code == 201
    response = post_click(client, BODY)
    assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["Access-Control-Allow-Origin"] == "*"
    assert Click.objects.count() == 3
    # Another key (here the live one) has its own budget.
    other = post_click(api_client(keys.pk_live), {"referral_code": "JaneLive"})
    assert other.status_code == 201
    assert Click.objects.count() == 4
