"""The invitation mail: one for an address with a Selgeo account, one for a new address.

Sent after the invitation is committed. Looking the address up happens here, outside the
merchant's answer, and the merchant is never told which of the two mails went out.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.utils.http import urlencode

from accounts.models import User
from partners.models import Invitation


def invitation_link(token: str) -> str:
    return f"{settings.SELGEO_PUBLIC_URL}/partner/invitations/t/{token}/"


def send_invitation_mail(*, invitation_id: uuid.UUID, token: str) -> None:
    invitation = Invitation.objects.select_related("program", "program__merchant").get(
        pk=invitation_id
    )
    program = invitation.program
    merchant = program.merchant.name
    link = invitation_link(token)
    has_account = User.objects.filter(email__iexact=invitation.email, is_active=True).exists()
    note = f"\nTheir message: {invitation.message}\n" if invitation.message else ""
    if has_account:
        body = (
            f"{merchant} invites you to join their program {program.name} on Selgeo.\n{note}\n"
            f"Log in to accept or decline the invitation:\n{link}\n\n"
            f"It is also listed in your partner portal: "
            f"{settings.SELGEO_PUBLIC_URL}/partner/invitations/\n\n"
            "Nothing changes until you accept."
        )
    else:
        signup = (
            f"{settings.SELGEO_PUBLIC_URL}/partner/signup/?"
            f"{urlencode({'next': link.removeprefix(settings.SELGEO_PUBLIC_URL)})}"
        )
        body = (
            f"{merchant} invites you to join their program {program.name} on Selgeo, "
            f"the affiliate platform they use.\n{note}\n"
            f"Sign up as a partner with this email address, then accept or decline:\n"
            f"{signup}\n\n"
            "If you did not expect this, ignore this email: no account is created for you."
        )
    send_mail(
        subject=f"{merchant} invites you to {program.name} on Selgeo",
        message=body,
        from_email=None,
        recipient_list=[invitation.email],
    )
