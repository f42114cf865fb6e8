"""Writes for clicks: recording them (API, browser snippet, tracking links) and erasure.

Recording is one INSERT of a row with a fresh time-ordered id: no read-modify-write,
no counter and no row lock that another click would wait for, so concurrent clicks on
the same program or partner never queue behind each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.keys import ParsedKey, hash_key
from accounts.models import ApiKey, KeyKind, Merchant, Partner
from partners.models import ProgramStatus, ReferralCode
from selgeo import changes
from selgeo.api.authentication import resolve_key, resolve_key_recent
from selgeo.db import fetch_prepared
from selgeo.ids import uuid7
from tracking import buffer, selectors
from tracking.models import Click, ClickSource
from tracking.visitors import Visitor
from webhooks import selectors as webhooks_selectors
from webhooks.services import emit

URL_MAX = 2000


def _visit(visitor: Visitor, *, source: str, landing_url: str, referrer: str) -> dict[str, Any]:
    """What a click records of its visit, written directly or through the buffer."""
    return {
        "landing_url": landing_url[:URL_MAX],
        "referrer": referrer[:URL_MAX],
        "user_agent": visitor.user_agent,
        "ip_hash": visitor.ip_hash,
        "country": visitor.country,
        "is_bot": visitor.is_bot,
        "source": source,
    }


def click_record(
    *,
    referral_code: ReferralCode,
    visitor: Visitor,
    source: str,
    landing_url: str = "",
    referrer: str = "",
    now: datetime | None = None,
) -> Click:
    """Insert a click for an active referral code (the caller resolved it).

    Without a `click.created` subscriber this is a single INSERT in autocommit: a
    transaction would only add BEGIN and COMMIT round trips to the hottest write Selgeo
    has. With one, the click and its event are written in one transaction (the outbox).

    The click's mode is the code's; it expires after the program's cookie window.
    """
    created_at = now or timezone.now()
    program = referral_code.program
    click = Click(
        merchant_id=referral_code.merchant_id,
        mode=referral_code.mode,
        program=program,
        partner_id=referral_code.partner_id,
        referral_code=referral_code,
        **_visit(visitor, source=source, landing_url=landing_url, referrer=referrer),
        created_at=created_at,
        expires_at=created_at + timedelta(days=program.cookie_days),
    )
    if not webhooks_selectors.has_subscriber(
        merchant_id=click.merchant_id, mode=click.mode, type="click.created"
    ):
        click.save(force_insert=True)
        return click
    with transaction.atomic():
        click.save(force_insert=True)
        emit(
            merchant=referral_code.merchant,
            mode=click.mode,
            type="click.created",
            data=click_representation(click),
        )
    return click


def click_representation(click: Click) -> dict[str, object]:
    """A click as webhooks carry it (the visitor's IP hash and user agent stay inside)."""
    return {
        "id": str(click.pk),
        "program_id": str(click.program_id),
        "partner_id": str(click.partner_id),
        "referral_code": click.referral_code.code if click.referral_code else None,
        "source": click.source,
        "landing_url": click.landing_url,
        "country": click.country or None,
        "is_bot": click.is_bot,
        "created_at": click.created_at,
        "expires_at": click.expires_at,
    }


def click_track(
    *,
    merchant: Merchant,
    mode: str,
    signal: selectors.ReferralSignal,
    visitor: Visitor,
    source: str,
    landing_url: str = "",
    referrer: str = "",
) -> Click:
    """POST /v1/clicks: resolve what the call names (NotFound, ModeMismatch), then record."""
    referral_code = selectors.referral_code_for_signal(merchant=merchant, mode=mode, signal=signal)
    return click_record(
        referral_code=referral_code,
        visitor=visitor,
        source=source,
        landing_url=landing_url,
        referrer=referrer,
    )


@dataclass(frozen=True)
class TrackedClick:
    """What POST /v1/clicks answers about a click the fast path recorded."""

    id: uuid.UUID
    expires_at: datetime
    program_code: str
    partner_id: uuid.UUID
    is_bot: bool


# The one-statement click paths. Each resolves a referral code to a `code` row (id,
# merchant, mode, program, partner, program code, cookie window, landing URL) only when
# everything the general path checks allows a click, and inserts the click in the same
# statement: one round trip, planned once per connection. They insert nothing when any
# check fails or when an endpoint subscribes to `click.created` (the click and its event
# must then be written together); the caller then takes the general path, which
# explains the refusal or writes the outbox. Expiry adds whole days as seconds, so no
# time-zone rule moves it. The statement is its own transaction, so its local setting
# decides how it commits (settings.SELGEO_CLICKS_DURABLE_COMMIT).
_CODE_COLUMNS = """rc.id, rc.merchant_id, rc.mode, rc.program_id, rc.partner_id,
           program.code AS program_code, program.cookie_days, program.landing_url"""
_NO_CLICK_SUBSCRIBER = """NOT EXISTS (
          SELECT 1 FROM webhooks_webhookendpoint endpoint
          WHERE endpoint.merchant_id = rc.merchant_id AND endpoint.mode = rc.mode
            AND endpoint.disabled_at IS NULL
            AND endpoint.event_types @> '["click.created"]'::jsonb)"""
_INSERT_CLICK = """, inserted AS (
    INSERT INTO tracking_click (
        id, mode, landing_url, referrer, user_agent, ip_hash, country, is_bot, source,
        created_at, expires_at, merchant_id, partner_id, program_id, referral_code_id)
    SELECT %(id)s::uuid, code.mode, left(coalesce(%(landing_url)s, code.landing_url), 2000),
           left(%(referrer)s, 2000), %(user_agent)s, %(ip_hash)s, %(country)s,
           %(is_bot)s::boolean, %(source)s, %(now)s::timestamptz,
           %(now)s::timestamptz + make_interval(secs => code.cookie_days * 86400),
           code.merchant_id, code.partner_id, code.program_id, code.id
    FROM code
    RETURNING expires_at, partner_id
), commit_mode AS (
    SELECT set_config('synchronous_commit', %(synchronous_commit)s, true)
)
SELECT inserted.expires_at, inserted.partner_id, code.program_code, code.landing_url
FROM inserted, code, commit_mode
"""

# POST /v1/clicks: an active public key, and its merchant's code of the key's mode. The
# key's digest is compared in SQL: a timing difference there could reveal only the
# stored digest, which is useless without a preimage.
_TRACK_CODE = "".join(
    (
        """
WITH key AS (
    SELECT merchant_id FROM accounts_apikey
    WHERE prefix = %(prefix)s AND secret_hash = %(secret_hash)s
      AND kind = %(kind)s AND mode = %(mode)s
      AND (revoked_at IS NULL OR revoked_at > %(now)s)
      AND (expires_at IS NULL OR expires_at > %(now)s)
), code AS (
    SELECT """,
        _CODE_COLUMNS,
        """
    FROM partners_referralcode rc
    JOIN key ON key.merchant_id = rc.merchant_id
    JOIN partners_program program ON program.id = rc.program_id
    JOIN accounts_partner partner ON partner.id = rc.partner_id
    WHERE lower(rc.code) = %(code)s AND rc.mode = %(mode)s AND rc.disabled_at IS NULL
      AND partner.erased_at IS NULL AND program.status = %(published)s
      AND """,
        _NO_CLICK_SUBSCRIBER,
        """
)""",
    )
)

# GET /r/<code> and /r/<merchant-slug>/<code>: without a slug, only a code exactly one
# merchant has active (not disabled, partner not erased) names anything, as in
# `selectors.link_target`; its program must be published.
_LINK_CODE = "".join(
    (
        """
WITH candidate AS (
    SELECT rc.id FROM partners_referralcode rc
    JOIN accounts_partner partner ON partner.id = rc.partner_id
    WHERE lower(rc.code) = %(code)s AND rc.disabled_at IS NULL AND partner.erased_at IS NULL
      AND (%(merchant_slug)s = '' OR rc.merchant_id IN (
          SELECT id FROM accounts_merchant WHERE slug = %(merchant_slug)s))
    LIMIT 2
), code AS (
    SELECT """,
        _CODE_COLUMNS,
        """
    FROM partners_referralcode rc
    JOIN partners_program program ON program.id = rc.program_id
    WHERE rc.id IN (SELECT id FROM candidate) AND (SELECT count(*) FROM candidate) = 1
      AND program.status = %(published)s
      AND """,
        _NO_CLICK_SUBSCRIBER,
        """
)""",
    )
)

_TRACK_CLICK_SQL = _TRACK_CODE + _INSERT_CLICK
_LINK_CLICK_SQL = _LINK_CODE + _INSERT_CLICK
# The same checks without the insert, for clicks that go through `tracking.buffer`.
_TARGET = "\nSELECT id, program_code, partner_id, cookie_days, landing_url FROM code"
_TRACK_TARGET_SQL = _TRACK_CODE + _TARGET
_LINK_TARGET_SQL = _LINK_CODE + _TARGET


def _click_params(
    *, visitor: Visitor, source: str, landing_url: str | None, referrer: str
) -> dict[str, Any]:
    return {
        "published": ProgramStatus.PUBLISHED.value,
        "id": uuid7(),
        "now": timezone.now(),
        "landing_url": landing_url,
        "referrer": referrer,
        "user_agent": visitor.user_agent,
        "ip_hash": visitor.ip_hash,
        "country": visitor.country,
        "is_bot": visitor.is_bot,
        "source": source,
        "synchronous_commit": "on" if settings.SELGEO_CLICKS_DURABLE_COMMIT else "off",
    }


@dataclass(frozen=True)
class ClickTarget:
    """What a buffered click needs of its referral code, as the checks found it."""

    code_id: uuid.UUID
    program_code: str
    partner_id: uuid.UUID
    cookie_days: int
    landing_url: str


# What the checks allowed a moment ago, per process, kept for SELGEO_CLICKS_CACHE_SECONDS
# at most; while the process listens for changes (`selgeo.changes`) a change to what
# they read drops it at once. A refusal is never kept: the general path decides it.
RECENT: changes.Recent[tuple[str, ...], Any] = changes.Recent(
    seconds=lambda: settings.SELGEO_CLICKS_CACHE_SECONDS, listening_only=False
)


def _target(
    name: tuple[str, ...], sql: str, params: Callable[[], dict[str, Any]]
) -> ClickTarget | None:
    def check() -> ClickTarget | None:
        row = fetch_prepared(sql, params())
        return None if row is None else ClickTarget(*row)

    target: ClickTarget | None = RECENT.get(name, check)
    return target


def public_key_recent(raw: str) -> ApiKey | None:
    """A public key as `resolve_key` found it a moment ago. With buffered clicks it is kept
    as `RECENT` keeps the checks (with rate limits on, the click view resolves its key
    first to count it, and this spares that lookup too); otherwise as every API key is
    (`resolve_key_recent`). Expiry is checked on every use."""
    if not buffer.BUFFER.enabled():
        return resolve_key_recent(raw)
    key: ApiKey | None = RECENT.get(("public key", raw), lambda: resolve_key(raw))
    return key if key is not None and key.is_active() else None


def _buffer_click(
    target: ClickTarget, *, visitor: Visitor, source: str, landing_url: str, referrer: str
) -> tuple[uuid.UUID, datetime] | None:
    """Leave the click for the next batch: its id and expiry, or None when the buffer
    cannot take it (the caller then writes it directly)."""
    created_at = timezone.now()
    click_id = uuid7()
    expires_at = created_at + timedelta(days=target.cookie_days)
    row = buffer.as_row(
        click_id=click_id,
        code_id=target.code_id,
        **_visit(visitor, source=source, landing_url=landing_url, referrer=referrer),
        created_at=created_at,
        expires_at=expires_at,
    )
    if not buffer.BUFFER.add(row):
        return None
    return click_id, expires_at


def link_click_fast(
    *, code: str, merchant_slug: str, visitor: Visitor, referrer: str
) -> tuple[uuid.UUID, str] | None:
    """A tracking link's click, buffered or in one statement, on PostgreSQL: its id and
    the landing URL to redirect to, or None when `selectors.link_target` must decide."""
    code = code.lower()
    if buffer.BUFFER.enabled():
        target = _target(
            ("link", merchant_slug, code),
            _LINK_TARGET_SQL,
            lambda: {
                "published": ProgramStatus.PUBLISHED.value,
                "code": code,
                "merchant_slug": merchant_slug,
            },
        )
        if target is None:
            return None
        buffered = _buffer_click(
            target,
            visitor=visitor,
            source=ClickSource.LINK,
            landing_url=target.landing_url,
            referrer=referrer,
        )
        if buffered is not None:
            return buffered[0], target.landing_url
    params = _click_params(
        visitor=visitor, source=ClickSource.LINK, landing_url=None, referrer=referrer
    )
    row = fetch_prepared(_LINK_CLICK_SQL, {**params, "code": code, "merchant_slug": merchant_slug})
    if row is None:
        return None
    return params["id"], row[3]


def click_track_fast(
    *,
    key: ParsedKey,
    referral_code: str,
    visitor: Visitor,
    source: str,
    landing_url: str = "",
    referrer: str = "",
) -> TrackedClick | None:
    """POST /v1/clicks, buffered or in one statement, on PostgreSQL: the click, or None
    if not recorded.

    None means only "not here": the key, the code or the program refused it, or the
    click needs its `click.created` event; `click_track` then decides and explains.
    """
    code = referral_code.lower()

    def checks() -> dict[str, Any]:
        return {
            "published": ProgramStatus.PUBLISHED.value,
            "now": timezone.now(),
            "prefix": key.prefix,
            "secret_hash": hash_key(key.raw),
            "kind": KeyKind.PUBLIC.value,
            "mode": key.mode,
            "code": code,
        }

    if buffer.BUFFER.enabled():
        target = _target(("key", key.raw, code), _TRACK_TARGET_SQL, checks)
        if target is None:
            return None
        buffered = _buffer_click(
            target, visitor=visitor, source=source, landing_url=landing_url, referrer=referrer
        )
        if buffered is not None:
            click_id, expires_at = buffered
            return TrackedClick(
                click_id, expires_at, target.program_code, target.partner_id, visitor.is_bot
            )
    params = _click_params(
        visitor=visitor, source=source, landing_url=landing_url, referrer=referrer
    )
    row = fetch_prepared(_TRACK_CLICK_SQL, {**params, **checks()})
    if row is None:
        return None
    expires_at, partner_id, program_code, _landing_url = row
    return TrackedClick(params["id"], expires_at, program_code, partner_id, visitor.is_bot)


@transaction.atomic
def clicks_anonymise_for_partner(*, partner: Partner) -> int:
    """GDPR erasure: drop what could identify visitors and the partner on their clicks.

    The rows stay (they carry attribution that commissions depend on); the IP hash,
    user agent and referrer go.
    """
    return Click.objects.filter(partner=partner).update(ip_hash="", user_agent="", referrer="")
