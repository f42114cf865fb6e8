"""Invitations: a merchant offers a program to an email; the partner accepts or declines.

An invitation names an address, never an account: creating one reads nothing about the
partner behind the email, so the answer (status, body, work done) is the same whether an
account exists or not. The mail, sent once the invitation is committed, is the only thing
that differs: an existing account is sent to the invitation's page, an unknown address to
sign up first and find the invitation waiting.

Status machine: invited → accepted | declined (the partner) | revoked (the merchant), all
final. Inviting the same address to the same program while an invitation is open answers
that invitation again (idempotent, no second mail). Accepting approves the partner in the
program (`application.approved`), creating the application or approving the partner's
own pending or rejected one; until then the partner is not the merchant's partner.

Who may answer: the partner whose login email is the invitation's address (portal list
and partner API), or any signed-in partner holding the emailed link (its token proves the
mail was received; a forwarded link lets the recipient join, as with most invitations).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Partner
from partners.errors import status_conflict
from partners.mails import send_invitation_mail
from partners.models import Invitation, InvitationStatus, Program, ProgramStatus
from partners.services._common import lock_partner, violated_constraint
from partners.services.applications import MESSAGE_MAX, approve_for_invitation
from selgeo.api import ratelimit
from selgeo.api.errors import ValidationFailed

OPEN_INVITATION_CONSTRAINT = "partners_invitation_one_open"


def normalized_email(email: str) -> str:
    return email.strip().lower()


@transaction.atomic
def invitation_create(
    *, program: Program, email: str, message: str = ""
) -> tuple[Invitation, bool]:
    """Invite `email` to a published program; returns the invitation and whether it is new.

    An open invitation of the same address to the same program is returned as it is
    (False): no second invitation, no second mail.
    """
    if len(message) > MESSAGE_MAX:
        raise ValidationFailed.field("message", f"At most {MESSAGE_MAX} characters")
    if program.status != ProgramStatus.PUBLISHED:
        raise status_conflict(
            f"Only a published program takes invitations (it is {program.status})"
        )
    address = normalized_email(email)
    try:
        validate_email(address)
    except DjangoValidationError as exc:
        raise ValidationFailed.field("email", "Enter a valid email address") from exc
    # Counted per merchant whatever the address: the answer must not tell accounts apart.
    ratelimit.enforce_key(zone="invitations", key=str(program.merchant_id))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        merchant=program.merchant,
        mode=program.mode,
        program=program,
        email=address,
        message=message,
        token_digest=Invitation.digest_of(token),
    )
    try:
        with transaction.atomic():
            invitation.save(force_insert=True)
    except IntegrityError as exc:
        if OPEN_INVITATION_CONSTRAINT not in violated_constraint(exc):
            raise
        existing = Invitation.objects.get(
            program=program, email=address, status=InvitationStatus.INVITED
        )
        return existing, False
    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_invitation_mail(invitation_id=invitation_id, token=token))
    return invitation, True


def _locked_open(invitation: Invitation) -> Invitation:
    locked = (
        Invitation.objects.select_related("program", "program__merchant")
        .select_for_update(of=("self",))
        .get(pk=invitation.pk)
    )
    if locked.status != InvitationStatus.INVITED:
        raise status_conflict(f"This invitation is already {locked.status}")
    return locked


def _answer(invitation: Invitation, status: str, partner: Partner) -> None:
    invitation.status = status
    invitation.partner = partner
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "partner", "application", "answered_at"])


@transaction.atomic
def invitation_accept(*, invitation: Invitation, partner: Partner) -> Invitation:
    """The partner joins the program: its application there ends approved, with a code."""
    partner = lock_partner(partner)
    locked = _locked_open(invitation)
    locked.application = approve_for_invitation(
        partner=partner, program=locked.program, message=locked.message
    )
    _answer(locked, InvitationStatus.ACCEPTED, partner)
    return locked


@transaction.atomic
def invitation_decline(*, invitation: Invitation, partner: Partner) -> Invitation:
    partner = lock_partner(partner)
    locked = _locked_open(invitation)
    _answer(locked, InvitationStatus.DECLINED, partner)
    return locked


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """The merchant withdraws an open invitation; its link stops working."""
    changed = Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.INVITED).update(
        status=InvitationStatus.REVOKED, answered_at=timezone.now()
    )
    invitation.refresh_from_db()
    if not changed:
        raise status_conflict(f"This invitation is already {invitation.status}")
    return invitation
