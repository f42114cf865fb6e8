"""Create (idempotently) the demo merchant, its owner login and its four API keys.

Secret keys are stored only as digests, so the raw keys are kept in var/demo-keys.json
(readable by the owner only) when they are first issued; later runs reprint them while
they still authenticate and issue fresh ones otherwise.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services
from accounts.models import KeyKind, Membership, Merchant, Mode, User
from selgeo.api.authentication import resolve_key

DEMO_EMAIL = "demo@selgeo.local"
DEMO_PASSWORD = "selgeo-demo-2026"  # noqa: S105 - a published demo login, local only
DEMO_MERCHANT = "Demo Shop"
DEMO_PARTNER_EMAIL = "partner@selgeo.local"


class Command(BaseCommand):
    help = "Create the demo merchant, its login and API keys, and print them."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--keys-file", default=str(settings.SELGEO_DEMO_KEYS_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        keys_file = Path(options["keys_file"])
        with transaction.atomic():
            user = User.objects.filter(email=DEMO_EMAIL).first()
            if user is None:
                user = User.objects.create_user(
                    email=DEMO_EMAIL, password=DEMO_PASSWORD, full_name="Demo Owner"
                )
            membership = Membership.objects.filter(user=user).select_related("merchant").first()
            merchant: Merchant = (
                membership.merchant
                if membership
                else services.merchant_create(owner=user, name=DEMO_MERCHANT)
            )
            keys = self._keys(merchant, keys_file)
            links = self._program_and_partner(merchant)
        self.stdout.write(self.style.SUCCESS("Selgeo demo merchant ready"))
        self.stdout.write(f"  merchant:  {merchant.name} ({merchant.pk})")
        self.stdout.write(f"  login:     {DEMO_EMAIL} / {DEMO_PASSWORD}")
        base = settings.SELGEO_PUBLIC_URL
        self.stdout.write(f"  dashboard: {base}/login/")
        self.stdout.write("  admin:     python manage.py createsuperuser, then /admin/")
        for name in ("pk_test", "sk_test", "pk_live", "sk_live"):
            self.stdout.write(f"  {name}:   {keys[name]}")
        self.stdout.write(
            f"  partner:   {DEMO_PARTNER_EMAIL} / {DEMO_PASSWORD} (log in at /partner/login/)"
        )
        for mode, link in links.items():
            self.stdout.write(f"  {mode} link: {link}")
        self.stdout.write(
            f"  try:       curl -s -X POST {base}/api/v1/auth/login "
            f"-H 'Content-Type: application/json' "
            f'-d \'{{"email": "{DEMO_EMAIL}", "password": "{DEMO_PASSWORD}"}}\''
        )

    def _program_and_partner(self, merchant: Merchant) -> dict[str, str]:
        """A published 10% program per mode and a partner approved in both, with links."""
        from partners import services as partner_services
        from partners.models import Application, Program, ReferralCode

        user = User.objects.filter(email=DEMO_PARTNER_EMAIL).first()
        if user is None:
            user, partner = services.partner_register(
                email=DEMO_PARTNER_EMAIL, password=DEMO_PASSWORD, display_name="Demo Blog"
            )
        else:
            partner = user.partner
        links: dict[str, str] = {}
        for mode, code, shop in (
            ("test", "demo-test", "/demo/shop/test/"),
            ("live", "demo", "/demo/shop/"),
        ):
            # The demo shop served by this Selgeo, at the address it serves on this run.
            landing_url = f"{settings.SELGEO_PUBLIC_URL}{shop}"
            program = Program.objects.filter(merchant=merchant, code=code).first()
            if program is None:
                program = partner_services.program_create(
                    merchant=merchant,
                    mode=mode,
                    code=code,
                    name="Demo program",
                    currency="EUR",
                    commission_type="cps",
                    percent_bps=1000,
                    # No hold: the scheduler `make run` runs approves a demo commission
                    # within minutes, where a real program waits out its refund window.
                    hold_days=0,
                    landing_url=landing_url,
                )
                partner_services.program_publish(program=program)
            elif program.landing_url != landing_url:
                program = partner_services.program_update(
                    program=program, changes={"landing_url": landing_url}
                )
            if not Application.objects.filter(program=program, partner=partner).exists():
                # The merchant invites, and the demo accepts on the partner's behalf: an
                # invitation is only an offer until the partner says yes.
                invitation, _created = partner_services.invitation_create(
                    program=program, email=DEMO_PARTNER_EMAIL
                )
                partner_services.invitation_accept(invitation=invitation, partner=partner)
            referral = ReferralCode.objects.filter(program=program, partner=partner).first()
            if referral is not None:
                links[mode] = f"{settings.SELGEO_PUBLIC_URL}/r/{merchant.slug}/{referral.code}"
        return links

    def _keys(self, merchant: Merchant, keys_file: Path) -> dict[str, str]:
        stored: dict[str, str] = {}
        if keys_file.exists():
            try:
                stored = json.loads(keys_file.read_text())
            except (ValueError, OSError):
                stored = {}
        keys: dict[str, str] = {}
        for mode in (Mode.TEST, Mode.LIVE):
            for kind in (KeyKind.PUBLIC, KeyKind.SECRET):
                name = f"{'pk' if kind == KeyKind.PUBLIC else 'sk'}_{mode}"
                raw = stored.get(name, "")
                key = resolve_key(raw) if raw else None
                if key is None or key.merchant_id != merchant.pk:
                    raw = services.api_key_create(
                        merchant=merchant, kind=kind, mode=mode, name="Demo"
                    ).raw
                keys[name] = raw
        keys_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(keys_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(keys, handle, indent=2)
        return keys
