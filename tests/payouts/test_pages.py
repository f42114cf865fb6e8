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
