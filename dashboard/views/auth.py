"""Sign up, log in and out, password reset, merchant and mode switching."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import login_limit, services
from accounts.models import Membership, Mode
from dashboard.access import SESSION_MERCHANT, SESSION_MODE, current_membership, current_partner
from dashboard.forms import (
    BecomePartnerForm,
    ChangePasswordForm,
    CreateMerchantForm,
    EmailLoginForm,
    ForgotPasswordForm,
    MerchantSignupForm,
    PartnerSignupForm,
    ResetPasswordForm,
    add_service_errors,
)
from dashboard.redirects import safe_next
from dashboard.views.keys import remember_new_secrets
from selgeo.api import ratelimit
from selgeo.api.errors import ApiError, RateLimitExceeded, Unauthorized, ValidationFailed


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("dashboard:login")
    if current_membership(request) is not None:
        return redirect("dashboard:overview")
    if current_partner(request) is not None:
        return redirect("portal:home")
    return redirect("dashboard:create-merchant")


def _landing_for(request: HttpRequest, portal: bool) -> str:
    if portal and current_partner(request) is not None:
        return "/partner/"
    if current_membership(request) is not None:
        return "/dashboard/"
    return "/partner/" if current_partner(request) is not None else "/dashboard/new-merchant/"


def login_view(request: HttpRequest, portal: bool = False) -> HttpResponse:
    form = EmailLoginForm(request.POST or None)
    template = "portal/login.html" if portal else "dashboard/login.html"
    context = {"form": form, "next": request.GET.get("next", "")}
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            ratelimit.enforce(request, zone="auth")
        except ApiError as exc:
            form.add_error(None, f"Too many attempts. {exc.message}.")
            return render(request, template, context)
        try:
            user = services.login_authenticate(
                email=email,
                password=form.cleaned_data["password"],
                client=login_limit.LoginClient(
                    ip=ratelimit.client_ip(request),
                    device_cookie=request.COOKIES.get(login_limit.DEVICE_COOKIE, ""),
                ),
            )
        except Unauthorized:
            form.add_error(None, "The email or password is not right.")
        except RateLimitExceeded as exc:
            form.add_error(None, _too_many_message(exc.retry_after))
            response = render(request, template, context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except ApiError as exc:
            form.add_error(None, f"Logging in is unavailable. {exc.message}.")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            response = redirect(safe_next(request, _landing_for(request, portal)))
            # This browser has logged into the account: failed logins elsewhere no
            # longer make it wait (accounts.login_limit).
            response.set_cookie(
                login_limit.DEVICE_COOKIE,
                login_limit.device_cookie(email=email),
                max_age=login_limit.DEVICE_COOKIE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
    return render(request, template, context)


def _too_many_message(seconds: int) -> str:
    if seconds >= 120:
        wait = f"{round(seconds / 60)} minutes"
    else:
        wait = "1 second" if seconds == 1 else f"{seconds} seconds"
    return (
        f"Too many failed attempts for this account. Try again in {wait}, "
        "or reset your password to log in at once."
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("dashboard:login")


def signup(request: HttpRequest) -> HttpResponse:
    form = MerchantSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, merchant, keys = services.merchant_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                company_name=form.cleaned_data["company_name"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_MERCHANT] = str(merchant.pk)
            request.session[SESSION_MODE] = Mode.TEST
            # The keys page is the one place the new secret keys are shown, once.
            remember_new_secrets(request, keys)
            messages.success(request, f"Welcome to Selgeo. {merchant.name} starts in test mode.")
            return redirect("dashboard:api-keys")
    return render(request, "dashboard/signup.html", {"form": form})


def partner_signup(request: HttpRequest) -> HttpResponse:
    form = PartnerSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, _partner = services.partner_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                website=form.cleaned_data["website"],
                country=form.cleaned_data["country"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your partner account is ready. Find a program to promote.")
            return redirect(safe_next(request, "/partner/programs/"))
    return render(
        request, "portal/signup.html", {"form": form, "next": request.GET.get("next", "")}
    )


def create_merchant(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("dashboard:login")
    form = CreateMerchantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        merchant, keys = services.merchant_open(
            owner=request.user, name=form.cleaned_data["company_name"]
        )
        request.session[SESSION_MERCHANT] = str(merchant.pk)
        request.session[SESSION_MODE] = Mode.TEST
        remember_new_secrets(request, keys)
        return redirect("dashboard:api-keys")
    return render(request, "dashboard/create_merchant.html", {"form": form})


def become_partner(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("portal:login")
    form = BecomePartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_profile_create(
                user=request.user,
                display_name=form.cleaned_data["display_name"],
                website=form.cleaned_data["website"],
                country=form.cleaned_data["country"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        else:
            return redirect(safe_next(request, "/partner/"))
    return render(
        request, "portal/become_partner.html", {"form": form, "next": request.GET.get("next", "")}
    )


def forgot_password(request: HttpRequest) -> HttpResponse:
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.enforce(request, zone="auth")
        except ApiError as exc:
            form.add_error(None, f"Too many attempts. {exc.message}.")
        else:
            services.password_reset_request(email=form.cleaned_data["email"])
            messages.info(
                request, "If an account exists for this email, a reset link is on its way."
            )
            return redirect("dashboard:login")
    return render(request, "dashboard/forgot_password.html", {"form": form})


def reset_password(request: HttpRequest) -> HttpResponse:
    form = ResetPasswordForm(request.POST or None, initial={"token": request.GET.get("token", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(
                token=form.cleaned_data["token"], password=form.cleaned_data["password"]
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        else:
            messages.success(request, "Your password has been changed. Log in with it.")
            return redirect("dashboard:login")
    return render(request, "dashboard/reset_password.html", {"form": form})


def change_password(request: HttpRequest) -> HttpResponse:
    """Any signed-in user (merchant or partner): this session stays, the others end."""
    if not request.user.is_authenticated:
        return redirect("dashboard:login")
    form = ChangePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["password"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(
                request, "Your password has been changed. Other sessions have been logged out."
            )
            return redirect("dashboard:home")
    return render(request, "dashboard/change_password.html", {"form": form})


@require_POST
def switch_mode(request: HttpRequest) -> HttpResponse:
    mode = request.POST.get("mode")
    if mode in Mode.values:
        request.session[SESSION_MODE] = mode
    return redirect(safe_next(request, "/dashboard/"))


@require_POST
def switch_merchant(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("merchant_id", "")
    if (
        request.user.is_authenticated
        and Membership.objects.filter(user_id=request.user.pk, merchant_id=wanted).exists()
    ):
        request.session[SESSION_MERCHANT] = wanted
    return redirect("dashboard:overview")
