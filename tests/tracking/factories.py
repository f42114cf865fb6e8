"""Factories for what clicks point at: programs and referral codes (and clicks).

Programs and codes are the partners tests' factories, in test mode by default.
"""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Mode
from tests.partners import factories as base
from tracking.models import Click, ClickSource


class ProgramFactory(base.ProgramFactory):
    mode = Mode.TEST
    code = factory.Sequence(lambda n: f"prog{n}")
    landing_url = "https://shop.example.com/welcome"


class ReferralCodeFactory(base.ReferralCodeFactory):
    program = factory.SubFactory(ProgramFactory)
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
