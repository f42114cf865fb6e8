"""The staff admin: every partners model lists, searches and filters; actions use services."""

from __future__ import annotations

import pytest
from django.test import Client

from partners.models import Application, Program, ReferralCode
from tests.factories import UserFactory
from tests.partners.conftest import events


@pytest.fixture
def staff_client(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["program", "application", "referralcode", "promocode"])
def test_changelists_search_and_filter(
    staff_client: Client, default_code: ReferralCode, model: str
) -> None:
    base = f"/admin/partners/{model}/"
    assert staff_client.get(base).status_code == 200
    assert staff_client.get(f"{base}?q=shoes").status_code == 200
    assert staff_client.get(f"{base}?mode__exact=live").status_code == 200


def test_change_forms_render(staff_client: Client, default_code: ReferralCode) -> None:
    program = default_code.program
    application = Application.objects.get(program=program)
    assert staff_client.get(f"/admin/partners/program/{program.pk}/change/").status_code == 200
    assert (
        staff_client.get(f"/admin/partners/application/{application.pk}/change/").status_code == 200
    )
    url = f"/admin/partners/referralcode/{default_code.pk}/change/"
    assert staff_client.get(url).status_code == 200


def test_admin_approve_action_goes_through_the_service(
    staff_client: Client, application: Application
) -> None:
    response = staff_client.post(
        "/admin/partners/application/",
        {"action": "approve", "_selected_action": [str(application.pk)]},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"
    assert ReferralCode.objects.filter(partner=application.partner, is_default=True).count() == 1
    assert len(events("application.approved")) == 1


def test_admin_archive_action_respects_the_status_machine(
    staff_client: Client, program: Program
) -> None:
    Program.objects.filter(pk=program.pk).update(status="archived")

    staff_client.post(
        "/admin/partners/program/", {"action": "publish", "_selected_action": [str(program.pk)]}
    )

    program.refresh_from_db()
    assert program.status == "archived"


def test_admin_program_form_validates_with_the_service_rules(
    staff_client: Client, program: Program
) -> None:
    data = {
        "merchant": str(program.merchant_id),
        "mode": "live",
        "code": program.code,
        "name": program.name,
        "currency": "EUR",
        "commission_type": "cps",
        "percent_bps": "20000",
        "cookie_days": "30",
        "hold_days": "30",
        "landing_url": program.landing_url,
        "is_public": "on",
        "created_at_0": "2026-01-01",
        "created_at_1": "00:00:00",
    }

    response = staff_client.post(f"/admin/partners/program/{program.pk}/change/", data)

    assert response.status_code == 200
    assert b"percent_bps must be an integer from 1 to 10000" in response.content
    program.refresh_from_db()
    assert program.percent_bps == 1500
