"""Test sessions in the dialect: a `test_` click id, a test conversion, its validation."""

from __future__ import annotations

import pytest

from conversions.models import Conversion, TestSession
from tests.compat.conftest import BASE, assert_dialect_error, report, shape
from tests.conversions.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

REFERENCE_CREATED = {
    "success": True,
    "data": {
        "testClickId": "test_0M8K2L9P5QRS",
        "sessionToken": "abc123...",
        "expiresAt": 1706234867890,
    },
}
REFERENCE_SESSION = {
    "success": True,
    "data": {"status": "received", "validation": {"signatureValid": True, "fieldsValid": True}},
}


@pytest.fixture
def sandbox_offer(merchant, partner):
    program = ProgramFactory(merchant=merchant, mode="test", code="SANDBOX", currency="USD")
    ApplicationFactory(program=program, partner=partner)
    return program


def test_a_session_gives_a_test_click_id_and_sees_the_test_conversion(test_key, sandbox_offer):
    created = test_key.post(
        f"{BASE}/api/v1/test-sessions", {"offer_code": "SANDBOX"}, format="json"
    )
    assert created.status_code == 200
    assert shape(created.json()) == shape(REFERENCE_CREATED)
    data = created.json()["data"]
    session = TestSession.objects.get()
    assert data["testClickId"] == f"test_{session.click_id}"
    assert data["expiresAt"] == int(session.expires_at.timestamp() * 1000)
    url = f"{BASE}/api/v1/test-sessions/{data['sessionToken']}"
    waiting = test_key.get(url).json()
    assert waiting["data"] == {
        "status": "waiting",
        "validation": {"signatureValid": False, "fieldsValid": False},
    }

    reported = report(
        test_key, offer_code="SANDBOX", click_id=data["testClickId"], txid="T1", amount="149.99"
    )

    assert reported.json()["data"]["tracked"] is True
    assert Conversion.objects.get().mode == "test"
    assert test_key.get(url).json() == REFERENCE_SESSION


def test_a_refused_test_conversion_is_reported_on_its_session(test_key, sandbox_offer):
    data = test_key.post(
        f"{BASE}/api/v1/test-sessions", {"offer_code": "SANDBOX"}, format="json"
    ).json()["data"]

    refused = report(test_key, offer_code="SANDBOX", click_id=data["testClickId"], txid="T1")

    assert_dialect_error(
        refused, 400, "VALIDATION_ERROR", "amount required for CPS/RevShare/percentage offers"
    )
    session = test_key.get(f"{BASE}/api/v1/test-sessions/{data['sessionToken']}").json()
    assert session["data"] == {
        "status": "received",
        "validation": {"signatureValid": True, "fieldsValid": False},
    }
    fields = TestSession.objects.get().validation["fields"]
    assert fields["amount"]["errors"] == ["amount required for CPS/RevShare/percentage offers"]


def test_sessions_need_a_test_key_and_a_known_offer(live, test_key, sandbox_offer):
    url = f"{BASE}/api/v1/test-sessions"
    assert_dialect_error(
        live.post(url, {"offer_code": "SANDBOX"}, format="json"),
        400,
        "VALIDATION_ERROR",
        "Test sessions need a test-mode key (sk_test_*)",
    )
    assert_dialect_error(
        test_key.post(url, {"offer_code": "NOPE"}, format="json"),
        400,
        "VALIDATION_ERROR",
        "Offer not found",
    )
    assert_dialect_error(
        test_key.post(url, {}, format="json"), 400, "VALIDATION_ERROR", "Missing offer_code"
    )
    assert not TestSession.objects.exists()
