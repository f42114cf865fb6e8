"""Factories for programs, partners' codes, clicks and commissions used by the conversion tests.

They are the partners tests' factories with the defaults these tests are written for:
10% programs, approved applications, clicks without a visitor fingerprint.
"""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from tests.partners import factories as base


class ProgramFactory(base.ProgramFactory):
    code = factory.Sequence(lambda n: f"PROG{n}")
    percent_bps = 1000
    cpa_amount_cents = None
    recurring_months = None


class ApplicationFactory(base.ApplicationFactory):
    program = factory.SubFactory(ProgramFactory)
    status = "approved"
    message = ""
    decided_at = factory.LazyFunction(timezone.now)


class ReferralCodeFactory(base.ReferralCodeFactory):
    program = factory.SubFactory(ProgramFactory)
    code = factory.Sequence(lambda n: f"ref{n}")


class PromoCodeFactory(base.PromoCodeFactory):
    program = factory.SubFactory(ProgramFactory)


class ClickFactory(base.ClickFactory):
    program = factory.SubFactory(ProgramFactory)
    referral_code = None
    referrer = ""
    user_agent = ""
    ip_hash = ""
    country = ""
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(
        lambda o: o.created_at + timedelta(days=o.program.cookie_days)
    )
