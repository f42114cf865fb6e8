"""Who is looking at a dashboard page: their merchant, role and mode, or their partner profile."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Membership, Merchant, Mode, Partner, Role

SESSION_MERCHANT = "selgeo_merchant_id"
SESSION_MODE = "selgeo_mode"

# Streaming responses (CSV exports) are not HttpResponse subclasses, hence the base class.
View = Callable[..., HttpResponseBase]


class MerchantRequest(HttpRequest):
    """What `merchant_view` adds to the request; views annotate with it for the type checker."""

    membership: Membership
    merchant: Merchant
    mode: str


class PartnerRequest(HttpRequest):
    """What `partner_view` adds: the signed-in partner and the mode of the programs shown."""

    partner: Partner
    mode: str


def current_membership(request: HttpRequest) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    memberships = Membership.objects.select_related("merchant").filter(user_id=request.user.pk)
    wanted = request.session.get(SESSION_MERCHANT)
    membership = memberships.filter(merchant_id=wanted).first() if wanted else None
    return membership or memberships.order_by("created_at").first()


def current_mode(request: HttpRequest) -> str:
    mode = request.session.get(SESSION_MODE, Mode.LIVE)
    return mode if mode in Mode.values else Mode.LIVE


def current_partner(request: HttpRequest) -> Partner | None:
    if not request.user.is_authenticated:
        return None
    partner = Partner.objects.filter(user_id=request.user.pk, erased_at__isnull=True).first()
    return partner


def merchant_view(*, admin: bool = False) -> Callable[[View], View]:
    """Pages of the merchant dashboard; `admin` pages need the owner or admin role."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), "/login/")
            membership = current_membership(request)
            if membership is None:
                if current_partner(request) is not None:
                    return redirect("portal:home")
                return redirect("dashboard:create-merchant")
            if admin and membership.role not in (Role.OWNER, Role.ADMIN):
                raise PermissionDenied("This page needs the owner or admin role")
            request.membership = membership  # type: ignore[attr-defined]
            request.merchant = membership.merchant  # type: ignore[attr-defined]
            request.mode = current_mode(request)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def partner_view(view: View) -> View:
    """Pages of the partner portal: a signed-in user with a partner profile that is not erased."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "/partner/login/")
        partner = current_partner(request)
        if partner is None:
            # A signed-in merchant user (or an erased partner's teammate login) first
            # creates a partner profile, then comes back to the page they wanted.
            target = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('portal:become-partner')}?{target}")
        request.partner = partner  # type: ignore[attr-defined]
        # Partners see live programs unless they switch to test (same session key as merchants).
        request.mode = current_mode(request)  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
