"""Factories for programs, applications, codes and clicks."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from partners.models import (
    Application,
    ApplicationStatus,
    CommissionType,
    Program,
    ProgramStatus,
    PromoCode,
    ReferralCode,
)
from tests.factories import MerchantFactory, PartnerFactory
from tracking.models import Click


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    merchant = factory.SubFactory(MerchantFactory)
    mode = "live"
    code = factory.Sequence(lambda n: f"prog-{n}")
    name = factory.Sequence(lambda n: f"Program {n}")
    status = ProgramStatus.PUBLISHED
    currency = "EUR"
    commission_type = CommissionType.CPS
    percent_bps = 1500
    cookie_days = 30
    hold_days = 30
    landing_url = "https://shop.example.com/landing"
    is_public = True


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application

    program = factory.SubFactory(ProgramFactory)
    merchant = factory.LazyAttribute(lambda o: o.program.merchant)
    mode = factory.LazyAttribute(lambda o: o.program.mode)
    partner = factory.SubFactory(PartnerFactory)
    status = ApplicationStatus.PENDING
    message = "I run a blog about shoes"


class ReferralCodeFactory(DjangoModelFactory):
    class Meta:
        model = ReferralCode

    program = factory.SubFactory(ProgramFactory)
    merchant = factory.LazyAttribute(lambda o: o.program.merchant)
    mode = factory.LazyAttribute(lambda o: o.program.mode)
    partner = factory.SubFactory(PartnerFactory)
    code = factory.Sequence(lambda n: f"ref-{n}")


class PromoCodeFactory(DjangoModelFactory):
    class Meta:
        model = PromoCode

    program = factory.SubFactory(ProgramFactory)
    merchant = factory.LazyAttribute(lambda o: o.program.merchant)
    mode = factory.LazyAttribute(lambda o: o.program.mode)
    partner = factory.SubFactory(PartnerFactory)
    code = factory.Sequence(lambda n: f"PROMO{n}")


class ClickFactory(DjangoModelFactory):
    class Meta:
        model = Click

    program = factory.SubFactory(ProgramFactory)
    merchant = factory.LazyAttribute(lambda o: o.program.merchant)
    mode = factory.LazyAttribute(lambda o: o.program.mode)
    partner = factory.SubFactory(PartnerFactory)
    landing_url = "https://shop.example.com/landing"
    referrer = "https://blog.example.org/post"
    user_agent = "Mozilla/5.0 (X11; Linux x86_64)"
    ip_hash = "a" * 64
    country = "DE"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
