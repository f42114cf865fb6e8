"""The bench server's URLs: Selgeo's own, and one endpoint that measures a ceiling.

`POST /bench/ceiling/conversions` costs what any synchronous, durable conversion must
cost on this stack and nothing more: the same authentication, middleware and DRF view
machinery as `POST /api/v1/conversions`, the same two prepared statements (the click
with its program, partner and code; the conversion, its commission and two events
written together, durably) with the same rows, and an answer of the same size. No
attribution, no models, no representation is built: each process records one real
conversion first and replays its statements with fresh ids. Its share of the no-op's
req/s is the most a reported conversion could reach here, however its code is written.

Served only by `bench/run.py` (settings `bench.settings`); Selgeo itself has no such
endpoint.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response

import selgeo.db
from conversions import services
from conversions.selectors import _CLICK_OF_MERCHANT
from conversions.services import ConversionInput
from selgeo.api.authentication import SecretKeyAuthentication
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import InvalidApiKey
from selgeo.api.permissions import HasSecretKey
from selgeo.api.views import APIView
from selgeo.urls import urlpatterns as selgeo_urlpatterns


class _Recorded:
    """One real conversion's insert statement and answer, to replay with fresh ids."""

    def __init__(self, *, merchant: Any, mode: str, click_id: str) -> None:
        captured: dict[str, Any] = {}
        real = selgeo.db.fetch_prepared

        def capture(sql: str, params: Any) -> Any:
            if sql.lstrip().startswith("WITH first AS (INSERT"):
                captured["sql"], captured["params"] = sql, list(params)
            return real(sql, params)

        selgeo.db.fetch_prepared = capture  # type: ignore[assignment]
        try:
            reported = services.conversion_create(
                merchant=merchant,
                mode=mode,
                data=ConversionInput(
                    external_transaction_id=f"ceiling-{uuid.uuid4().hex}",
                    click_id=uuid.UUID(click_id),
                    amount_cents=4999,
                    currency="EUR",
                    customer_id="ceiling",
                ),
            )
        finally:
            selgeo.db.fetch_prepared = real  # type: ignore[assignment]
        self.sql: str = captured["sql"]
        self.params: list[str] = captured["params"]
        self.answer = reported.representation
        rows = [json.loads(self.params[0])] + [r for p in self.params[1:] for r in json.loads(p)]
        self.ids = [str(row["id"]) for row in rows]
        self.txid = str(rows[0]["external_transaction_id"])

    def replay(self, txid: str) -> None:
        fresh = {old: str(uuid.uuid4()) for old in self.ids}
        fresh[self.txid] = txid
        params = []
        for text in self.params:
            for old, new in fresh.items():
                text = text.replace(old, new)
            params.append(text)
        selgeo.db.fetch_prepared(self.sql, params)


_RECORDED: _Recorded | None = None


class CeilingView(APIView):
    authentication_classes = [SecretKeyAuthentication]
    permission_classes = [HasSecretKey]
    missing_credentials_error = InvalidApiKey
    rate_zone = "conversions"

    def post(self, request: Request) -> Response:
        global _RECORDED
        body = request.data
        merchant = request_merchant(request)
        if _RECORDED is None:
            _RECORDED = _Recorded(
                merchant=merchant, mode=request_mode(request), click_id=body["click_id"]
            )
        if _CLICK_OF_MERCHANT._sql is None:
            _CLICK_OF_MERCHANT.first([merchant.pk, uuid.UUID(body["click_id"])])
        assert _CLICK_OF_MERCHANT._sql is not None
        selgeo.db.fetch_prepared(_CLICK_OF_MERCHANT._sql, [merchant.pk, body["click_id"]])
        _RECORDED.replay(body["external_transaction_id"])
        return Response(_RECORDED.answer, status=201)


urlpatterns = [*selgeo_urlpatterns, path("bench/ceiling/conversions", CeilingView.as_view())]
