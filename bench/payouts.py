"""Payout preview and run build with 5,000 partners and 100,000 approved commissions.

    .venv/bin/python bench/payouts.py [--partners 5000] [--commissions 100000]

Seeds one merchant into BENCH_DATABASE_URL (PostgreSQL) with set-based INSERTs: the
partners, each with an active SEPA payout account, their approved commissions (and the
conversions they belong to), and an open negative adjustment for one partner in ten.
Then times the preview (the grouped statement, and `GET /api/v1/payouts/preview`
through Django's whole stack), and a run of every payable partner built as the Celery
task builds it, printing the build's progress as the dashboard's bar would show it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import in_process  # noqa: E402

in_process(
    # The build runs in this process (as a worker would run it), not on a broker.
    SELGEO_TASKS_EAGER="1"
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts import services as account_services  # noqa: E402
from accounts.models import Merchant, Partner, User  # noqa: E402
from accounts.tokens import issue_tokens  # noqa: E402
from partners.models import Program  # noqa: E402
from payouts import selectors, services  # noqa: E402
from payouts.models import PayoutAccount  # noqa: E402
from payouts.run_models import PayoutRun  # noqa: E402

PREFIX = "Payout bench partner"
IBAN = "DE89370400440532013000"


def _clear() -> None:
    with connection.cursor() as cursor:
        # Set-based deletes: the ORM would collect a hundred thousand rows one by one.
        for statement in (
            "DELETE FROM payouts_payoutadjustment WHERE payout_id IN (SELECT p.id FROM "
            "payouts_payout p JOIN accounts_merchant m ON m.id = p.merchant_id "
            "WHERE m.slug LIKE 'payout-bench%%')",
            "DELETE FROM payouts_payoutcommission WHERE payout_id IN (SELECT p.id FROM "
            "payouts_payout p JOIN accounts_merchant m ON m.id = p.merchant_id "
            "WHERE m.slug LIKE 'payout-bench%%')",
            "DELETE FROM payouts_payout WHERE merchant_id IN "
            "(SELECT id FROM accounts_merchant WHERE slug LIKE 'payout-bench%%')",
            "DELETE FROM payouts_payoutrun WHERE merchant_id IN "
            "(SELECT id FROM accounts_merchant WHERE slug LIKE 'payout-bench%%')",
            "DELETE FROM webhooks_event WHERE merchant_id IN "
            "(SELECT id FROM accounts_merchant WHERE slug LIKE 'payout-bench%%')",
            "DELETE FROM conversions_commissionadjustment WHERE merchant_id IN "
            "(SELECT id FROM accounts_merchant WHERE slug LIKE 'payout-bench%%')",
            "DELETE FROM conversions_commission WHERE merchant_id IN "
            "(SELECT id FROM accounts_merchant WHERE slug LIKE 'payout-bench%%')",
            "DELETE FROM conversions_conversion WHERE merchant_id IN "
            "(SELECT id FROM accounts_merchant WHERE slug LIKE 'payout-bench%%')",
            "DELETE FROM payouts_payoutaccount WHERE partner_id IN "
            f"(SELECT id FROM accounts_partner WHERE display_name LIKE '{PREFIX}%%')",
        ):
            cursor.execute(statement)
    Program.objects.filter(merchant__slug__startswith="payout-bench").delete()
    Merchant.objects.filter(slug__startswith="payout-bench").delete()
    Partner.objects.filter(display_name__startswith=PREFIX).delete()
    User.objects.filter(email__endswith="@payouts.bench.local").delete()


def seed(partners: int, commissions: int) -> tuple[User, Merchant]:
    _clear()
    owner = User.objects.create_user(email="owner@payouts.bench.local", password=None)
    merchant = account_services.merchant_create(owner=owner, name="payout-bench")
    program = Program.objects.create(
        merchant=merchant,
        mode="live",
        code="pb",
        name="Payout bench",
        status="published",
        currency="EUR",
        commission_type="cps",
        percent_bps=1000,
        landing_url="https://shop.example.com/",
    )
    created = Partner.objects.bulk_create(
        Partner(display_name=f"{PREFIX} {n:05d}") for n in range(partners)
    )
    PayoutAccount.objects.bulk_create(
        PayoutAccount(
            partner=partner,
            method="sepa",
            account_holder=partner.display_name,
            iban=IBAN,
            iban_last4=IBAN[-4:],
        )
        for partner in created
    )
    partner_ids = ", ".join(f"'{p.pk}'::uuid" for p in created)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO conversions_conversion (id, merchant_id, mode, program_id, partner_id,
                click_id, promo_code_id, click_id_raw, promo_code_raw, event_type,
                external_transaction_id, customer_ref, amount_cents, currency, status,
                attributed, attribution_explanation, attribution_steps, metadata, occurred_at,
                created_at, reversed_at, reversal_reason)
            SELECT gen_random_uuid(), %s, 'live', %s, (ARRAY[{partner_ids}])[1 + g %% {partners}],
                NULL, NULL, NULL, '', 'purchase', 'pb-' || g, '', 20000 + g %% 50000, 'EUR',
                'approved', true, '{{}}'::jsonb, '[]'::jsonb, '{{}}'::jsonb,
                now() - interval '40 days', now() - interval '40 days', NULL, ''
            FROM generate_series(1, %s) AS g
            """,
            [merchant.pk, program.pk, commissions],
        )
        cursor.execute(
            """
            INSERT INTO conversions_commission (id, conversion_id, merchant_id, mode, partner_id,
                program_id, kind, rate_bps, amount_cents, currency, status, approve_after,
                approved_at, created_at)
            SELECT gen_random_uuid(), c.id, c.merchant_id, c.mode, c.partner_id, c.program_id,
                'cps', 1000, c.amount_cents / 10, c.currency, 'approved',
                c.created_at + interval '30 days', c.created_at + interval '30 days', c.created_at
            FROM conversions_conversion c WHERE c.merchant_id = %s
            """,
            [merchant.pk],
        )
        # One partner in ten owes 30.00 back (a paid commission refunded): its paid
        # commission is one of the seeded ones, marked paid first.
        cursor.execute(
            """
            WITH owing AS (
                SELECT DISTINCT ON (partner_id) id, partner_id
                FROM conversions_commission WHERE merchant_id = %s
                ORDER BY partner_id, id
            ), picked AS (
                SELECT id, partner_id FROM owing WHERE abs(hashtext(partner_id::text)) %% 10 = 0
            ), paid AS (
                UPDATE conversions_commission SET status = 'paid', paid_at = now()
                WHERE id IN (SELECT id FROM picked) RETURNING id, partner_id
            )
            INSERT INTO conversions_commissionadjustment (id, commission_id, merchant_id, mode,
                partner_id, amount_cents, currency, reason, status, created_at)
            SELECT gen_random_uuid(), id, %s, 'live', partner_id, -3000, 'EUR', 'refund',
                'open', now()
            FROM paid
            """,
            [merchant.pk, merchant.pk],
        )
        cursor.execute(
            "ANALYZE conversions_commission; ANALYZE conversions_commissionadjustment; "
            "ANALYZE payouts_payoutaccount; ANALYZE accounts_partner;"
        )
    return owner, merchant


def _timed(label: str, repeat: int, action: object) -> list[float]:
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append((time.perf_counter() - began) * 1000)
    print(
        f"{label:44} median {statistics.median(timings):7.1f} ms   "
        f"max {max(timings):7.1f} ms   ({repeat} runs)"
    )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description="Selgeo payout preview and run benchmark")
    parser.add_argument("--partners", type=int, default=5_000)
    parser.add_argument("--commissions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    owner, merchant = seed(options.partners, options.commissions)
    print(
        f"seeded {options.partners:,} partners and {options.commissions:,} approved "
        f"commissions in {time.perf_counter() - began:.1f}s"
    )
    rows = selectors.preview(merchant=merchant, mode="live")
    payable = sum(1 for r in rows if r.payable)
    print(f"preview rows: {len(rows):,} ({payable:,} payable)")
    _timed(
        "preview (one grouped statement)",
        options.repeat,
        lambda: selectors.preview(merchant=merchant, mode="live"),
    )
    client = APIClient()
    token = issue_tokens(user=owner, merchant_id=str(merchant.pk))["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    def api_preview() -> None:
        response = client.get("/api/v1/payouts/preview?mode=live&limit=100")
        assert response.status_code == 200, response.content[:300]

    _timed("GET /api/v1/payouts/preview (full stack)", options.repeat, api_preview)

    progress: list[tuple[float, int, int]] = []
    done = threading.Event()

    def watch(started: float) -> None:
        # What the dashboard's progress bar polls: the run's counters, once a second.
        while not done.wait(1.0):
            run = PayoutRun.objects.filter(merchant=merchant).order_by("-created_at").first()
            if run is not None:
                progress.append(
                    (time.perf_counter() - started, run.partners_done, run.partners_total)
                )
        connection.close()

    began = time.perf_counter()
    watcher = threading.Thread(target=watch, args=(began,))
    watcher.start()
    run = services.payout_run_create(merchant=merchant, mode="live", created_by="bench")
    built = time.perf_counter() - began
    done.set()
    watcher.join()
    run.refresh_from_db()
    for seconds, partners_done, total in progress:
        print(f"  progress at {seconds:5.1f}s: {partners_done:,} / {total:,}")
    print(
        f"run built: {run.payouts.count():,} payouts of {run.partners_total:,} in {built:.1f}s "
        f"({run.status})"
    )
    remaining = selectors.preview(merchant=merchant, mode="live")
    print(f"payable after the run: {sum(1 for r in remaining if r.payable)}")


if __name__ == "__main__":
    main()
