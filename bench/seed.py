"""Seed the benchmark database: a merchant, keys, a CPS program, a partner, codes, clicks.

Prints one JSON line with what the load scripts need. Run by bench/run.py.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selgeo.settings")

import django

django.setup()

from django.utils import timezone  # noqa: E402

from accounts import services  # noqa: E402
from accounts.models import Merchant, Partner, User  # noqa: E402
from conversions.models import Commission, Conversion  # noqa: E402
from partners.models import Application, Program, ReferralCode  # noqa: E402
from tracking.models import Click  # noqa: E402

CLICK_POOL = 5000


def main() -> None:
    bench = Merchant.objects.filter(slug__startswith="bench")
    # Commissions and conversions protect their programs; clicks go in one statement.
    Commission.objects.filter(merchant__in=bench).delete()
    Conversion.objects.filter(merchant__in=bench).delete()
    Click.objects.filter(merchant__in=bench)._raw_delete(Click.objects.db)
    bench.delete()
    User.objects.filter(email__endswith="@bench.selgeo.local").delete()
    owner = User.objects.create_user(email="owner@bench.selgeo.local", password=None)
    merchant = services.merchant_create(owner=owner, name="bench")
    pk = services.api_key_create(merchant=merchant, kind="public", mode="live").raw
    sk = services.api_key_create(merchant=merchant, kind="secret", mode="live").raw
    program = Program.objects.create(
        merchant=merchant,
        mode="live",
        code="bench-cps",
        name="Bench CPS",
        status="published",
        currency="EUR",
        commission_type="cps",
        percent_bps=1250,
        cookie_days=30,
        hold_days=30,
        landing_url="https://shop.example.com/",
    )
    partner_user = User.objects.create_user(email="partner@bench.selgeo.local", password=None)
    partner = Partner.objects.create(user=partner_user, display_name="Bench partner")
    Application.objects.create(
        merchant=merchant, mode="live", program=program, partner=partner, status="approved"
    )
    code = ReferralCode.objects.create(
        merchant=merchant,
        mode="live",
        program=program,
        partner=partner,
        code="BENCHREF",
        is_default=True,
    )
    now = timezone.now()
    clicks = Click.objects.bulk_create(
        Click(
            merchant=merchant,
            mode="live",
            program=program,
            partner=partner,
            referral_code=code,
            landing_url=program.landing_url,
            created_at=now,
            expires_at=now + timedelta(days=30),
        )
        for _ in range(CLICK_POOL)
    )
    print(
        json.dumps(
            {
                "pk": pk,
                "sk": sk,
                "referral_code": code.code,
                "click_ids": [str(c.pk) for c in clicks],
            }
        )
    )


if __name__ == "__main__":
    main()
