"""The commerce reference's example bodies, as printed in `selly-api.txt`."""

from __future__ import annotations

from typing import Any

PRODUCTS: list[dict[str, Any]] = [
    {
        "id": "7b84a62b",
        "title": "My awesome product",
        "description": "This is the description",
        "stock": 0,
        "price": "3.99",
        "currency": "USD",
        "product_type": 2,
        "private": False,
        "unlisted": False,
        "seller_note": "",
        "maximum_quantity": None,
        "minimum_quantity": 1,
        "custom": {"0": {"type": "2", "name": "Username", "required": True}},
        "created_at": "2017-03-14T23:27:54.000Z",
        "updated_at": "2017-03-20T16:48:20.000Z",
    },
    {
        "id": "dd834c",
        "title": "This is my awesome product",
        "description": "And the description",
        "stock": 0,
        "price": "3.99",
        "currency": "USD",
        "product_type": 2,
        "private": False,
        "unlisted": False,
        "seller_note": "",
        "maximum_quantity": None,
        "minimum_quantity": 1,
        "custom": {},
        "created_at": "2016-04-08T15:39:48.000Z",
        "updated_at": "2016-11-26T01:13:25.000Z",
    },
]

ORDER: dict[str, Any] = {
    "id": "fd87d909-fbfc-466c-964a-5478d5bc066a",
    "product_id": "upgrade",
    "email": "alishia@yahoo.com",
    "ip_address": "88.96.129.5",
    "country_code": "US",
    "user_agent": "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/43.0.2357.124 Safari/537.36",
    "value": "0.03",
    "currency": "USD",
    "gateway": "Bitcoin",
    "risk_level": 10,
    "status": 100,
    "delivered": "SERIAL-12345-12345",
    "crypto_value": None,
    "crypto_address": None,
    "referral": "Direct",
    "usd_value": "0.03",
    "exchange_rate": "1.0",
    "custom": {"0": "SomeInput"},
    "created_at": "2016-11-27T14:20:34.000Z",
    "updated_at": "2016-12-05T21:31:15.000Z",
}

AUTH_FAILED = {"status": False, "error": ["Invalid authentication"]}
