"""The mail that tells a program's partners its commission terms changed.

Plain text and HTML, one message per partner (addresses are never shared between
partners). Sent by the `partners.notify_terms_changed` task after the change commits.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Partner
from partners.models import ApplicationStatus, CommissionType, TermsVersion
from partners.terms import bps_text
from selgeo.currencies import is_currency, minor_unit_exponent


def terms_text(version: TermsVersion, currency: str) -> str:
    """The terms in words, e.g. "15% of each sale" or "25.00 EUR per conversion"."""
    if version.commission_type == CommissionType.CPA:
        cents = version.cpa_amount_cents or 0
        exponent = minor_unit_exponent(currency) if is_currency(currency) else 2
        whole, rest = divmod(cents, 10**exponent)
        amount = f"{whole}.{rest:0{exponent}d}" if exponent else str(whole)
        return f"{amount} {currency} per conversion"
    text = f"{bps_text(version.percent_bps or 0)} of each sale"
    if version.commission_type == CommissionType.REVSHARE:
        months = version.recurring_months
        text = f"{bps_text(version.percent_bps or 0)} of each payment" + (
            f" for {months} months" if months else ""
        )
    return text


def _recipients(version: TermsVersion) -> list[Partner]:
    return list(
        Partner.objects.filter(
            applications__program_id=version.program_id,
            applications__status=ApplicationStatus.APPROVED,
            erased_at__isnull=True,
            user__isnull=False,
        )
        .select_related("user")
        .distinct()
    )


def send_terms_changed_mails(*, version_id: uuid.UUID) -> int:
    """Mail every approved partner of the version's program; returns how many were sent.

    The version is claimed first by a conditional UPDATE, so a task run twice (a retry,
    a redelivered message) sends nothing the second time.
    """
    claimed = TermsVersion.objects.filter(pk=version_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    version = TermsVersion.objects.select_related("program", "program__merchant").get(pk=version_id)
    program = version.program
    previous = (
        TermsVersion.objects.filter(program=program, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    context = {
        "program": program,
        "merchant": program.merchant.name,
        "version": version,
        "now_text": terms_text(version, program.currency),
        "before_text": terms_text(previous, program.currency) if previous else "",
        "effective": version.effective_from.strftime("%Y-%m-%d %H:%M UTC"),
        "portal_url": f"{settings.SELGEO_PUBLIC_URL}/partner/programs/{program.pk}/terms/",
    }
    sent = 0
    for partner in _recipients(version):
        assert partner.user is not None
        body = {**context, "partner": partner}
        message = EmailMultiAlternatives(
            subject=f"{program.merchant.name} changed the commission terms of {program.name}",
            body=render_to_string("partners/mail/terms_changed.txt", body),
            to=[partner.user.email],
        )
        message.attach_alternative(
            render_to_string("partners/mail/terms_changed.html", body), "text/html"
        )
        message.send()
        sent += 1
    return sent
