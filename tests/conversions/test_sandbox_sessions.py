"""Test sessions: a test click id, then what the merchant's integration sent with it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Partner
from conversions.models import TestSession as SessionRow
from partners.models import Program
from tests.conftest import Keys, api_client, assert_error
from tests.conversions.conftest import body, post
from tests.conversions.factories import ApplicationFactory, ClickFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(test_program: Program, partner: Partner) -> Partner:
    """The test program has an approved test-mode partner."""
    ApplicationFactory(program=test_program, partner=partner)
    return partner


def create(client: Any, program: Any = "SANDBOX") -> Any:
    return client.post("/api/v1/test-sessions", {"program": program}, format="json")


def test_creating_a_session_gives_a_test_click_and_a_token(
    sk_test: Any, ready: Partner, test_program: Program
) -> None:
    response = create(sk_test, "sandbox")

    assert response.status_code == 201, response.content
    data = response.json()
    session = SessionRow.objects.get()
    click = Click.objects.get(pk=data["test_click_id"])
    assert data["token"].startswith("tss_") and len(data["token"]) > 30
    assert session.token_hash != data["token"] and data["token"] not in str(session.__dict__)
    assert (click.mode, click.program, click.partner, click.source) == (
        "test",
        test_program,
        ready,
        "test",
    )
    assert data["status"] == "waiting"
    assert data["program"] == {
        "id": str(test_program.pk),
        "code": "SANDBOX",
        "name": test_program.name,
    }
    assert data["partner"] == {"id": str(ready.pk), "display_name": ready.display_name}
    assert (data["conversion_id"], data["attempts"], data["attribution"]) == (None, 0, None)
    assert data["validation"] == {"fields_valid": None, "fields": {}}
    assert session.expires_at - session.created_at == timedelta(hours=1)


def test_a_valid_conversion_marks_the_session_received(sk_test: Any, ready: Partner) -> None:
    created = create(sk_test).json()
    conversion = post(
        sk_test, body(click_id=created["test_click_id"], customer_id="c1", metadata={"a": 1})
    )
    assert conversion.status_code == 201

    response = sk_test.get(f"/api/v1/test-sessions/{created['token']}")

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "received" and data["attempts"] == 1
    assert data["conversion_id"] == conversion.json()["id"]
    assert data["validation"]["fields_valid"] is True
    assert data["validation"]["fields"] == {
        name: {"status": "ok", "errors": []}
        for name in [
            "amount_cents",
            "click_id",
            "currency",
            "customer_id",
            "event_type",
            "external_transaction_id",
            "metadata",
        ]
    }
    assert data["attribution"] == {
        "attributed": True,
        "code": "attributed_click",
        "message": conversion.json()["attribution"]["explanation"]["message"],
    }
    assert "token" not in data


def test_an_invalid_conversion_is_reported_field_by_field(sk_test: Any, ready: Partner) -> None:
    created = create(sk_test).json()
    refused = post(
        sk_test, body(click_id=created["test_click_id"], amount_cents="19.99", currency="EURO")
    )
    assert refused.status_code == 400

    data = sk_test.get(f"/api/v1/test-sessions/{created['token']}").json()

    assert (data["status"], data["attempts"], data["conversion_id"]) == ("received", 1, None)
    fields = data["validation"]["fields"]
    assert data["validation"]["fields_valid"] is False
    assert fields["amount_cents"] == {
        "status": "error",
        "errors": ["Expected an integer, received string"],
    }
    assert fields["currency"]["status"] == "error"
    assert fields["click_id"] == {"status": "ok", "errors": []}
    assert data["attribution"] is None


def test_a_field_name_postgresql_cannot_store_is_reported_readably(
    sk_test: Any, ready: Partner
) -> None:
    # The report is stored as jsonb, which holds no NUL: the name is kept, made visible.
    created = create(sk_test).json()
    refused = post(sk_test, {**body(click_id=created["test_click_id"]), "note\x00": 1})
    assert refused.status_code == 400

    data = sk_test.get(f"/api/v1/test-sessions/{created['token']}").json()

    assert (data["status"], data["attempts"]) == ("received", 1)
    assert data["validation"]["fields"]["note\\u0000"]["status"] == "error"
    assert data["validation"]["fields"]["click_id"] == {"status": "ok", "errors": []}


def test_the_latest_attempt_is_reported(sk_test: Any, ready: Partner) -> None:
    created = create(sk_test).json()
    post(sk_test, body(click_id=created["test_click_id"], amount_cents=-5))
    post(sk_test, body(click_id=created["test_click_id"]))

    data = sk_test.get(f"/api/v1/test-sessions/{created['token']}").json()

    assert data["attempts"] == 2 and data["validation"]["fields_valid"] is True


def test_a_conversion_after_expiry_is_not_recorded_and_status_is_expired(
    sk_test: Any, ready: Partner
) -> None:
    created = create(sk_test).json()
    SessionRow.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert post(sk_test, body(click_id=created["test_click_id"])).status_code == 201
    data = sk_test.get(f"/api/v1/test-sessions/{created['token']}").json()

    assert (data["status"], data["attempts"], data["conversion_id"]) == ("expired", 0, None)


def test_conversions_with_other_clicks_leave_the_session_alone(
    sk_test: Any, ready: Partner, test_click: Click
) -> None:
    created = create(sk_test).json()

    post(sk_test, body(click_id=str(test_click.pk)))
    post(sk_test, body(click_id=str(test_click.pk), amount_cents=1.5, external_transaction_id="x"))

    assert sk_test.get(f"/api/v1/test-sessions/{created['token']}").json()["status"] == "waiting"


def test_live_key_cannot_create_a_session(keys: Keys, ready: Partner, program: Program) -> None:
    assert_error(create(api_client(keys.sk_live), "SUMMER"), 403, "FORBIDDEN")
    assert SessionRow.objects.count() == 0 and Click.objects.count() == 0


def test_unknown_or_live_program_is_400(sk_test: Any, program: Program) -> None:
    for code in ("NOPE", "SUMMER"):
        error = assert_error(create(sk_test, code), 400, "VALIDATION_ERROR")
        assert error["details"][0]["field"] == "program"
    assert SessionRow.objects.count() == 0


def test_program_without_approved_test_partner_is_400(
    sk_test: Any, test_program: Program, partner: Partner
) -> None:
    ApplicationFactory(program=test_program, partner=partner, status="pending")

    error = assert_error(create(sk_test), 400, "VALIDATION_ERROR")

    assert "no approved test-mode partner" in error["details"][0]["message"]
    assert Click.objects.count() == 0


@pytest.mark.parametrize("payload", [{}, {"program": 5}, {"program": "SANDBOX", "x": 1}])
def test_bad_bodies_are_400(sk_test: Any, ready: Partner, payload: Any) -> None:
    response = sk_test.post("/api/v1/test-sessions", payload, format="json")

    assert_error(response, 400, "VALIDATION_ERROR")


def test_sessions_are_private_to_their_merchant_and_mode(
    sk_test: Any, keys: Keys, other_keys: Keys, ready: Partner
) -> None:
    token = create(sk_test).json()["token"]

    for client in (api_client(other_keys.sk_test), api_client(keys.sk_live)):
        assert_error(client.get(f"/api/v1/test-sessions/{token}"), 404, "NOT_FOUND")
    assert_error(sk_test.get("/api/v1/test-sessions/tss_unknown"), 404, "NOT_FOUND")


def test_sessions_need_a_secret_key(anon_client: Any, alice_client: Any, keys: Keys) -> None:
    assert_error(create(anon_client), 401, "INVALID_API_KEY")
    assert_error(create(alice_client), 401, "INVALID_API_KEY")
    assert_error(create(api_client(keys.pk_test)), 403, "FORBIDDEN")
    assert_error(anon_client.get("/api/v1/test-sessions/tss_x"), 401, "INVALID_API_KEY")


def test_the_test_click_is_a_normal_test_mode_click(
    sk_test: Any, keys: Keys, ready: Partner
) -> None:
    created = create(sk_test).json()

    response = post(api_client(keys.sk_live), body(click_id=created["test_click_id"]))

    assert_error(response, 422, "MODE_MISMATCH")
    assert ClickFactory._meta.model.objects.filter(mode="live").count() == 0


def test_a_missing_amount_for_a_percentage_program_is_reported(
    sk_test: Any, ready: Partner
) -> None:
    created = create(sk_test).json()
    refused = post(sk_test, body(click_id=created["test_click_id"], drop=("amount_cents",)))
    assert refused.status_code == 400

    fields = sk_test.get(f"/api/v1/test-sessions/{created['token']}").json()["validation"]["fields"]

    assert fields["amount_cents"] == {
        "status": "error",
        "errors": ["Required: program SANDBOX pays a percentage of the amount (cps)"],
    }
    assert fields["currency"] == {"status": "ok", "errors": []}


def test_charlie_cannot_open_a_session_on_acmes_program(other_keys: Keys, ready: Partner) -> None:
    response = create(api_client(other_keys.sk_test))

    assert_error(response, 400, "VALIDATION_ERROR")
    assert SessionRow.objects.count() == 0
