"""POST /v1/clicks: what a recorded click answers and stores, and what the body accepts."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from selgeo.db import supports_prepared
from tests.conftest import assert_error
from tests.tracking.conftest import BROWSER_UA, post_click
from tests.tracking.factories import ReferralCodeFactory
from tracking.models import Click
from tracking.visitors import ip_hash

pytestmark = pytest.mark.django_db

LANDING = "https://acme.example.com/shoes?ref=JaneDoe&utm_source=blog"


@time_machine.travel("2026-05-06T07:08:09.123456Z", tick=False)
def test_click_with_referral_code_returns_201_and_stores_the_row(pk_test_client, code, merchant):
    response = post_click(
        pk_test_client,
        {
            "referral_code": "janedoe",
            "landing_url": LANDING,
            "referrer": "https://blog.example.org/review",
        },
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 201, response.content
    click = Click.objects.get()
    assert response.json() == {
        "click_id": str(click.id),
        "expires_at": "2026-06-20T07:08:09.123456Z",
        "program": "SPRING",
        "partner": str(code.partner_id),
        "attributable": True,
    }
    assert response["Cache-Control"] == "no-store"
    assert click.merchant_id == merchant.id
    assert click.mode == "test"
    assert click.program_id == code.program_id
    assert click.partner_id == code.partner_id
    assert click.referral_code_id == code.id
    assert click.landing_url == LANDING
    assert click.referrer == "https://blog.example.org/review"
    assert click.user_agent == BROWSER_UA
    assert click.ip_hash == ip_hash("203.0.113.7")
    assert click.country == ""
    assert click.is_bot is False
    assert click.source == "api"
    assert click.created_at == timezone.now()
    assert click.expires_at == click.created_at + timedelta(days=45)


def test_click_ids_are_time_ordered_uuid7(pk_test_client, code):
    with time_machine.travel("2026-01-01T00:00:00Z", tick=False):
        first = post_click(pk_test_client, {"referral_code": "JaneDoe"}).json()["click_id"]
    with time_machine.travel("2026-01-01T00:00:00.002Z", tick=False):
        second = post_click(pk_test_client, {"referral_code": "JaneDoe"}).json()["click_id"]
    assert uuid.UUID(first).version == 7
    assert first < second
    assert Click.objects.count() == 2


def test_live_key_records_a_live_click(pk_live_client, live_code):
    response = post_click(pk_live_client, {"referral_code": "JaneLive"})
    assert response.status_code == 201
    assert response.json()["program"] == "SUMMER"
    assert Click.objects.get().mode == "live"


def test_program_code_and_partner_name_the_partners_default_code(pk_test_client, code, program):
    ReferralCodeFactory(program=program, partner=code.partner, code="JaneOld", is_default=False)
    response = post_click(pk_test_client, {"program": "spring", "partner": str(code.partner_id)})
    assert response.status_code == 201, response.content
    assert response.json()["partner"] == str(code.partner_id)
    assert Click.objects.get().referral_code_id == code.id


def test_program_id_and_partner_work_too(pk_test_client, code, program):
    response = post_click(
        pk_test_client, {"program": str(program.id), "partner": str(code.partner_id)}
    )
    assert response.status_code == 201
    assert response.json()["program"] == "SPRING"


def test_partner_without_default_code_uses_its_oldest_active_code(pk_test_client, program, partner):
    older = ReferralCodeFactory(program=program, partner=partner, code="First", is_default=False)
    ReferralCodeFactory(program=program, partner=partner, code="Second", is_default=False)
    response = post_click(pk_test_client, {"program": "SPRING", "partner": str(partner.id)})
    assert response.status_code == 201
    assert Click.objects.get().referral_code_id == older.id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "referral_code"),
        ({"referral_code": "JaneDoe", "program": "SPRING"}, "referral_code"),
        ({"referral_code": "JaneDoe", "partner": str(uuid.uuid4())}, "referral_code"),
        ({"program": "SPRING"}, "partner"),
        ({"partner": str(uuid.uuid4())}, "program"),
        ({"referral_code": ""}, "referral_code"),
        ({"referral_code": 42}, "referral_code"),
        ({"referral_code": "has space"}, "referral_code"),
        ({"referral_code": "x" * 41}, "referral_code"),
        ({"program": "SPRING", "partner": 5}, "partner"),
        ({"program": "SPRING", "partner": "not-a-uuid"}, "partner"),
        ({"referral_code": "JaneDoe", "landing_url": "/relative"}, "landing_url"),
        ({"referral_code": "JaneDoe", "landing_url": "javascript:alert(1)"}, "landing_url"),
        (
            {"referral_code": "JaneDoe", "landing_url": "https://a.example/" + "x" * 2000},
            "landing_url",
        ),
        ({"referral_code": "JaneDoe", "landing_url": "https://a.example/\n"}, "landing_url"),
        ({"referral_code": "JaneDoe", "referrer": "x" * 2001}, "referrer"),
        ({"referral_code": "JaneDoe", "referrer": "https://a.example/\x00"}, "referrer"),
        ({"referral_code": "JaneDoe", "ip": "999.1.1.1"}, "ip"),
        ({"referral_code": "JaneDoe", "ip": 1234}, "ip"),
        ({"referral_code": "JaneDoe", "country": "DEU"}, "country"),
        ({"referral_code": "JaneDoe", "country": "1A"}, "country"),
        ({"referral_code": "JaneDoe", "user_agent": None}, "user_agent"),
        ({"referral_code": "JaneDoe", "key": "pk_test_x"}, "key"),
        ({"referral_code": "JaneDoe", "click_id": str(uuid.uuid4())}, "click_id"),
    ],
)
def test_invalid_body_is_400_with_the_field_and_records_nothing(pk_test_client, code, body, field):
    response = post_click(pk_test_client, body)
    details = assert_error(response, 400, "VALIDATION_ERROR")["details"]
    assert field in {detail["field"] for detail in details}, details
    assert Click.objects.count() == 0


def test_a_json_array_body_is_400(pk_test_client, code):
    response = pk_test_client.post("/v1/clicks", [1, 2], format="json")
    assert_error(response, 400, "VALIDATION_ERROR")
    assert Click.objects.count() == 0


def test_malformed_json_is_400(pk_test_client, code):
    response = pk_test_client.post("/v1/clicks", "{nope", content_type="application/json")
    assert_error(response, 400, "VALIDATION_ERROR")


def test_form_encoded_body_is_400(pk_test_client, code):
    response = pk_test_client.post("/v1/clicks", {"referral_code": "JaneDoe"})
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "Content-Type"


def test_get_is_405(pk_test_client):
    assert_error(pk_test_client.get("/v1/clicks"), 405, "METHOD_NOT_ALLOWED")


def test_oversized_body_is_413(pk_test_client, code, settings):
    settings.SELGEO_MAX_BODY_BYTES = 100
    response = post_click(pk_test_client, {"referral_code": "JaneDoe", "referrer": "x" * 200})
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert Click.objects.count() == 0


def test_openapi_documents_the_click_endpoint(anon_client):
    document = anon_client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/v1/clicks"]["post"]
    assert {"publicKey": []} in operation["security"]
    assert set(operation["responses"]) >= {"201", "400", "401", "403", "404", "422", "429"}
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    request_schema = document["components"]["schemas"]["ClickInRequest"]
    assert set(request_schema["properties"]) == {
        "referral_code",
        "program",
        "partner",
        "landing_url",
        "referrer",
        "user_agent",
        "ip",
        "country",
    }
    response_schema = document["components"]["schemas"]["ClickOut"]
    assert set(response_schema["properties"]) == {
        "click_id",
        "expires_at",
        "program",
        "partner",
        "attributable",
    }


def test_a_click_is_one_statement_without_rate_limits(pk_test_client, code, settings):
    # The hot path on PostgreSQL: key, code, program, partner, the click.created opt-in
    # and the INSERT in one statement. SQLite takes the general path: the key, the code
    # with its program and partner, whether anyone wants click.created (asked each time:
    # no process hears endpoint changes there), the INSERT.
    settings.SELGEO_RATELIMITS_ENABLED = False
    assert post_click(pk_test_client, {"referral_code": "JaneDoe"}).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = post_click(pk_test_client, {"referral_code": "JaneDoe"})
    assert response.status_code == 201
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    if supports_prepared():
        assert len(statements) == 1, statements
        assert "INSERT INTO tracking_click" in statements[0]
    else:
        assert len(statements) == 4, statements
        assert '"webhooks_webhookendpoint"' in statements[2]
        assert statements[3].startswith('INSERT INTO "tracking_click"')
    assert not any("FOR UPDATE" in sql or "FOR SHARE" in sql for sql in statements)
    assert Click.objects.get(pk=response.json()["click_id"]).referral_code == code


def test_with_rate_limits_a_click_adds_the_key_lookup(pk_test_client, code):
    # The per-key zone counts by key, so the key is resolved first (the count itself is
    # in the cache, not the database).
    assert post_click(pk_test_client, {"referral_code": "JaneDoe"}).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert post_click(pk_test_client, {"referral_code": "JaneDoe"}).status_code == 201
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    expected = 2 if supports_prepared() else 4
    assert len(statements) == expected, statements
    assert statements[0].startswith("SELECT") and '"accounts_apikey"' in statements[0]
    assert not any("FOR UPDATE" in sql or "FOR SHARE" in sql for sql in statements)
