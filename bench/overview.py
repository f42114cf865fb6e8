"""Overview page render time with realistic data: 1M clicks and 50k conversions.

    .venv/bin/python bench/overview.py [--clicks 1000000] [--conversions 50000]

Seeds one merchant (200 partners, 5 programs, 90 days of clicks in time order) into
BENCH_DATABASE_URL with set-based INSERTs, lets the click rollup catch up as the
periodic task would, then renders /dashboard/ through Django's full stack as the
logged-in owner and prints the median and 95th percentile of 20 renders per range.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
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
from conversions.models import Commission, Conversion  # noqa: E402
from dashboard.access import SESSION_MERCHANT, SESSION_MODE  # noqa: E402
from partners.models import Program, ReferralCode  # noqa: E402
from tracking.models import ClickDailyStat, RollupWatermark  # noqa: E402
from tracking.rollups import click_rollup_advance  # noqa: E402

PARTNERS = 200
PROGRAMS = 5
DAYS = 90


def seed(clicks: int, conversions: int) -> tuple[User, Merchant]:
    with connection.cursor() as cursor:
        # A million clicks are deleted in one statement, not collected row by row.
        cursor.execute(
            "DELETE FROM tracking_click WHERE merchant_id IN "
            "(SELECT id FROM accounts_merchant WHERE slug LIKE 'overview-bench%%')"
        )
    Commission.objects.filter(partner__display_name__startswith="Overview bench partner").delete()
    Conversion.objects.filter(partner__display_name__startswith="Overview bench partner").delete()
    Conversion.objects.filter(merchant__slug__startswith="overview-bench").delete()
    Merchant.objects.filter(slug__startswith="overview-bench").delete()
    Partner.objects.filter(display_name__startswith="Overview bench partner").delete()
    User.objects.filter(email__endswith="@overview.bench.local").delete()
    RollupWatermark.objects.all().delete()
    ClickDailyStat.objects.all().delete()
    owner = User.objects.create_user(email="owner@overview.bench.local", password=None)
    merchant = services.merchant_create(owner=owner, name="overview-bench")
    programs = [
        Program.objects.create(
            merchant=merchant,
            mode="live",
            code=f"ob-{n}",
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
        Partner(display_name=f"Overview bench partner {n}") for n in range(PARTNERS)
    )
    codes = ReferralCode.objects.bulk_create(
        ReferralCode(
            merchant=merchant,
            mode="live",
            program=programs[n % PROGRAMS],
            partner=partner,
            code=f"ob-{n}",
        )
        for n, partner in enumerate(partners)
    )
    code_ids = ", ".join(f"'{c.pk}'::uuid" for c in codes)
    partner_ids = ", ".join(f"'{c.partner_id}'::uuid" for c in codes)
    program_ids = ", ".join(f"'{c.program_id}'::uuid" for c in codes)
    start = timezone.now() - timezone.timedelta(days=DAYS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO tracking_click (id, merchant_id, mode, program_id, partner_id,
                referral_code_id, landing_url, referrer, user_agent, ip_hash, country, is_bot,
                source, created_at, expires_at)
            SELECT gen_random_uuid(), %s, 'live', (ARRAY[{program_ids}])[1 + g %% {PARTNERS}],
                (ARRAY[{partner_ids}])[1 + g %% {PARTNERS}],
                (ARRAY[{code_ids}])[1 + g %% {PARTNERS}],
                'https://shop.example.com/', '', 'Mozilla/5.0 (X11; Linux x86_64)', '', 'DE',
                g %% 20 = 0, 'link',
                %s + (g * (interval '{DAYS} days' / %s)),
                %s + (g * (interval '{DAYS} days' / %s)) + interval '30 days'
            FROM generate_series(1, %s) AS g
            """,
            [merchant.pk, start, clicks, start, clicks, clicks],
        )
        cursor.execute(
            f"""
            INSERT INTO conversions_conversion (id, merchant_id, mode, program_id, partner_id,
                click_id, promo_code_id, click_id_raw, promo_code_raw, event_type,
                external_transaction_id, customer_ref, amount_cents, currency, status,
                attributed, attribution_explanation, attribution_steps, metadata, occurred_at,
                created_at, reversed_at, reversal_reason)
            SELECT gen_random_uuid(), %s, 'live', (ARRAY[{program_ids}])[1 + g %% {PARTNERS}],
                (ARRAY[{partner_ids}])[1 + g %% {PARTNERS}], NULL, NULL, NULL, '', 'purchase',
                'ob-' || g, 'cust-' || g, 1000 + g %% 9000, 'EUR', 'pending', g %% 10 <> 0,
                '{{}}'::jsonb, '[]'::jsonb, '{{}}'::jsonb,
                %s + (g * (interval '{DAYS} days' / %s)), %s + (g * (interval '{DAYS} days' / %s)),
                NULL, ''
            FROM generate_series(1, %s) AS g
            """,
            [merchant.pk, start, conversions, start, conversions, conversions],
        )
        cursor.execute(
            """
            INSERT INTO conversions_commission (id, conversion_id, merchant_id, mode, partner_id,
                program_id, kind, rate_bps, amount_cents, currency, status, approve_after,
                created_at)
            SELECT gen_random_uuid(), c.id, c.merchant_id, c.mode, c.partner_id, c.program_id,
                'cps', 1000, c.amount_cents / 10, c.currency, 'pending',
                c.created_at + interval '30 days', c.created_at
            FROM conversions_conversion c WHERE c.merchant_id = %s AND c.attributed
            """,
            [merchant.pk],
        )
        cursor.execute("ANALYZE tracking_click; ANALYZE conversions_conversion;")
    return owner, merchant


def main() -> None:
    parser = argparse.ArgumentParser(description="Selgeo overview render benchmark")
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument("--conversions", type=int, default=50_000)
    parser.add_argument("--renders", type=int, default=20)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    owner, merchant = seed(options.clicks, options.conversions)
    seeded = time.perf_counter() - began
    began = time.perf_counter()
    runs = 0
    while click_rollup_advance():
        runs += 1
    rolled = time.perf_counter() - began
    # Lets the client see the rendered context (the report), as in tests.
    setup_test_environment()
    client = Client()
    client.force_login(owner)
    session = client.session
    session[SESSION_MERCHANT] = str(merchant.pk)
    session[SESSION_MODE] = "live"
    session.save()
    print(
        f"seeded {options.clicks:,} clicks and {options.conversions:,} conversions in "
        f"{seeded:.1f}s; rollup caught up in {runs} runs, {rolled:.1f}s"
    )
    for range_key in ("7d", "30d", "90d"):
        timings = []
        for _ in range(options.renders + 2):
            began = time.perf_counter()
            response = client.get(f"/dashboard/?range={range_key}")
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
        timings = sorted(timings[2:])
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"GET /dashboard/?range={range_key:4} median {statistics.median(timings):6.1f} ms"
            f"   p95 {p95:6.1f} ms   (clicks shown: {response.context['report'].clicks:,})"
        )


if __name__ == "__main__":
    main()
