"""Every error on API paths is the reference envelope, never an HTML page or a 500 body."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client

from accounts.models import ApiKey
from tests.conftest import Keys, api_client, assert_error
from tests.tracking.conftest import BROWSER_UA
from tests.tracking.factories import ProgramFactory, ReferralCodeFactory
from tracking.models import Click

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.selgeo.probe_urls")]


def test_unknown_api_path_is_json_404(anon_client):
    response = anon_client.get("/api/v1/does-not-exist")
    assert_error(response, 404, "NOT_FOUND")


def test_unknown_tracking_path_is_json_404(anon_client):
    response = anon_client.get("/v1/nothing-here")
    assert_error(response, 404, "NOT_FOUND")


def test_unknown_page_outside_api_is_html(anon_client):
    response = anon_client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_wrong_method_is_405_envelope(anon_client):
    response = anon_client.delete("/api/v1/probe/open")
    body = assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "DELETE" in body["message"]


def test_unhandled_exception_is_500_envelope():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/probe/crash")
    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert "boom" not in json.dumps(body)


def test_malformed_json_is_validation_error(keys: Keys):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {keys.sk_test}")
    response = client.post(
        "/api/v1/probe/secret", data='{"amount_cents": 1,', content_type="application/json"
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "body"


@pytest.mark.parametrize(
    "raw",
    [
        '{"amount_cents": 1, "currency": "\\ud800"}',
        '{"amount_cents": 1e400, "currency": "EUR"}',
        '{"amount_cents": 1, "currency": ' + "[" * 5000 + "]" * 5000 + "}",
        b'{"amount_cents": 1, "currency": "\xff"}',
    ],
    ids=["lone-surrogate", "overflow", "deep", "invalid-utf-8"],
)
def test_json_no_stored_value_could_hold_is_malformed_everywhere(keys: Keys, raw: str | bytes):
    # JSON's grammar admits them; text columns, numbers and the stack do not.
    client = Client(HTTP_AUTHORIZATION=f"Bearer {keys.sk_test}")
    response = client.post("/api/v1/probe/secret", data=raw, content_type="application/json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "body"


def test_wrong_content_type_is_validation_error(keys: Keys):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {keys.sk_test}")
    response = client.post("/api/v1/probe/secret", data="amount_cents=1", content_type="text/plain")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        {"field": "Content-Type", "message": "Send the body as application/json"}
    ]


def test_oversized_body_is_413_before_authentication(settings, keys: Keys):
    settings.SELGEO_MAX_BODY_BYTES = 1024
    client = Client(HTTP_AUTHORIZATION=f"Bearer {keys.sk_test}")
    payload = json.dumps({"amount_cents": 1, "currency": "EUR", "pad": "x" * 2000})
    response = client.post("/api/v1/probe/secret", data=payload, content_type="application/json")
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_unknown_field_is_rejected_by_name(keys: Keys):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {keys.sk_test}")
    response = client.post(
        "/api/v1/probe/secret",
        data={"amount_cents": 1, "currency": "EUR", "amount": 1},
        content_type="application/json",
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "amount", "message": "Unknown field"}]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("19", "Expected an integer, received string"),
        (19.0, "Expected an integer, received number"),
        (19.99, "Expected an integer, received number"),
        (True, "Expected an integer, received boolean"),
        (None, "This field may not be null."),
        (-1, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_money_accepts_json_integers_only(keys: Keys, value, message):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {keys.sk_test}")
    response = client.post(
        "/api/v1/probe/secret",
        data=json.dumps({"amount_cents": value, "currency": "EUR"}),
        content_type="application/json",
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "amount_cents", "message": message}]


def test_nan_is_not_money(keys: Keys):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {keys.sk_test}")
    response = client.post(
        "/api/v1/probe/secret",
        data='{"amount_cents": NaN, "currency": "EUR"}',
        content_type="application/json",
    )
    assert_error(response, 400, "VALIDATION_ERROR")


def test_unknown_currency_is_rejected(keys: Keys):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {keys.sk_test}")
    response = client.post(
        "/api/v1/probe/secret",
        data={"amount_cents": 100, "currency": "XXQ"},
        content_type="application/json",
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "currency", "message": "Unknown ISO 4217 currency code"}]


def test_body_must_be_an_object(keys: Keys):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {keys.sk_test}")
    response = client.post("/api/v1/probe/secret", data="[1, 2]", content_type="application/json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": "body", "message": "Expected a JSON object"}]


def test_valid_request_passes_and_writes_nothing_extra(keys: Keys):
    before = ApiKey.objects.count()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {keys.sk_test}")
    response = client.post(
        "/api/v1/probe/secret",
        data={"amount_cents": 4900, "currency": "EUR"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json() == {"mode": "test", "amount_cents": 4900, "currency": "EUR"}
    assert ApiKey.objects.count() == before


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_lost_database_connection_is_503_and_the_next_call_reconnects(
    settings, keys: Keys, merchant
):
    settings.SELGEO_RATELIMITS_ENABLED = False
    program = ProgramFactory(merchant=merchant, mode="live", code="SUMMER")
    ReferralCodeFactory(program=program, code="JaneLive")
    client = api_client(keys.pk_live, HTTP_USER_AGENT=BROWSER_UA)

    def click() -> Any:
        return client.post("/v1/clicks", {"referral_code": "JaneLive"}, format="json")

    assert click().status_code == 201
    # The server drops the persistent connection (a restart, a failover).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    params = connection.get_connection_params()
    address = {k: params[k] for k in ("dbname", "user", "host", "port", "password") if k in params}
    with psycopg.connect(**address, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    response = click()
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert response["Retry-After"] == "5"
    # Outside tests Django does this when every request finishes: the broken connection
    # is dropped, and the next request opens a new one.
    close_old_connections()
    assert click().status_code == 201
    assert Click.objects.count() == 2


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/partners?q=jane%00doe", "q"),
        (
            "/api/v1/conversions?status=pending&external_transaction_id=a%00",
            "external_transaction_id",
        ),
        ("/api/v1/partners?q%00=x", "q"),
    ],
)
def test_a_null_character_in_a_query_parameter_is_refused_by_name(alice_client, path, field):
    # PostgreSQL text cannot hold NUL: the search would otherwise fail in the database.
    body = assert_error(alice_client.get(path), 400, "VALIDATION_ERROR")
    assert body["details"] == [{"field": field, "message": "Null characters are not allowed."}]


def test_a_query_without_null_characters_is_untouched(alice_client):
    assert alice_client.get("/api/v1/partners?q=jane%2500doe").status_code == 200
