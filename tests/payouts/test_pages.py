"""The payout pages: the merchant creates a run, downloads files, marks it paid; the
partner sees the payout paid with its statement."""

from __future__ import annotations

import pytest
from django.test import Client

from payouts import services
from payouts.models import Payout, PayoutRun
from tests.payouts.money import commission

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_merchant_runs_pays_and_the_partner_sees_it(alice, merchant, program, jane):
    commission(program, jane, 7000)
    services.payout_settings_update(
        merchant=merchant,
        mode="live",
        sepa_debtor_name="Acme GmbH",
        sepa_debtor_iban="DE02120300000000202051",
    )
    page = _client(alice).get("/dashboard/payouts/")
    assert page.status_code == 200
    assert b"Jane" in page.content and b"70.00 EUR" in page.content

    created = _client(alice).post("/dashboard/payouts/runs/new/", {"partner": [str(jane.pk)]})
    run = PayoutRun.objects.get()
    assert created.status_code == 302
    assert created["Location"] == f"/dashboard/payouts/runs/{run.pk}/"
    detail = _client(alice).get(created["Location"])
    assert b'data-status="ready"' in detail.content
    progress = _client(alice).get(f"/dashboard/payouts/runs/{run.pk}/progress/")
    assert b"hx-get" not in progress.content  # built: no more polling
    sepa = _client(alice).get(f"/dashboard/payouts/runs/{run.pk}/files/sepa/")
    assert sepa["Content-Type"] == "application/xml"
    assert b"pain.001.001.03" in sepa.content
    marked = _client(alice).post(
        f"/dashboard/payouts/runs/{run.pk}/mark/paid/", {"reference": "BANK-42"}
    )
    assert marked.status_code == 302
    payout = Payout.objects.get()
    assert (payout.status, payout.reference) == ("paid", "BANK-42")

    history = _client(jane.user).get("/partner/payouts/")
    assert b"BANK-42" in history.content and b"paid" in history.content
    statement = _client(jane.user).get(f"/partner/payouts/{payout.pk}/")
    assert statement.status_code == 200
    assert b'data-testid="statement-commission"' in statement.content
    csv = _client(jane.user).get(f"/partner/payouts/{payout.pk}/statement.csv")
    assert csv.content.decode().splitlines()[-1].split(",")[-2:] == ["7000", "EUR"]


def test_a_building_run_polls_its_progress(alice, merchant):
    run = PayoutRun.objects.create(
        merchant=merchant,
        mode="live",
        targets=["a:EUR", "b:EUR"],
        partners_total=2,
        partners_done=1,
    )
    progress = _client(alice).get(f"/dashboard/payouts/runs/{run.pk}/progress/")
    assert b'hx-trigger="every 1s"' in progress.content
    assert b"Building: 1 of 2" in progress.content


def test_other_merchants_and_partners_get_404(charlie, other_partner, merchant, program, jane):
    commission(program, jane, 7000)
    run = services.payout_run_create(merchant=merchant, mode="live")
    payout = Payout.objects.get()
    outsider = _client(charlie)
    assert outsider.get(f"/dashboard/payouts/runs/{run.pk}/").status_code == 404
    assert outsider.get(f"/dashboard/payouts/runs/{run.pk}/files/csv/").status_code == 404
    assert outsider.post(f"/dashboard/payouts/{payout.pk}/mark/paid/").status_code == 404
    assert _client(other_partner.user).get(f"/partner/payouts/{payout.pk}/").status_code == 404
    payout.refresh_from_db()
    assert payout.status == "pending"


def test_the_settings_page_saves_minimums_schedule_and_debtor(alice, merchant):
    page = _client(alice).get("/dashboard/payouts/settings/")
    assert page.status_code == 200
    saved = _client(alice).post(
        "/dashboard/payouts/settings/",
        {
            "minimums": "EUR 25.50\njpy 100",
            "schedule": "monthly",
            "schedule_day": "3",
            "sepa_debtor_name": "Acme GmbH",
            "sepa_debtor_iban": "DE02 1203 0000 0000 2020 51",
        },
    )
    assert saved.status_code == 302
    from payouts.models import PayoutSettings

    settings = PayoutSettings.objects.get(merchant=merchant, mode="live")
    assert settings.minimums == {"EUR": 2550, "JPY": 100}
    assert (settings.schedule, settings.schedule_day) == ("monthly", 3)
    assert settings.sepa_debtor_iban == "DE02120300000000202051"
    shown = _client(alice).get("/dashboard/payouts/settings/").content.decode()
    assert "EUR 25.50" in shown and "DE02120300000000202051" not in shown


def test_the_settings_page_refuses_a_bad_iban_and_saves_nothing(alice, merchant):
    refused = _client(alice).post(
        "/dashboard/payouts/settings/",
        {"schedule": "manual", "sepa_debtor_iban": "DE00120300000000202051", "minimums": ""},
    )
    assert refused.status_code == 200
    assert b"checksum" in refused.content.lower() or b"invalid" in refused.content.lower()
    from payouts.models import PayoutSettings

    assert not PayoutSettings.objects.exists()


def test_a_teammate_cannot_open_payout_settings(bob):
    assert _client(bob).get("/dashboard/payouts/settings/").status_code == 403


def test_a_run_needs_at_least_one_valid_partner_and_creates_nothing_otherwise(alice, program, jane):
    commission(program, jane, 7000)
    for data in ({}, {"partner": ["not-a-uuid"]}):
        refused = _client(alice).post("/dashboard/payouts/runs/new/", data)
        assert (refused.status_code, refused["Location"]) == (302, "/dashboard/payouts/")
    assert PayoutRun.objects.count() == 0
    assert Payout.objects.count() == 0
