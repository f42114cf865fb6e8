"""What each notification says and to whom: one builder per kind.

A builder takes the id of what happened (an application, a conversion, a commission…)
and returns the mails it calls for, one per recipient, or none when there is nothing
(any more) to say: the row is gone, the partner was erased, the conversion was not
the partner's first. Builders only read; `notifications.services` sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from accounts.models import Membership, Mode, Partner, Role, User
from notifications.models import Kind


@dataclass(frozen=True)
class Mail:
    kind: str
    subject_key: str
    user: User
    # Whose switch decides: the member's (merchant mails) or the partner's.
    membership: Membership | None
    partner: Partner | None
    subject: str
    context: dict[str, Any] = field(default_factory=dict)
    # A digest names several subjects: the mail goes out with those not yet announced
    # to this recipient (as the context's `items`), or not at all when none is left.
    items: dict[str, Any] = field(default_factory=dict)


def url(path: str) -> str:
    return f"{settings.SELGEO_PUBLIC_URL}{path}"


def _mode_note(mode: str) -> str:
    return " (test mode)" if mode == Mode.TEST else ""


def _members(merchant_id: Any, *, admins_only: bool = False) -> list[Membership]:
    members = Membership.objects.select_related("user", "merchant").filter(
        merchant_id=merchant_id, user__is_active=True
    )
    if admins_only:
        members = members.filter(role__in=(Role.OWNER, Role.ADMIN))
    return list(members.order_by("created_at"))


def _merchant_mails(
    kind: str,
    subject_key: str,
    merchant_id: Any,
    subject: str,
    context: dict[str, Any],
    *,
    admins_only: bool = False,
) -> list[Mail]:
    return [
        Mail(
            kind=kind,
            subject_key=subject_key,
            user=member.user,
            membership=member,
            partner=None,
            subject=subject,
            context={
                **context,
                "merchant": member.merchant,
                "preferences_url": url("/dashboard/settings/notifications/"),
            },
        )
        for member in _members(merchant_id, admins_only=admins_only)
    ]


def _partner_mail(
    kind: str, subject_key: str, partner: Partner, subject: str, context: dict[str, Any]
) -> list[Mail]:
    user = partner.user
    if partner.is_erased or user is None or not user.is_active:
        return []
    return [
        Mail(
            kind=kind,
            subject_key=subject_key,
            user=user,
            membership=None,
            partner=partner,
            subject=subject,
            context={
                **context,
                "partner": partner,
                "preferences_url": url("/partner/notifications/"),
            },
        )
    ]


def application_new(application_id: str) -> list[Mail]:
    from partners.models import Application, ApplicationStatus

    application = (
        Application.objects.select_related("program", "partner")
        .filter(pk=application_id, status=ApplicationStatus.PENDING)
        .first()
    )
    if application is None or application.partner.is_erased:
        return []
    program, partner = application.program, application.partner
    return _merchant_mails(
        Kind.APPLICATION_NEW,
        str(application.pk),
        application.merchant_id,
        f"{partner.display_name} applied to {program.name}{_mode_note(application.mode)}",
        {
            "application": application,
            "program": program,
            "partner": partner,
            "link": url("/dashboard/applications/"),
        },
    )


def first_conversion(conversion_id: str) -> list[Mail]:
    from conversions.models import Conversion

    conversion = (
        Conversion.objects.select_related("program", "partner")
        .filter(pk=conversion_id, attributed=True, partner__isnull=False)
        .first()
    )
    if conversion is None or conversion.partner is None or conversion.partner.is_erased:
        return []
    partner = conversion.partner
    earliest = (
        Conversion.objects.filter(
            merchant_id=conversion.merchant_id,
            mode=conversion.mode,
            partner=partner,
            attributed=True,
        )
        .order_by("created_at", "id")
        .values_list("id", flat=True)
        .first()
    )
    # Only the partner's earliest attributed conversion is announced; whichever task
    # runs for it, the subject key (the partner) keeps it to one mail per member.
    if earliest != conversion.pk:
        return []
    program = conversion.program
    return _merchant_mails(
        Kind.FIRST_CONVERSION,
        f"{conversion.merchant_id}:{conversion.mode}:{partner.pk}",
        conversion.merchant_id,
        f"First conversion from {partner.display_name}{_mode_note(conversion.mode)}",
        {
            "conversion": conversion,
            "program": program,
            "partner": partner,
            "link": url(f"/dashboard/conversions/{conversion.pk}/"),
        },
    )


def endpoint_disabled(endpoint_id: str) -> list[Mail]:
    from webhooks.models import DisabledReason, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, disabled_at__isnull=False).first()
    if endpoint is None or endpoint.disabled_reason == DisabledReason.MANUAL:
        return []
    assert endpoint.disabled_at is not None
    return _merchant_mails(
        Kind.ENDPOINT_DISABLED,
        f"{endpoint.pk}:{endpoint.disabled_at.isoformat()}",
        endpoint.merchant_id,
        f"Webhook endpoint disabled{_mode_note(endpoint.mode)}",
        {
            "endpoint": endpoint,
            "reason": DisabledReason(endpoint.disabled_reason).label,
            "link": url(f"/dashboard/developers/webhooks/{endpoint.pk}/"),
        },
        admins_only=True,
    )


def dynamic_url_disabled(program_id: str) -> list[Mail]:
    from dynamic_delivery.models import DynamicUrl

    dynamic = (
        DynamicUrl.objects.select_related("program")
        .filter(program_id=program_id, disabled_at__isnull=False)
        .first()
    )
    if dynamic is None:
        return []
    assert dynamic.disabled_at is not None
    program = dynamic.program
    return _merchant_mails(
        Kind.DYNAMIC_URL_DISABLED,
        f"{program.pk}:{dynamic.disabled_at.isoformat()}",
        program.merchant_id,
        f"Dynamic delivery URL of {program.name} disabled{_mode_note(program.mode)}",
        {
            "program": program,
            "dynamic": dynamic,
            "link": url(f"/dashboard/programs/{program.pk}/dynamic-url/"),
        },
        admins_only=True,
    )


def _decided(application_id: str, status: str, kind: str, verb: str) -> list[Mail]:
    from partners.models import Application

    application = (
        Application.objects.select_related("program", "partner", "merchant")
        .filter(pk=application_id, status=status)
        .first()
    )
    if application is None:
        return []
    program = application.program
    return _partner_mail(
        kind,
        str(application.pk),
        application.partner,
        f"{application.merchant.name} {verb} your application to {program.name}"
        f"{_mode_note(application.mode)}",
        {
            "application": application,
            "program": program,
            "merchant": application.merchant,
            "link": url("/partner/applications/"),
            "programs_link": url("/partner/"),
        },
    )


def application_approved(application_id: str) -> list[Mail]:
    from partners.models import ApplicationStatus

    return _decided(
        application_id, ApplicationStatus.APPROVED, Kind.APPLICATION_APPROVED, "approved"
    )


def application_rejected(application_id: str) -> list[Mail]:
    from partners.models import ApplicationStatus

    return _decided(
        application_id, ApplicationStatus.REJECTED, Kind.APPLICATION_REJECTED, "declined"
    )


def commissions_approved(commission_ids: list[str]) -> list[Mail]:
    """One mail per partner for the commissions an approval sweep approved together."""
    from conversions.models import Commission, CommissionStatus

    commissions = (
        Commission.objects.select_related("program", "partner", "merchant")
        .filter(
            pk__in=commission_ids,
            status__in=(CommissionStatus.APPROVED, CommissionStatus.PAID),
        )
        .order_by("partner_id", "created_at", "id")
    )
    by_partner: dict[Any, list[Any]] = {}
    for commission in commissions:
        by_partner.setdefault(commission.partner_id, []).append(commission)
    mails = []
    for group in by_partner.values():
        first = group[0]
        many = len(group) > 1
        subject = (
            f"{len(group)} commissions approved"
            if many
            else f"Commission approved: {first.program.name}"
        )
        for mail in _partner_mail(
            Kind.COMMISSION_APPROVED,
            str(first.pk),
            first.partner,
            f"{subject}{_mode_note(first.mode)}",
            {"link": url("/partner/earnings/")},
        ):
            mails.append(
                Mail(
                    **{**mail.__dict__, "items": {str(c.pk): c for c in group}},
                )
            )
    return mails


def payout_sent(payout_id: str) -> list[Mail]:
    from payouts.run_models import Payout, PayoutStatus

    payout = (
        Payout.objects.select_related("partner", "merchant")
        .filter(pk=payout_id, status=PayoutStatus.PAID)
        .first()
    )
    if payout is None:
        return []
    return _partner_mail(
        Kind.PAYOUT_SENT,
        str(payout.pk),
        payout.partner,
        f"{payout.merchant.name} sent you a payout{_mode_note(payout.mode)}",
        {
            "payout": payout,
            "merchant": payout.merchant,
            "link": url(f"/partner/payouts/{payout.pk}/"),
        },
    )


def _each(build: Callable[[str], list[Mail]]) -> Callable[[list[str]], list[Mail]]:
    def build_all(subject_ids: list[str]) -> list[Mail]:
        return [mail for subject_id in subject_ids for mail in build(subject_id)]

    return build_all


BUILDERS: dict[str, Callable[[list[str]], list[Mail]]] = {
    Kind.APPLICATION_NEW: _each(application_new),
    Kind.FIRST_CONVERSION: _each(first_conversion),
    Kind.ENDPOINT_DISABLED: _each(endpoint_disabled),
    Kind.DYNAMIC_URL_DISABLED: _each(dynamic_url_disabled),
    Kind.APPLICATION_APPROVED: _each(application_approved),
    Kind.APPLICATION_REJECTED: _each(application_rejected),
    Kind.COMMISSION_APPROVED: commissions_approved,
    Kind.PAYOUT_SENT: _each(payout_sent),
}
