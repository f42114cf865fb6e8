"""Factories for what clicks point at: programs and referral codes (and clicks)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Mode
from partners.models import CommissionType, Program, ProgramStatus, ReferralCode
from tests.factories import MerchantFactory, PartnerFactory
from tracking.models import Click, ClickSource


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    merchant = factory.SubFactory(MerchantFactory)
    mode = Mode.TEST
    code = factory.Sequence(lambda n: f"prog{n}")
    name = factory.Sequence(lambda n: f"Program {n}")
    status = ProgramStatus.PUBLISHED
    currency = "EUR"
    commission_type = CommissionType.CPS
    percent_bps = 1500
    cookie_days = 30
    hold_days = 30
    landing_url = "https://shop.example.com/welcome"


class ReferralCodeFactory(DjangoModelFactory):
    class Meta:
        model = ReferralCode

    program = factory.SubFactory(ProgramFactory)
    merchant = factory.SelfAttribute("program.merchant")
    mode = factory.SelfAttribute("program.mode")
    partner = factory.SubFactory(PartnerFactory)
    code = factory.Sequence(lambda n: f"code{n}")
    is_default = True


class ClickFactory(DjangoModelFactory):
    class Meta:
        model = Click

    referral_code = factory.SubFactory(ReferralCodeFactory)
    merchant = factory.SelfAttribute("referral_code.merchant")
    mode = factory.SelfAttribute("referral_code.mode")
    program = factory.SelfAttribute("referral_code.program")
    partner = factory.SelfAttribute("referral_code.partner")
    landing_url = "https://shop.example.com/welcome"
    referrer = "https://blog.example.org/post"
    user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0"
    ip_hash = "0" * 64
    source = ClickSource.API
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda click: click.created_at + timedelta(days=30))
