"""Writes for accounts: users, merchants, memberships, partner profiles and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.text import slugify
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import login_limit
from accounts.keys import generate_key, hash_key
from accounts.login_limit import LoginClient
from accounts.models import ApiKey, KeyKind, Membership, Merchant, Mode, Partner, Role, User
from selgeo.api.errors import NotFound, Unauthorized, ValidationFailed
from selgeo.countries import COUNTRY_RULE, is_country

_BAD_RESET_TOKEN = [{"field": "token", "message": "The reset token is invalid or has expired"}]


@dataclass(frozen=True)
class IssuedKey:
    """A key as returned at creation: the only moment its secret is visible."""

    api_key: ApiKey
    raw: str


# Longer passwords are refused before hashing (the forms, the API and the admin alike).
PASSWORD_MAX = 128


def _password_errors(password: str, user: User | None = None) -> list[dict[str, str]]:
    if len(password) > PASSWORD_MAX:
        return [{"field": "password", "message": f"Use at most {PASSWORD_MAX} characters"}]
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        return [{"field": "password", "message": m} for m in exc.messages]
    return []


def _check_password(password: str, user: User | None = None) -> None:
    details = _password_errors(password, user)
    if details:
        raise ValidationFailed(details=details)


EMAIL_TAKEN = {"field": "email", "message": "An account with this email already exists"}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "merchant"
    slug = base
    suffix = 2
    while Merchant.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


@transaction.atomic
def _country_errors(country: str) -> list[dict[str, str]]:
    if country and not is_country(country.upper()):
        return [{"field": "country", "message": COUNTRY_RULE}]
    return []


def signup_errors(
    *, email: str, password: str, full_name: str = "", country: str = ""
) -> list[dict[str, str]]:
    """What `user_create`/`partner_register` would refuse, writing nothing: the sign-up
    forms show these with their own errors rather than after them."""
    email = email.strip().lower()
    details = [
        *_country_errors(country),
        *_password_errors(password, User(email=email, full_name=full_name)),
    ]
    if email and User.objects.filter(email__iexact=email).exists():
        details.append(EMAIL_TAKEN)
    return details


def user_create(
    *, email: str, password: str, full_name: str = "", errors: list[dict[str, str]] | None = None
) -> User:
    """A new login. Every refusal is reported at once: `errors` found by the caller, the
    password's and a taken email's."""
    email = email.strip().lower()
    candidate = User(email=email, full_name=full_name)
    details = [*(errors or []), *_password_errors(password, candidate)]
    if details:
        if User.objects.filter(email__iexact=email).exists():
            details.append(EMAIL_TAKEN)
        raise ValidationFailed(details=details)
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, full_name=full_name)
    except IntegrityError as exc:
        raise ValidationFailed(details=[EMAIL_TAKEN]) from exc


@transaction.atomic
def merchant_create(*, owner: User, name: str, website: str = "") -> Merchant:
    merchant = Merchant.objects.create(name=name, slug=_unique_slug(name), website=website)
    Membership.objects.create(user=owner, merchant=merchant, role=Role.OWNER)
    return merchant


@transaction.atomic
def merchant_register(
    *, email: str, password: str, company_name: str, full_name: str = ""
) -> tuple[User, Merchant, list[IssuedKey]]:
    """A new merchant with its owner and its four default keys (pk/sk x test/live)."""
    user = user_create(email=email, password=password, full_name=full_name)
    merchant, keys = merchant_open(owner=user, name=company_name)
    return user, merchant, keys


@transaction.atomic
def merchant_open(*, owner: User, name: str) -> tuple[Merchant, list[IssuedKey]]:
    """A merchant owned by an existing user, with its four default keys (pk/sk x test/live)."""
    merchant = merchant_create(owner=owner, name=name)
    keys = [
        api_key_create(merchant=merchant, kind=kind, mode=mode, name="Default")
        for mode in (Mode.TEST, Mode.LIVE)
        for kind in (KeyKind.PUBLIC, KeyKind.SECRET)
    ]
    return merchant, keys


@transaction.atomic
def partner_register(
    *, email: str, password: str, display_name: str, website: str = "", country: str = ""
) -> tuple[User, Partner]:
    user = user_create(
        email=email, password=password, full_name=display_name, errors=_country_errors(country)
    )
    partner = Partner.objects.create(
        user=user, display_name=display_name, website=website, country=country.upper()
    )
    return user, partner


@transaction.atomic
def partner_profile_create(
    *, user: User, display_name: str, website: str = "", country: str = ""
) -> Partner:
    """A partner profile for an existing account (a merchant user who also promotes)."""
    errors = _country_errors(country)
    if errors:
        raise ValidationFailed(details=errors)
    partner, _ = Partner.objects.get_or_create(
        user=user,
        defaults={"display_name": display_name, "website": website, "country": country.upper()},
    )
    return partner


@transaction.atomic
def membership_add(*, merchant: Merchant, user: User, role: str = Role.MEMBER) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        merchant=merchant, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def membership_invite(*, merchant: Merchant, email: str, role: str) -> Membership:
    """Add a teammate; a new address gets an account and an email to choose a password."""
    if role not in Role.values:
        raise ValidationFailed.field("role", "role must be owner, admin or member")
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, password=None)
    if Membership.objects.filter(merchant=merchant, user=user).exists():
        raise ValidationFailed.field("email", "This person is already on the team")
    membership = Membership.objects.create(merchant=merchant, user=user, role=role)
    if created:
        transaction.on_commit(lambda: password_reset_request(email=email, invited_to=merchant.name))
    return membership


def _owners_left(merchant: Merchant, excluding: Membership) -> int:
    return (
        Membership.objects.select_for_update()
        .filter(merchant=merchant, role=Role.OWNER)
        .exclude(pk=excluding.pk)
        .count()
    )


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationFailed.field("role", "role must be owner, admin or member")
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and not _owners_left(membership.merchant, membership)
    ):
        raise ValidationFailed.field("role", "A merchant keeps at least one owner")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    if membership.role == Role.OWNER and not _owners_left(membership.merchant, membership):
        raise ValidationFailed.field("role", "A merchant keeps at least one owner")
    membership.delete()


@transaction.atomic
def api_key_create(*, merchant: Merchant, kind: str, mode: str, name: str = "") -> IssuedKey:
    if kind not in KeyKind.values:
        raise ValidationFailed.field("kind", "kind must be public or secret")
    if mode not in Mode.values:
        raise ValidationFailed.field("mode", "mode must be test or live")
    parsed = generate_key(kind=kind, mode=mode)
    key = ApiKey.objects.create(
        merchant=merchant,
        kind=kind,
        mode=mode,
        name=name,
        prefix=parsed.prefix,
        secret_hash=hash_key(parsed.raw),
        last4=parsed.raw[-4:],
        public_value=parsed.raw if kind == KeyKind.PUBLIC else "",
    )
    return IssuedKey(api_key=key, raw=parsed.raw)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    # The conditional update makes a concurrent double revoke harmless.
    now = timezone.now()
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)
    api_key.refresh_from_db()
    return api_key


MAX_ROLL_GRACE_HOURS = 24 * 7


@transaction.atomic
def api_key_roll(*, api_key: ApiKey, expires_in_hours: int = 0) -> IssuedKey:
    """Issue a replacement key; the old one stops at once or after a grace period."""
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if not locked.is_active():
        raise NotFound("API key not found or already revoked")
    if not 0 <= expires_in_hours <= MAX_ROLL_GRACE_HOURS:
        raise ValidationFailed.field(
            "expires_in_hours", f"expires_in_hours must be between 0 and {MAX_ROLL_GRACE_HOURS}"
        )
    issued = api_key_create(
        merchant=locked.merchant, kind=locked.kind, mode=locked.mode, name=locked.name
    )
    issued.api_key.rolled_from = locked
    issued.api_key.save(update_fields=["rolled_from"])
    now = timezone.now()
    if expires_in_hours:
        locked.expires_at = now + timedelta(hours=expires_in_hours)
        locked.save(update_fields=["expires_at"])
    else:
        locked.revoked_at = now
        locked.save(update_fields=["revoked_at"])
    return issued


def password_reset_request(*, email: str, invited_to: str = "") -> None:
    """Sends a reset link if the account exists; says nothing either way."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = f"{uid}.{default_token_generator.make_token(user)}"
    link = f"{settings.SELGEO_PUBLIC_URL}/reset-password?token={token}"
    if invited_to:
        subject = f"You have been added to {invited_to} on Selgeo"
        intro = f"You have been added to the {invited_to} team on Selgeo.\n\n"
    else:
        subject = "Reset your Selgeo password"
        intro = "Someone asked to reset the password of your Selgeo account.\n\n"
    send_mail(
        subject=subject,
        message=(
            intro + f"Use this link within two hours to choose a password:\n{link}\n\n"
            f"Or send this token to the API: {token}\n\n"
            "If it was not you, ignore this email; your password stays as it is."
        ),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def password_reset_confirm(*, token: str, password: str) -> User:
    """Single use: the token embeds the password hash, so it dies with the change."""
    uid_part, _, token_part = token.partition(".")
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid_part)))
        user = User.objects.select_for_update().get(pk=user_id, is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist) as exc:
        raise ValidationFailed(details=_BAD_RESET_TOKEN) from exc
    if not default_token_generator.check_token(user, token_part):
        raise ValidationFailed(details=_BAD_RESET_TOKEN)
    _check_password(password, user)
    _password_set(user, password)
    # Whoever was locked out of the account by failed logins may try again at once.
    email = user.email
    transaction.on_commit(lambda: login_limit.clear(email=email))
    return user


def _password_set(user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    user_tokens_revoke(user=user)


@transaction.atomic
def user_tokens_revoke(*, user: User) -> User:
    """Every JWT of the user issued so far is refused from now on, in every process.

    Dashboard sessions are not touched here: a password change ends them through Django's
    session auth hash; a deactivated user's session is refused by the auth backend.
    """
    User.objects.filter(pk=user.pk).update(token_generation=F("token_generation") + 1)
    user.refresh_from_db(fields=["token_generation"])
    return user


@transaction.atomic
def user_password_change(*, user: User, current_password: str, new_password: str) -> User:
    """A signed-in user chooses a new password; every token issued before is revoked."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    details = _password_errors(new_password, locked)
    if not locked.check_password(current_password):
        details.insert(
            0, {"field": "current_password", "message": "The current password is not right"}
        )
    if details:
        raise ValidationFailed(f"{details[0]['field']}: {details[0]['message']}", details=details)
    _password_set(locked, new_password)
    user.password = locked.password
    user.token_generation = locked.token_generation
    return user


@transaction.atomic
def user_set_active(*, user: User, is_active: bool) -> User:
    """Disable or enable a login. Either way its tokens end: a re-enabled login starts over
    rather than getting back the sessions it had."""
    User.objects.filter(pk=user.pk).update(is_active=is_active)
    user.is_active = is_active
    return user_tokens_revoke(user=user)


def login_authenticate(*, email: str, password: str, client: LoginClient) -> User:
    """The user these credentials open, within the account's failed-login back-off.

    Raises RateLimitExceeded while the account is backing off for this client (the
    password is not even checked then), ServiceUnavailable when the back-off store is
    down, Unauthorized for wrong credentials.
    """
    email = email.strip().lower()
    attempt = login_limit.begin(email=email, client=client)
    user = authenticate(None, username=email, password=password)
    if user is None:
        # The attempt was counted by `begin`: only a success undoes that.
        raise Unauthorized("Invalid email or password")
    login_limit.succeeded(attempt)
    return user


@transaction.atomic
def refresh_tokens_flush_expired() -> int:
    """Drop the records of refresh tokens past their expiry (their blacklist rows go too):
    an expired token is refused by its signature's expiry alone."""
    _, deleted = OutstandingToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted.get(OutstandingToken._meta.label, 0)
