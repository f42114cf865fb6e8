"""Production refuses to start unsafely, and `check --deploy` reports what is unsafe.

Each case starts Django in its own process with a production environment, as a server
would: the settings import and `manage.py check --deploy` exit non-zero with a message
that names the problem.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from selgeo import checks
from selgeo.secret_key import DEVELOPMENT_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
PROPER_KEY = "a" * 20 + "production-secret-key-with-enough-entropy-0987654321"
HINT = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"


def _environment(**values: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SELGEO_DEBUG"}}
    env.update({"SELGEO_ENV": "production", "ALLOWED_HOSTS": "selgeo.example.com"})
    for name, value in values.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(["manage.py", "check", "--deploy"], env)


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(["-c", "import selgeo.settings"], env)


def test_check_deploy_is_clean_with_production_settings():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        _environment(SECRET_KEY=PROPER_KEY),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def test_production_refuses_to_start_without_a_secret_key():
    result = _check_deploy(_environment())
    assert result.returncode == 1
    assert f"ImproperlyConfigured: SECRET_KEY must be set in production. {HINT}" in result.stderr


REFUSED_KEYS = {
    "the development key": (
        DEVELOPMENT_SECRET_KEY,
        "SECRET_KEY is Selgeo's published development key: anyone can sign tokens with it",
    ),
    "a django-insecure- key": (
        "django-insecure-" + "k3#q9z!x0w" * 6,
        "SECRET_KEY starts with 'django-insecure-', the mark of a generated development key",
    ),
    "49 characters": (
        "Zx9#kQ2!mW4$" * 4 + "p",
        "SECRET_KEY is too weak: it needs at least 50 characters and 5 different ones",
    ),
    "4 different characters": (
        "abcd" * 20,
        "SECRET_KEY is too weak: it needs at least 50 characters and 5 different ones",
    ),
}


@pytest.mark.parametrize("case", REFUSED_KEYS, ids=list(REFUSED_KEYS))
def test_production_settings_refuse_an_unsafe_secret_key(case: str):
    key, problem = REFUSED_KEYS[case]
    result = _import_settings(_environment(SECRET_KEY=key))
    assert result.returncode == 1
    message = f"ImproperlyConfigured: {problem}; production refuses to start with it. {HINT}"
    assert result.stderr.rstrip().endswith(message)


def test_production_refuses_to_start_with_the_development_key_under_check_deploy():
    result = _check_deploy(_environment(SECRET_KEY=DEVELOPMENT_SECRET_KEY))
    assert result.returncode == 1
    assert "SECRET_KEY is Selgeo's published development key" in result.stderr
    assert result.stdout == ""


def test_the_key_rule_is_djangos_own():
    # 50 characters with 5 different ones pass, as Django's security.W009 has it.
    result = _import_settings(_environment(SECRET_KEY="abcde" * 10))
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("debug", ["1", "true", "on"])
def test_production_refuses_to_start_with_debug_on(debug: str):
    result = _check_deploy(_environment(SECRET_KEY=PROPER_KEY, SELGEO_DEBUG=debug))
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith(
        "ImproperlyConfigured: SELGEO_DEBUG must be off in production: "
        "DEBUG shows settings and stack traces"
    )


@pytest.mark.parametrize("environment", ["development", "test"])
def test_check_deploy_reports_the_development_key_in_any_environment(environment: str):
    # Unset, the key falls back to the development key outside production.
    result = _check_deploy(_environment(SELGEO_ENV=environment, SECRET_KEY=None))
    assert result.returncode == 1
    assert (
        "?: (selgeo.E001) SECRET_KEY and SIMPLE_JWT['SIGNING_KEY'] are Selgeo's published "
        "development key: anyone can sign dashboard tokens and password-reset links with it."
    ) in result.stderr
    assert f"HINT: Set the SECRET_KEY environment variable to a new random key. {HINT}" in (
        result.stderr
    )


def test_check_deploy_reports_a_signing_key_set_to_the_development_key(settings):
    settings.SECRET_KEY = PROPER_KEY
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": DEVELOPMENT_SECRET_KEY}
    [error] = checks.check_development_secret_key()
    assert error.id == "selgeo.E001"
    assert error.msg.startswith("SIMPLE_JWT['SIGNING_KEY'] is Selgeo's published development key")


def test_check_deploy_reports_debug_in_production(settings):
    # Settings refuse this at import; the check catches settings changed after it.
    settings.SECRET_KEY = PROPER_KEY
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": PROPER_KEY}
    settings.SELGEO_ENV = "production"
    settings.DEBUG = True
    with pytest.raises(SystemCheckError) as raised:
        call_command("check", deploy=True, tags=["security"])
    assert "?: (selgeo.E002) DEBUG is on with SELGEO_ENV=production." in str(raised.value)
    assert "selgeo.E001" not in str(raised.value)
    settings.DEBUG = False
    assert checks.check_debug_in_production() == []
    assert checks.check_development_secret_key() == []
