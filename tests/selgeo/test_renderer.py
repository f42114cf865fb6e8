"""The API's JSON renderer writes DRF's bytes, faster."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from selgeo.api.renderers import JSONRenderer

VALUES = {
    "text": 'Zürich 😀 \x1f \x7f / \\ "quoted"',
    "separators": "line\u2028paragraph\u2029",
    "id": uuid.UUID("01a209ca-ccdb-74dd-80a4-f5abb7bacb10"),
    "moment": dt.datetime(2026, 11, 23, 19, 5, 1, 123456, tzinfo=dt.UTC),
    "naive": dt.datetime(2026, 11, 23, 19, 5, 1),
    "day": dt.date(2026, 11, 23),
    "clock": dt.time(9, 30, 15, 500),
    "money": Decimal("12.50"),
    "lazy": gettext_lazy("This field is required."),
    "error": ErrorDetail("Bad value", code="invalid"),
    "numbers": [0, -1, 2**63 - 1, 1.5, 0.1, 123456.789, 0.3333333333333333],
    "flags": [True, False, None],
    "nested": {"a": [{"b": {}}, []], 3: "int key"},
    "set": (1, 2),
}


def test_the_bytes_are_drfs() -> None:
    assert JSONRenderer().render(VALUES) == DRFJSONRenderer().render(VALUES)


def test_a_float_with_an_exponent_is_the_same_number_in_shorter_form() -> None:
    # Python writes 1e-07, orjson 1e-7: the same JSON number.
    assert JSONRenderer().render([1e-7, 1e16, 2.5e-300]) == b"[1e-7,1e+16,2.5e-300]"
    assert json.loads(JSONRenderer().render([1e-7, 1e16])) == [1e-7, 1e16]


@pytest.mark.parametrize(
    "data", [{"n": 10**30}, [{"deep": 10**20}]], ids=["beyond-64-bits", "nested-beyond"]
)
def test_what_orjson_cannot_write_goes_through_drf(data: object) -> None:
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


def test_an_indented_answer_is_drfs() -> None:
    media_type = "application/json; indent=2"
    assert JSONRenderer().render(VALUES, media_type) == DRFJSONRenderer().render(VALUES, media_type)
    assert b'\n  "text"' in JSONRenderer().render(VALUES, media_type)


def test_nothing_renders_as_no_bytes() -> None:
    assert JSONRenderer().render(None) == b""
