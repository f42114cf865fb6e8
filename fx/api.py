"""GET /api/v1/exchange/rates: the current rates, USD-based, in the commerce reference's
shape, under `rates`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fx import selectors
from selgeo.api.authentication import MerchantJWTAuthentication, SecretKeyAuthentication
from selgeo.api.errors import InvalidApiKey
from selgeo.api.permissions import SecretKeyOrMerchantUser
from selgeo.api.renderers import JSONRenderer
from selgeo.api.views import APIView


class ExactNumberRenderer(JSONRenderer):
    """Writes `ExactNumber` values as the JSON numbers they spell, digit for digit: a
    rate never goes through a float on its way out."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, dict) and isinstance(data.get("rates"), dict):
            rates = data["rates"]
            if rates and all(isinstance(v, ExactNumber) for v in rates.values()):
                body = dict(data)
                body["rates"] = {k: orjson.Fragment(v.text.encode()) for k, v in rates.items()}
                return orjson.dumps(body)
        return super().render(data, accepted_media_type, renderer_context)


class ExactNumber:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


_EXAMPLE = {
    "base": "USD",
    "rates": {"USD": 1, "EUR": 0.8713837574, "GBP": 0.7537731788, "JPY": 159.3325201},
    "as_of": "2026-03-13T15:00:00Z",
    "fetched_at": "2026-03-13T15:00:00Z",
    "source": "snapshot",
}


class ExchangeRatesView(APIView):
    """The rates in effect now. Each rate is units of the currency per one US dollar,
    to 10 significant digits, half to even, written as an exact JSON number."""

    authentication_classes = [SecretKeyAuthentication, MerchantJWTAuthentication]
    permission_classes = [SecretKeyOrMerchantUser]
    missing_credentials_error = InvalidApiKey
    renderer_classes = [ExactNumberRenderer]

    @extend_schema(
        summary="Current exchange rates (USD-based)",
        description=(
            '`rates` is the commerce reference\'s map as is: `{"USD": 1, "EUR": 0.93897, '
            "...}`, units per one US dollar. Beside it: `base` (always USD), `as_of` (the "
            "date the provider gives its rates), `fetched_at` (when Selgeo fetched them; "
            "they apply to sales from a minute later) and `source` (`ecb`, `json`, `snapshot`: "
            "the ECB rates shipped with Selgeo, or `admin`)."
        ),
        responses={
            200: inline_serializer(
                "ExchangeRates",
                {
                    "base": serializers.CharField(help_text="Always USD"),
                    "rates": serializers.DictField(
                        child=serializers.DecimalField(30, 20, coerce_to_string=False),
                        help_text="Units of each currency per one US dollar, USD itself 1",
                    ),
                    "as_of": serializers.DateTimeField(),
                    "fetched_at": serializers.DateTimeField(),
                    "source": serializers.ChoiceField(choices=["ecb", "json", "snapshot", "admin"]),
                },
            )
        },
        examples=[OpenApiExample("Rates", value=_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        rate_set = selectors.rate_set_current()
        rates = selectors.rates_usd_strings(rate_set)
        return Response(
            {
                "base": "USD",
                "rates": {code: ExactNumber(text) for code, text in rates.items()},
                "as_of": _iso(rate_set.as_of),
                "fetched_at": _iso(rate_set.fetched_at),
                "source": rate_set.source,
            }
        )


def _iso(moment: Any) -> str:
    return moment.isoformat().replace("+00:00", "Z")
