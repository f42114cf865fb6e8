"""Stats at scale: GET /api/v1/stats and the overview page over 10M clicks and 500k sales.

    .venv/bin/python bench/stats.py [--clicks 10000000] [--conversions 500000] [--days 400]

Seeds one merchant (200 partners over 5 programs) into BENCH_DATABASE_URL with
set-based INSERTs, clicks and sales spread evenly over `--days` days up to now (so the
last minutes lie after the rollup watermark, as in production); sales are 90% attributed,
their commissions pending, approved, paid or reversed. Then it catches the rollups up
(`manage.py selgeo_rollups`, timed) and requests, through Django's full stack with a
secret key, GET /api/v1/stats for 7, 30, 90 and 365 days grouped by day and by month,
and /dashboard/ as the owner for the same ranges: median and 95th percentile of
`--requests` requests each (after two warm-ups). The machine's load is printed beside.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.environment import in_process  # noqa: E402

in_process()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import services  # noqa: E402
from accounts.models import Merchant, Partner, User  # noqa: E402
from conversions.rollups import sales_rollup_catch_up  # noqa: E402
from dashboard.access import SESSION_MERCHANT, SESSION_MODE  # noqa: E402
from partners.models import Application, Program  # noqa: E402
from tracking.rollups import click_rollup_catch_up  # noqa: E402

PARTNERS = 200
PROGRAMS = 5
CHUNK = 1_000_000
RANGES = (7, 30, 90, 365)
# A uuid7-like id from the click's time (as Selgeo's own ids are): inserts stay at the
# right edge of the primary-key index, as in production.
TIME_ORDERED_ID = (
    "(lpad(to_hex((extract(epoch FROM %s + g * (interval '{days} days' / %s)) * 1000)::bigint),"
    " 12, '0') || '7' || lpad(to_hex(g %% 4096), 3, '0') || '8' || lpad(to_hex(g), 15, '0'))::uuid"
)


def _empty() -> None:
    with connection.cursor() as cursor:
        # The bench database holds this benchmark's rows only.
        cursor.execute(
            "TRUNCATE tracking_click, tracking_clickdailystat, tracking_clickprogramdailystat, "
            "tracking_clickmonthlystat, tracking_rollupwatermark, conversions_commission, "
            "conversions_conversion, conversions_conversiondailystat, "
            "conversions_commissiondailystat, conversions_conversionmonthlystat, "
            "conversions_commissionmonthlystat CASCADE"
        )
    Application.objects.filter(merchant__slug__startswith="stats-bench").delete()
    Program.objects.filter(merchant__slug__startswith="stats-bench").delete()
    Merchant.objects.filter(slug__startswith="stats-bench").delete()
    Partner.objects.filter(display_name__startswith="Stats bench partner").delete()
    User.objects.filter(email__endswith="@stats.bench.local").delete()


def seed(clicks: int, conversions: int, days: int) -> tuple[User, Merchant, str]:
    _empty()
    owner = User.objects.create_user(email="owner@stats.bench.local", password=None)
    merchant = services.merchant_create(owner=owner, name="stats-bench")
    key = services.api_key_create(merchant=merchant, kind="secret", mode="live").raw
    programs = [
        Program.objects.create(
            merchant=merchant,
            mode="live",
            code=f"SB-{n}",
            name=f"Program {n}",
            status="published",
            currency="EUR",
            commission_type="cps",
            percent_bps=1000,
            landing_url="https://shop.example.com/",
        )
        for n in range(PROGRAMS)
    ]
    partners = Partner.objects.bulk_create(
        Partner(display_name=f"Stats bench partner {n}") for n in range(PARTNERS)
    )
    Application.objects.bulk_create(
        Application(
            merchant=merchant,
            mode="live",
            program=programs[n % PROGRAMS],
            partner=partner,
            status="approved",
        )
        for n, partner in enumerate(partners)
    )
    partner_ids = ", ".join(f"'{p.pk}'::uuid" for p in partners)
    program_ids = ", ".join(f"'{programs[n % PROGRAMS].pk}'::uuid" for n in range(PARTNERS))
    end = timezone.now()
    start = end - timedelta(days=days)
    step = f"(interval '{days} days' / %s)"
    click_id = TIME_ORDERED_ID.format(days=days)
    with connection.cursor() as cursor:
        for first in range(1, clicks + 1, CHUNK):
            last = min(clicks, first + CHUNK - 1)
            cursor.execute(
                f"""
                INSERT INTO tracking_click (id, merchant_id, mode, program_id, partner_id,
                    referral_code_id, landing_url, referrer, user_agent, ip_hash, country,
                    is_bot, source, created_at, expires_at)
                SELECT {click_id}, %s, 'live',
                    (ARRAY[{program_ids}])[1 + g %% {PARTNERS}],
                    (ARRAY[{partner_ids}])[1 + g %% {PARTNERS}], NULL,
                    'https://shop.example.com/', '', 'Mozilla/5.0 (X11; Linux x86_64)', '', 'DE',
                    g %% 20 = 0, 'link', %s + g * {step}, %s + g * {step} + interval '30 days'
                FROM generate_series(%s, %s) AS g
                """,
                [start, clicks, merchant.pk, start, clicks, start, clicks, first, last],
            )
            print(f"  {last:,} clicks", flush=True)
        cursor.execute(
            f"""
            INSERT INTO conversions_conversion (id, merchant_id, mode, program_id, partner_id,
                click_id, promo_code_id, click_id_raw, promo_code_raw, event_type,
                external_transaction_id, customer_ref, amount_cents, currency,
                converted_amount_cents, converted_currency, fx_rate, reporting_currency,
                reporting_rate, reporting_amount_cents, status, attributed,
                attribution_explanation, attribution_steps, metadata, occurred_at, created_at,
                reversed_at, reversal_reason)
            SELECT gen_random_uuid(), %s, 'live',
                CASE WHEN g %% 10 <> 0 THEN (ARRAY[{program_ids}])[1 + g %% {PARTNERS}] END,
                CASE WHEN g %% 10 <> 0 THEN (ARRAY[{partner_ids}])[1 + g %% {PARTNERS}] END,
                NULL, NULL, NULL, '', 'purchase', 'sb-' || g, 'cust-' || g,
                1000 + g %% 9000, 'EUR', NULL, '', '', 'USD', '1.1',
                (1000 + g %% 9000) * 11 / 10,
                CASE WHEN g %% 10 = 0 THEN 'approved' WHEN g %% 10 = 1 THEN 'reversed'
                     WHEN g %% 10 < 5 THEN 'pending' ELSE 'approved' END,
                g %% 10 <> 0, '{{}}'::jsonb, '[]'::jsonb, '{{}}'::jsonb,
                %s + g * {step}, %s + g * {step}, NULL, ''
            FROM generate_series(1, %s) AS g
            """,
            [merchant.pk, start, conversions, start, conversions, conversions],
        )
        cursor.execute(
            """
            INSERT INTO conversions_commission (id, conversion_id, merchant_id, mode, partner_id,
                program_id, kind, rate_bps, terms_source, amount_cents, currency,
                reporting_currency, reporting_rate, reporting_amount_cents, status, approve_after,
                created_at)
            SELECT gen_random_uuid(), c.id, c.merchant_id, c.mode, c.partner_id, c.program_id,
                'cps', 1000, 'program', c.amount_cents / 10, c.currency, 'USD', '1.1',
                c.amount_cents / 10 * 11 / 10,
                CASE WHEN c.status = 'approved' AND c.amount_cents %% 2 = 0 THEN 'paid'
                     ELSE c.status END,
                c.created_at + interval '30 days', c.created_at
            FROM conversions_conversion c WHERE c.merchant_id = %s AND c.attributed
            """,
            [merchant.pk],
        )
        cursor.execute("ANALYZE")
    return owner, merchant, key


def _timed(client: Client, path: str, requests: int, **headers: str) -> tuple[float, float]:
    timings = []
    for _ in range(requests + 2):
        began = time.perf_counter()
        response = client.get(path, **headers)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
    timings = sorted(timings[2:])
    return statistics.median(timings), timings[max(0, round(len(timings) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description="Selgeo stats benchmark")
    parser.add_argument("--clicks", type=int, default=10_000_000)
    parser.add_argument("--conversions", type=int, default=500_000)
    parser.add_argument("--days", type=int, default=400)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--skip-seed", action="store_true", help="measure the seeded database")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"load before: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f}", flush=True)
    if options.skip_seed:
        merchant = Merchant.objects.get(slug__startswith="stats-bench")
        owner = User.objects.get(email="owner@stats.bench.local")
        key = services.api_key_create(merchant=merchant, kind="secret", mode="live").raw
    else:
        began = time.perf_counter()
        owner, merchant, key = seed(options.clicks, options.conversions, options.days)
        print(
            f"seeded {options.clicks:,} clicks and {options.conversions:,} conversions over "
            f"{options.days} days in {time.perf_counter() - began:.0f}s",
            flush=True,
        )
        began = time.perf_counter()
        counted_clicks = click_rollup_catch_up()
        rolled_clicks = time.perf_counter() - began
        began = time.perf_counter()
        counted_sales = sales_rollup_catch_up()
        rolled_sales = time.perf_counter() - began
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"rollups caught up: {counted_clicks:,} clicks in {rolled_clicks:.0f}s, "
            f"{counted_sales:,} conversions and commissions in {rolled_sales:.0f}s",
            flush=True,
        )
    setup_test_environment()
    api = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    web = Client()
    web.force_login(owner)
    session = web.session
    session[SESSION_MERCHANT] = str(merchant.pk)
    session[SESSION_MODE] = "live"
    session.save()
    today = timezone.now().date()
    print(f"{'request':44} {'median ms':>10} {'p95 ms':>8}   load (1 min)")
    for days in RANGES:
        start = (today - timedelta(days=days - 1)).isoformat()
        for group_by in ("day", "month"):
            path = f"/api/v1/stats?start_date={start}&group_by={group_by}"
            median, p95 = _timed(api, path, options.requests, **auth)
            label = f"GET /api/v1/stats {days}d by {group_by}"
            print(f"{label:44} {median:10.1f} {p95:8.1f}   {os.getloadavg()[0]:.1f}", flush=True)
        median, p95 = _timed(web, f"/dashboard/?range={days}d", options.requests)
        label = f"GET /dashboard/?range={days}d"
        print(f"{label:44} {median:10.1f} {p95:8.1f}   {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
