"""Users (email login), merchants, memberships, partner profiles and API keys."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Mode(models.TextChoices):
    TEST = "test", "Test"
    LIVE = "live", "Live"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Carried by every JWT as its `gen` claim; a token of another generation is refused.
    # accounts.services moves it on a password reset or change and on (de)activation,
    # which revokes every access and refresh token issued before.
    token_generation = models.PositiveIntegerField(default=0)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email


class Merchant(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    website = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "merchant"], name="accounts_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.merchant} ({self.role})"


class Partner(models.Model):
    """An affiliate: a user who promotes merchants' programs.

    A partner is not owned by one merchant: it applies to programs of any merchant.
    After GDPR erasure the personal fields are blank and `erased_at` is set; the row
    stays so that commissions and payouts keep their partner.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="partner"
    )
    display_name = models.CharField(max_length=120)
    website = models.URLField(max_length=500, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class KeyKind(models.TextChoices):
    PUBLIC = "public", "Public (pk)"
    SECRET = "secret", "Secret (sk)"


class ApiKey(models.Model):
    """A pk_/sk_ key. The full key is shown once; only its SHA-256 digest is stored.

    `prefix` (e.g. `sk_test_3kPz9QwE1bXy`) is unique and indexed, so authentication is
    one indexed lookup plus a constant-time digest comparison.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="api_keys")
    kind = models.CharField(max_length=6, choices=KeyKind.choices)
    mode = models.CharField(max_length=4, choices=Mode.choices)
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=32, unique=True)
    secret_hash = models.CharField(max_length=64)
    last4 = models.CharField(max_length=4)
    # Public keys are meant to be published in page markup; keeping them readable lets
    # the dashboard show the snippet. Secret keys are never stored in the clear.
    public_value = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    rolled_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rolled_to"
    )

    class Meta:
        indexes: ClassVar = [models.Index(fields=["merchant", "mode", "kind"])]

    def __str__(self) -> str:
        return f"{self.prefix}…{self.last4}"

    @property
    def redacted(self) -> str:
        return f"{self.prefix}…{self.last4}"

    def is_active(self, now: Any = None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= now:
            return False
        return not (self.expires_at is not None and self.expires_at <= now)
