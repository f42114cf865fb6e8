"""The commission-terms operations in the OpenAPI document: a summary, a description and
examples that fit their schemas; and real answers fit the document."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from tests.conversions.factories import ApplicationFactory, ProgramFactory
from tests.payouts.schema_check import assert_documented, check, closed

pytestmark = pytest.mark.django_db

PREFIXES = ("/api/v1/partner-groups", "/api/v1/programs/{program_pk}/")


@pytest.fixture(scope="module")
def document(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, operations in document["paths"].items()
        if path.startswith(PREFIXES)
        for method, op in operations.items()
        if method in {"get", "post", "patch", "delete"}
    ]


def test_every_terms_operation_is_described_with_valid_examples(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    operations = _operations(document)
    checked = 0
    for path, method, op in operations:
        assert op.get("summary") and op.get("description"), f"{method} {path}"
        for status, response in op["responses"].items():
            content = response.get("content", {}).get("application/json")
            if content is None:
                assert status == "204" or status.startswith("5"), f"{method} {path} {status}"
                continue
            if status.startswith("5") or (status == "404" and "{" not in path):
                # Server errors, and the not-found every operation may answer, are the
                # document's shared responses.
                continue
            assert content.get("examples"), f"{method} {path} {status}"
            schema = closed(content["schema"], schemas)
            for example in content["examples"].values():
                check(document, schema, example["value"])
                checked += 1
        if method in {"post", "patch"} and "requestBody" in op:
            body = op["requestBody"]["content"]["application/json"]
            assert body.get("examples"), f"{method} {path} request"
    assert len(operations) == 17
    assert checked >= 40


def test_real_answers_fit_the_document(
    document: dict[str, Any], alice_client: APIClient, merchant: Merchant, partner: Partner
) -> None:
    program = ProgramFactory(merchant=merchant, code="SHOES")
    ApplicationFactory(program=program, partner=partner, status="approved")
    base = f"/api/v1/programs/{program.pk}"

    group = alice_client.post("/api/v1/partner-groups", {"name": "Top"}, format="json")
    assert_documented(document, group, "/api/v1/partner-groups", "post")
    member = alice_client.post(
        f"/api/v1/partner-groups/{group.json()['id']}/members",
        {"partner": str(partner.pk)},
        format="json",
    )
    assert_documented(document, member, "/api/v1/partner-groups/{id}/members", "post")
    rate = alice_client.post(
        f"{base}/rates", {"partner": str(partner.pk), "percent_bps": 2500}, format="json"
    )
    assert_documented(document, rate, "/api/v1/programs/{program_pk}/rates", "post")
    tier = alice_client.post(
        f"{base}/tiers", {"min_conversions": 50, "percent_bps": 2000}, format="json"
    )
    assert_documented(document, tier, "/api/v1/programs/{program_pk}/tiers", "post")
    alice_client.patch(f"{base}", {"percent_bps": 1800}, format="json")
    for path in ("terms-versions", "rates", "tiers"):
        response = alice_client.get(f"{base}/{path}")
        assert_documented(document, response, f"/api/v1/programs/{{program_pk}}/{path}")
    bad = alice_client.post(f"{base}/tiers", {"min_conversions": 0}, format="json")
    assert_documented(document, bad, "/api/v1/programs/{program_pk}/tiers", "post")
