"""Versioned commission terms: a published program's rates change for future conversions.

Each change is a terms version effective from the change; a commission keeps the version
in force at its conversion's occurred_at; partners are told by mail (plain text and HTML)
and the history is in the API.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Merchant, Partner
from conversions.models import Commission
from partners import services
from partners.models import Program, TermsVersion
from partners.tasks import notify_terms_changed
from tests.conftest import Keys, api_client, assert_error
from tests.conversions.conftest import body, post
from tests.conversions.factories import ApplicationFactory, ProgramFactory, PromoCodeFactory
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sk_live(keys: Keys) -> APIClient:
    return api_client(keys.sk_live)


@pytest.fixture
def published(merchant: Merchant, partner: Partner) -> Program:
    """A CPS program at 10%, published through the service (version 1), with an approved
    partner and the partner's promo code."""
    program = ProgramFactory(merchant=merchant, code="SHOES", status="draft", percent_bps=1000)
    services.program_publish(program=program)
    ApplicationFactory(program=program, partner=partner, status="approved")
    PromoCodeFactory(program=program, partner=partner, code="ANNA10")
    return program


def patch(client: APIClient, program: Program, changes: dict[str, Any]) -> Any:
    return client.patch(f"/api/v1/programs/{program.pk}", changes, format="json")


def sale(sk_live: APIClient, txid: str, **fields: Any) -> dict[str, Any]:
    response = post(sk_live, body(promo_code="ANNA10", external_transaction_id=txid, **fields))
    assert response.status_code == 201, response.content
    data: dict[str, Any] = response.json()
    return data


def test_publishing_records_version_1(published: Program) -> None:
    version = TermsVersion.objects.get(program=published)

    assert (version.number, version.commission_type, version.percent_bps) == (1, "cps", 1000)
    assert version.effective_from <= timezone.now()


def test_a_published_programs_rate_changes_for_future_conversions_only(
    alice: Any, alice_client: APIClient, sk_live: APIClient, published: Program
) -> None:
    before = sale(sk_live, "o1", amount_cents=10000)
    an_hour_ago = (timezone.now() - timedelta(hours=1)).isoformat()

    response = patch(alice_client, published, {"percent_bps": 2000})
    after = sale(sk_live, "o2", amount_cents=10000)
    late = sale(sk_live, "o3", amount_cents=10000, occurred_at=an_hour_ago)

    assert response.status_code == 200 and response.json()["status"] == "published"
    v1, v2 = TermsVersion.objects.filter(program=published).order_by("number")
    assert (v2.number, v2.percent_bps) == (2, 2000)
    assert v2.changed_by == alice
    assert before["commission"]["amount_cents"] == 1000
    assert after["commission"]["amount_cents"] == 2000
    # Reported after the change, but it occurred before it: the old terms.
    assert late["commission"]["amount_cents"] == 1000
    versions = {
        c.conversion.external_transaction_id: c.terms_version_id
        for c in Commission.objects.select_related("conversion")
    }
    assert versions == {"o1": v1.pk, "o2": v2.pk, "o3": v1.pk}
    assert (after["commission"]["terms_version_id"], after["commission"]["terms_source"]) == (
        str(v2.pk),
        "program",
    )
    assert late["commission"]["terms_version_id"] == str(v1.pk)
    step = after["attribution"]["steps"][-1]
    assert step == {
        "check": "commission_terms",
        "result": "info",
        "message": "Commission: 20% of the amount (cps), the program's rate, under terms "
        "version 2.",
    }


def test_partners_are_mailed_once_in_plain_text_and_html(
    alice_client: APIClient,
    published: Program,
    partner: Partner,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    pending = PartnerFactory()
    ApplicationFactory(program=published, partner=pending, status="pending")

    with django_capture_on_commit_callbacks(execute=True):
        patch(alice_client, published, {"percent_bps": 1250})

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert partner.user is not None and message.to == [partner.user.email]
    assert message.subject == "Acme changed the commission terms of " + published.name
    assert "conversions earn: 12.50% of each sale." in message.body
    assert "Before, they earned: 10% of each sale." in message.body
    assert f"/partner/programs/{published.pk}/terms/" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "<strong>" + published.name + "</strong>" in html
    # The task runs again (a redelivered message): nothing is sent twice.
    version = TermsVersion.objects.get(program=published, number=2)
    assert notify_terms_changed(str(version.pk)) == 0
    assert len(mailoutbox) == 1


def test_changing_nothing_records_no_version(
    alice_client: APIClient,
    published: Program,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        patch(alice_client, published, {"percent_bps": 1000, "name": "Shoes 2"})

    assert TermsVersion.objects.filter(program=published).count() == 1
    assert mailoutbox == []


def test_a_draft_has_no_versions_until_published(
    alice_client: APIClient, merchant: Merchant
) -> None:
    program = ProgramFactory(merchant=merchant, status="draft")

    patch(alice_client, program, {"percent_bps": 2500})

    assert not TermsVersion.objects.filter(program=program).exists()


def test_an_invalid_rate_is_refused_in_the_envelope_and_changes_nothing(
    alice_client: APIClient,
    published: Program,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = patch(alice_client, published, {"percent_bps": 10001})

    error = assert_error(response, 400, "VALIDATION_ERROR")

    assert error["details"][0]["field"] == "percent_bps"
    published.refresh_from_db()
    assert published.percent_bps == 1000
    assert TermsVersion.objects.filter(program=published).count() == 1
    assert mailoutbox == []


def test_the_history_lists_every_version_newest_first(
    alice: Any, alice_client: APIClient, published: Program
) -> None:
    patch(alice_client, published, {"percent_bps": 1500})
    patch(alice_client, published, {"percent_bps": 1800})

    response = alice_client.get(f"/api/v1/programs/{published.pk}/terms-versions")

    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 3
    assert [(v["number"], v["percent_bps"]) for v in data["data"]] == [
        (3, 1800),
        (2, 1500),
        (1, 1000),
    ]
    assert data["data"][0]["changed_by"] == alice.email
    assert data["data"][2]["changed_by"] is None
    assert set(data["data"][0]) == {
        "id",
        "number",
        "commission_type",
        "cpa_amount_cents",
        "percent_bps",
        "recurring_months",
        "effective_from",
        "changed_by",
        "note",
        "created_at",
    }
