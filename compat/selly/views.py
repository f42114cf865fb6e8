"""The commerce dialect's HTTP surface under /compat/selly/: its products and orders API
(`X-Auth-Email` + `X-Auth-Key`, `page` + `X-Total-Pages`, `{"status": false, "error": [...]}`)
and the merchants' inbound order webhook URLs."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Merchant
from compat.selly import selectors, services
from compat.selly.shapes import order_shape, product_shape
from products.selectors import first_product_codes, product_get, products_for
from selgeo.api import ratelimit
from selgeo.api.errors import RateLimitExceeded, ServiceUnavailable

PAGE_SIZE = 20
MAX_PAGE = 1_000_000


def failure(status: int, *messages: str, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(
        {"status": False, "error": list(messages)},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _json(data: Any, *, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _insecure(request: HttpRequest) -> JsonResponse | None:
    """Plain HTTP is refused where HTTPS is required, as on /api/: a redirect would
    already have sent the key, or the inbound URL's token, in the clear."""
    if settings.SELGEO_REQUIRE_HTTPS and not request.is_secure():
        return failure(403, "HTTPS is required; plain-HTTP requests are rejected")
    return None


def _limited(request: HttpRequest) -> JsonResponse | None:
    """Selgeo's general zone (per IP), answered in the dialect's envelope."""
    try:
        ratelimit.enforce(request, zone="general")
    except RateLimitExceeded as exc:
        return failure(429, "You have done too many requests", headers=exc.headers)
    except ServiceUnavailable as exc:
        return failure(503, exc.message)
    return None


View = Callable[..., HttpResponse]


def authenticated(view: Callable[..., HttpResponse]) -> View:
    """The reference's auth headers: the email of a member of the merchant whose secret
    key is `X-Auth-Key`; the key decides the mode. Anything else is its 403."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = _insecure(request) or _limited(request)
        if refused is not None:
            return refused
        if request.method != "GET":
            response = failure(405, "Method not allowed")
            response["Allow"] = "GET"
            return response
        found = selectors.merchant_for_credentials(
            email=request.headers.get("X-Auth-Email", ""),
            key=request.headers.get("X-Auth-Key", ""),
        )
        if found is None:
            return failure(403, "Invalid authentication")
        merchant, mode = found
        return view(request, merchant, mode, *args, **kwargs)

    return wrapper


def _page(request: HttpRequest) -> int | None:
    raw = request.GET.get("page", "").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        return None
    return int(raw)


def _paged(request: HttpRequest, queryset: Any, render: Callable[[list[Any]], list[Any]]) -> Any:
    page = _page(request)
    if page is None:
        return failure(422, "page must be a whole number from 1")
    total = queryset.count()
    rows = list(queryset[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    response = _json(render(rows))
    response["X-Total-Pages"] = str(max(1, math.ceil(total / PAGE_SIZE)))
    return response


@authenticated
def product_list(request: HttpRequest, merchant: Merchant, mode: str) -> HttpResponse:
    products = products_for(merchant=merchant, mode=mode).order_by("-created_at", "-id")
    return _paged(request, products, lambda rows: [product_shape(p) for p in rows])


@authenticated
def product_detail(
    request: HttpRequest, merchant: Merchant, mode: str, product_id: str
) -> HttpResponse:
    product = product_get(merchant=merchant, mode=mode, product_id=product_id)
    if product is None:
        return failure(404, "Product not found")
    return _json(product_shape(product))


def _orders(rows: list[Any]) -> list[dict[str, Any]]:
    ids = [c.pk for c in rows]
    details = selectors.order_details(conversion_ids=ids)
    firsts = first_product_codes(conversion_ids=ids)
    return [order_shape(c, detail=details.get(c.pk), first_product=firsts.get(c.pk)) for c in rows]


@authenticated
def order_list(request: HttpRequest, merchant: Merchant, mode: str) -> HttpResponse:
    return _paged(request, selectors.orders_for(merchant=merchant, mode=mode), _orders)


@authenticated
def order_detail(
    request: HttpRequest, merchant: Merchant, mode: str, order_id: str
) -> HttpResponse:
    conversion = selectors.order_get(merchant=merchant, mode=mode, order_id=order_id)
    if conversion is None:
        return failure(404, "Order not found")
    return _json(_orders([conversion])[0])


@csrf_exempt
def order_webhook(request: HttpRequest, token: str) -> HttpResponse:
    """The merchant's secret inbound URL: the shop POSTs its webhooks here."""
    insecure = _insecure(request)
    if insecure is not None:
        return insecure
    endpoint = selectors.inbound_endpoint_by_token(token=token)
    if endpoint is None:
        # Guessing URLs costs like any request: counted per IP.
        refused = _limited(request)
        return refused or failure(404, "Unknown webhook URL")
    if request.method != "POST":
        response = failure(405, "Method not allowed: the shop POSTs its webhooks")
        response["Allow"] = "POST"
        return response
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size > services.BODY_MAX:
        received = services.order_webhook_refuse_size(endpoint=endpoint, size=size)
    else:
        received = services.order_webhook_receive(endpoint=endpoint, body=request.body)
    delivery = received.delivery
    if not received.accepted:
        return failure(400, *delivery.messages)
    return _json(
        {
            "status": True,
            "outcome": delivery.outcome,
            "messages": delivery.messages,
            "conversion_id": str(delivery.conversion_id) if delivery.conversion_id else None,
        }
    )


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    refused = _limited(request)
    return refused or failure(404, "Record/page could not be found")
