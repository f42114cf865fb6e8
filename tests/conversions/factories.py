"""Factories for programs, partners' codes, clicks and commissions used by the conversion tests."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from partners.models import Application, Program, PromoCode, ReferralCode
from tests.factories import MerchantFactory, PartnerFactory
from tracking.models import Click


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    merchant = factory.SubFactory(MerchantFactory)
    mode = "live"
    code = factory.Sequence(lambda n: f"PROG{n}")
    name = factory.Sequence(lambda n: f"Program {n}")
    status = "published"
    currency = "EUR"
    commission_type = "cps"
    percent_bps = 1000
    cpa_amount_cents = None
    recurring_months = None
    cookie_days = 30
    hold_days = 30
    landing_url = "https://shop.example.com/landing"


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application

    program = factory.SubFactory(ProgramFactory)
    merchant = factory.LazyAttribute(lambda o: o.program.merchant)
    mode = factory.LazyAttribute(lambda o: o.program.mode)
    partner = factory.SubFactory(PartnerFactory)
    status = "approved"
    decided_at = factory.LazyFunction(timezone.now)


class ReferralCodeFactory(DjangoModelFactory):
    class Meta:
        model = ReferralCode

    program = factory.SubFactory(ProgramFactory)
    merchant = factory.LazyAttribute(lambda o: o.program.merchant)
    mode = factory.LazyAttribute(lambda o: o.program.mode)
    partner = factory.SubFactory(PartnerFactory)
    code = factory.Sequence(lambda n: f"ref{n}")


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
    referral_code = None
    landing_url = "https://shop.example.com/landing"
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(
        lambda o: o.created_at + timedelta(days=o.program.cookie_days)
    )
