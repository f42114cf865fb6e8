"""The partner's invitations in the portal: the list with accept and decline buttons, and
the page the emailed link opens (after logging in or signing up)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dashboard.access import PartnerRequest, partner_view
from dashboard.paging import paginate
from partners import selectors, services
from partners.models import Invitation
from selgeo.api.errors import ApiError

ANSWERS = {"accept": services.invitation_accept, "decline": services.invitation_decline}


def _answer(request: PartnerRequest, invitation: Invitation, answer: str) -> HttpResponse:
    try:
        answered = ANSWERS[answer](invitation=invitation, partner=request.partner)
    except ApiError as exc:
        messages.error(request, exc.message)
    else:
        program = answered.program
        if answer == "accept":
            messages.success(
                request,
                f"You joined {program.name} of {program.merchant.name}. "
                "Your referral link is on your programs page.",
            )
        else:
            messages.success(request, f"You declined the invitation to {program.name}.")
    return redirect("portal:invitations")


@partner_view
def invitations(request: PartnerRequest) -> HttpResponse:
    rows = selectors.invitations_of(partner=request.partner, mode=request.mode).order_by(
        "-created_at"
    )
    return render(
        request,
        "portal/invitations.html",
        {"section": "invitations", **paginate(request, rows)},
    )


@require_POST
@partner_view
def invitation_answer(
    request: PartnerRequest, invitation_id: uuid.UUID, answer: str
) -> HttpResponse:
    if answer not in ANSWERS:
        raise Http404("Unknown answer")
    invitation = get_object_or_404(
        selectors.invitations_of(partner=request.partner, mode=request.mode), pk=invitation_id
    )
    return _answer(request, invitation, answer)


@partner_view
def invitation_link(request: PartnerRequest, token: str) -> HttpResponse:
    """The emailed link: an open invitation, whatever its mode; answered ones are gone (404)."""
    invitation = selectors.open_invitation_by_token(token=token)
    if invitation is None:
        raise Http404("This invitation link is no longer valid")
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        if answer not in ANSWERS:
            raise Http404("Unknown answer")
        return _answer(request, invitation, answer)
    return render(
        request,
        "portal/invitation.html",
        {"section": "invitations", "invitation": invitation},
    )
