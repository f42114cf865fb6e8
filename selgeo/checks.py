"""Deployment checks of Selgeo's own (`manage.py check --deploy`).

Production settings already refuse to load with the development key or with DEBUG on;
these checks catch the same mistakes wherever settings came from (another environment
promoted to production, a settings override), and fail `check --deploy` as errors.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from selgeo.secret_key import DEVELOPMENT_SECRET_KEY, GENERATE_HINT


@register(Tags.security, deploy=True)
def check_development_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The published development key signs nothing, in whatever environment."""
    signing_keys = {
        "SECRET_KEY": settings.SECRET_KEY,
        "SIMPLE_JWT['SIGNING_KEY']": settings.SIMPLE_JWT.get("SIGNING_KEY"),
    }
    published = [name for name, key in signing_keys.items() if key == DEVELOPMENT_SECRET_KEY]
    if not published:
        return []
    return [
        Error(
            f"{' and '.join(published)} {'is' if len(published) == 1 else 'are'} Selgeo's "
            "published development key: anyone can sign dashboard tokens and "
            "password-reset links with it.",
            hint=f"Set the SECRET_KEY environment variable to a new random key. {GENERATE_HINT}",
            id="selgeo.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_debug_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """DEBUG shows settings and stack traces to anyone: never with SELGEO_ENV=production."""
    if settings.SELGEO_ENV == "production" and settings.DEBUG:
        return [
            Error(
                "DEBUG is on with SELGEO_ENV=production.",
                hint="Unset SELGEO_DEBUG (or set it to 0) in production.",
                id="selgeo.E002",
            )
        ]
    return []
