"""What makes a SECRET_KEY unfit for production, read by settings before Django starts.

SECRET_KEY signs dashboard JWTs, password-reset links and sessions: anyone who knows it
can act as any user. The development key is published in this repository, so it must
never sign anything in production. The strength rule is Django's own (security.W009).
"""

from __future__ import annotations

# The key development and test settings fall back to; published, hence never secret.
DEVELOPMENT_SECRET_KEY = "selgeo-insecure-development-key-do-not-use-in-production-0123456789"  # noqa: S105

# Django's security.W009 (django.core.checks.security.base), repeated here because the
# settings module reads it before Django's checks can be imported.
MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5
INSECURE_PREFIX = "django-insecure-"

GENERATE_HINT = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"


def secret_key_problem(key: str) -> str | None:
    """Why `key` must not sign anything in production, or None when it may."""
    if key == DEVELOPMENT_SECRET_KEY:
        return "is Selgeo's published development key: anyone can sign tokens with it"
    if key.startswith(INSECURE_PREFIX):
        return f"starts with {INSECURE_PREFIX!r}, the mark of a generated development key"
    if len(key) < MIN_LENGTH or len(set(key)) < MIN_UNIQUE_CHARACTERS:
        return (
            f"is too weak: it needs at least {MIN_LENGTH} characters and "
            f"{MIN_UNIQUE_CHARACTERS} different ones"
        )
    return None
