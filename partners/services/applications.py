"""Applications: a partner applies, the merchant approves or rejects.

Application status machine: pending → approved | rejected, and rejected → approved (a
merchant may reconsider; the partner cannot apply twice). An approved application
stays approved: to stop a partner, disable their codes. A merchant's invitation is an
offer (`partners.services.invitations`): only the partner's acceptance approves, and the
application it approves or creates is marked `invited=true`. Approval, by decision or by
an accepted invitation, creates the partner's default referral code.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Partner
from notifications.models import Kind
from notifications.services import notify_after_commit
from partners.errors import ApplicationDuplicate, status_conflict
from partners.models import Application, ApplicationStatus, Program, ProgramStatus, ReferralCode
from partners.serializers import ApplicationOut
from partners.services._common import APPLICATION_CONSTRAINT, lock_partner, violated_constraint
from partners.services.codes import insert_referral_code
from selgeo.api.errors import NotFound, ValidationFailed
from webhooks.services import emit

MESSAGE_MAX = 2000


def _check_message(message: str, field: str = "message") -> None:
    if len(message) > MESSAGE_MAX:
        raise ValidationFailed.field(field, f"At most {MESSAGE_MAX} characters")


def application_event_data(application: Application) -> dict[str, Any]:
    """The `data` of an application's events (the webhook catalogue's examples use it too)."""
    return dict(ApplicationOut(application).data)


def _emit(application: Application, type: str) -> None:
    emit(
        merchant=application.merchant,
        mode=application.mode,
        type=type,
        data=application_event_data(application),
    )


def _insert(application: Application) -> Application:
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError as exc:
        if APPLICATION_CONSTRAINT in violated_constraint(exc):
            raise ApplicationDuplicate() from exc
        raise
    return application


def _ensure_default_code(application: Application) -> None:
    exists = ReferralCode.objects.filter(
        partner=application.partner, program=application.program, is_default=True
    ).exists()
    if not exists:
        insert_referral_code(
            program=application.program, partner=application.partner, code=None, is_default=True
        )


@transaction.atomic
def application_submit(*, partner: Partner, program: Program, message: str = "") -> Application:
    """The partner applies to a published program; a second application is a 409.

    A program with `auto_approve_applications` approves the application at once."""
    _check_message(message)
    partner = lock_partner(partner)
    # The unique constraint is what guarantees one application per pair (see `_insert`);
    # this read only gives the duplicate its proper answer before the status checks.
    if Application.objects.filter(partner=partner, program=program).exists():
        raise ApplicationDuplicate()
    if not program.is_public:
        raise NotFound("Program not found")
    if program.status != ProgramStatus.PUBLISHED:
        raise status_conflict(
            f"This program is not accepting applications (it is {program.status})"
        )
    application = _insert(
        Application(
            merchant=program.merchant,
            mode=program.mode,
            program=program,
            partner=partner,
            message=message,
        )
    )
    _emit(application, "partner.applied")
    notify_after_commit(kind=Kind.APPLICATION_NEW, subject_ids=[application.pk])
    if program.auto_approve_applications:
        # The program approves every application as it arrives: the same approval as a
        # merchant's decision (default code, event), in the same transaction.
        application.status = ApplicationStatus.APPROVED
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "decided_at"])
        _ensure_default_code(application)
        _emit(application, "application.approved")
        # Told as a merchant's approval is: a mail, and the dynamic URL's delivery.
        _approved_after_commit(application, notify=True)
    return application


def approve_for_invitation(*, partner: Partner, program: Program, message: str) -> Application:
    """The partner accepted an invitation: its application to `program` ends approved.

    The caller holds the partner lock and has checked the invitation. A pending or
    rejected application (the partner's own, so consented to) is approved; an approved
    one stays as it is; without one, an approved application is created.
    """
    if program.status == ProgramStatus.ARCHIVED:
        raise status_conflict("The program is archived")
    application = (
        Application.objects.select_related("program", "partner", "merchant")
        .select_for_update(of=("self",))
        .filter(partner=partner, program=program)
        .first()
    )
    if application is not None and application.status == ApplicationStatus.APPROVED:
        return application
    if application is None:
        application = _insert(
            Application(
                merchant=program.merchant,
                mode=program.mode,
                program=program,
                partner=partner,
                status=ApplicationStatus.APPROVED,
                invited=True,
                decision_message=message,
                decided_at=timezone.now(),
            )
        )
    else:
        application.status = ApplicationStatus.APPROVED
        application.invited = True
        application.decision_message = message
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "invited", "decision_message", "decided_at"])
    _ensure_default_code(application)
    _emit(application, "application.approved")
    _approved_after_commit(application, notify=False)
    return application


def _approved_after_commit(application: Application, *, notify: bool) -> None:
    # A partner who accepted an invitation approved it themselves: no mail tells them so.
    # Either way the program's dynamic URL, if any, makes their personal delivery text.
    from dynamic_delivery.services import dynamic_delivery_after_commit

    if notify:
        notify_after_commit(kind=Kind.APPLICATION_APPROVED, subject_ids=[application.pk])
    dynamic_delivery_after_commit(application=application)


def _locked(application: Application) -> Application:
    lock_partner(application.partner)
    return (
        Application.objects.select_related("program", "partner", "merchant")
        .select_for_update(of=("self",))
        .get(pk=application.pk)
    )


@transaction.atomic
def application_approve(*, application: Application, message: str = "") -> Application:
    _check_message(message)
    locked = _locked(application)
    if locked.status == ApplicationStatus.APPROVED:
        raise status_conflict("This application is already approved")
    if locked.program.status == ProgramStatus.ARCHIVED:
        raise status_conflict("The program is archived")
    locked.status = ApplicationStatus.APPROVED
    locked.decision_message = message
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decision_message", "decided_at"])
    _ensure_default_code(locked)
    _emit(locked, "application.approved")
    _approved_after_commit(locked, notify=True)
    return locked


@transaction.atomic
def application_reject(*, application: Application, message: str = "") -> Application:
    _check_message(message)
    locked = _locked(application)
    if locked.status != ApplicationStatus.PENDING:
        raise status_conflict(f"Only a pending application can be rejected (it is {locked.status})")
    locked.status = ApplicationStatus.REJECTED
    locked.decision_message = message
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decision_message", "decided_at"])
    _emit(locked, "application.rejected")
    notify_after_commit(kind=Kind.APPLICATION_REJECTED, subject_ids=[locked.pk])
    return locked
