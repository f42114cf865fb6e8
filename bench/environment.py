"""The environment every benchmark runs Selgeo in: production settings on loopback.

Production refuses the development keys, so the benchmarks bring their own (never to be
used anywhere else); HTTPS, the rate limits and chatty logs are off so that what is
measured is the work itself.
"""

from __future__ import annotations

import os

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/selgeo_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")

PRODUCTION_ON_LOOPBACK = {
    "SELGEO_ENV": "production",
    "SECRET_KEY": "bench-secret-key-not-for-production-use-0123456789abcdef",
    "SELGEO_ENCRYPTION_KEYS": "Yk1XbE5aQ0xwWUJ2cjRqOGZ1R2dQbHh6UUs0S0RYd0E=",
    "SELGEO_REQUIRE_HTTPS": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SELGEO_RATELIMITS_ENABLED": "0",
    "SELGEO_LOG_LEVEL": "WARNING",
}


def in_process(**extra: str) -> None:
    """Set this process up to import Django with the benchmark's settings."""
    os.environ.setdefault("DATABASE_URL", DATABASE_URL)
    os.environ.setdefault("REDIS_URL", REDIS_URL)
    os.environ.update(
        {
            **PRODUCTION_ON_LOOPBACK,
            "ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "selgeo.settings",
            **extra,
        }
    )
