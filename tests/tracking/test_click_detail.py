"""GET /v1/clicks/<id>: a click of the public key's merchant and mode, as recorded."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Merchant
from partners.models import ReferralCode
from tests.conftest import Keys, api_client, assert_error
from tests.tracking.conftest import BROWSER_UA, post_click

pytestmark = pytest.mark.django_db


def _recorded(client: APIClient, code: str) -> dict[str, object]:
    response = post_click(client, {"referral_code": code})
    assert response.status_code == 201, response.content
    data: dict[str, object] = response.json()
    return data


def test_a_click_reads_back_as_it_was_answered(
    pk_test_client: APIClient, code: ReferralCode
) -> None:
    recorded = _recorded(pk_test_client, code.code)

    response = pk_test_client.get(f"/v1/clicks/{recorded['click_id']}")

    assert response.status_code == 200
    assert response.json() == recorded
    assert response["Cache-Control"] == "no-store"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_other_modes_click_is_404(
    pk_test_client: APIClient, pk_live_client: APIClient, code: ReferralCode
) -> None:
    recorded = _recorded(pk_test_client, code.code)

    assert_error(pk_live_client.get(f"/v1/clicks/{recorded['click_id']}"), 404, "NOT_FOUND")


def test_another_merchants_click_is_404(
    pk_test_client: APIClient, code: ReferralCode, other_merchant: Merchant
) -> None:
    recorded = _recorded(pk_test_client, code.code)
    outsider = account_services.api_key_create(
        merchant=other_merchant, kind="public", mode="test"
    ).raw

    response = api_client(outsider, HTTP_USER_AGENT=BROWSER_UA).get(
        f"/v1/clicks/{recorded['click_id']}"
    )

    assert_error(response, 404, "NOT_FOUND")


def test_unknown_and_malformed_ids_are_404(pk_test_client: APIClient) -> None:
    assert_error(pk_test_client.get(f"/v1/clicks/{uuid.uuid4()}"), 404, "NOT_FOUND")
    assert_error(pk_test_client.get("/v1/clicks/not-a-uuid"), 404, "NOT_FOUND")


def test_missing_key_is_401_and_secret_key_is_403(
    anon_client: APIClient, keys: Keys, pk_test_client: APIClient, code: ReferralCode
) -> None:
    recorded = _recorded(pk_test_client, code.code)
    path = f"/v1/clicks/{recorded['click_id']}"

    assert_error(anon_client.get(path), 401, "INVALID_PUBLIC_KEY")
    assert_error(api_client(keys.sk_test).get(path), 403, "FORBIDDEN")
