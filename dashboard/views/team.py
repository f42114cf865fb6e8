"""Team members and their roles."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.models import Membership, Role
from dashboard.access import MerchantRequest, merchant_view
from dashboard.forms import RoleForm, TeamMemberForm, add_service_errors
from selgeo.api.errors import ValidationFailed


@merchant_view()
def team(request: MerchantRequest) -> HttpResponse:
    merchant = request.merchant
    can_manage = request.membership.role in (Role.OWNER, Role.ADMIN)
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            messages.error(request, "Only owners and admins manage the team.")
            return redirect("dashboard:team")
        if form.is_valid():
            try:
                services.membership_invite(
                    merchant=merchant,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.details, exc.message)
            else:
                messages.success(request, f"{form.cleaned_data['email']} was added to the team.")
                return redirect("dashboard:team")
    return render(
        request,
        "dashboard/team.html",
        {
            "section": "team",
            "members": selectors.members_of(merchant=merchant),
            "form": form,
            "can_manage": can_manage,
            "roles": Role.choices,
        },
    )


def _member(request: MerchantRequest, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership,
        pk=membership_id,
        merchant=request.merchant,
    )


@require_POST
@merchant_view(admin=True)
def member_role(request: MerchantRequest, membership_id: int) -> HttpResponse:
    membership = _member(request, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_set_role(membership=membership, role=form.cleaned_data["role"])
        except ValidationFailed as exc:
            messages.error(request, exc.details[0]["message"] if exc.details else exc.message)
        else:
            messages.success(request, f"{membership.user.email} is now {membership.role}.")
    return redirect("dashboard:team")


@require_POST
@merchant_view(admin=True)
def member_remove(request: MerchantRequest, membership_id: int) -> HttpResponse:
    membership = _member(request, membership_id)
    try:
        services.membership_remove(membership=membership)
    except ValidationFailed as exc:
        messages.error(request, exc.details[0]["message"] if exc.details else exc.message)
    else:
        messages.success(request, f"{membership.user.email} was removed from the team.")
    return redirect("dashboard:team")
