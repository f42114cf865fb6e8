"""The API's JSON parser: a key repeated in any object is refused, whatever its depth."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rest_framework.exceptions import ParseError

from selgeo.api.parsers import JSONParser


def parse(raw: bytes) -> Any:
    return JSONParser().parse(io.BytesIO(raw), "application/json", {})


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (b'{"a": 1, "a": 1}', "a"),
        (b'{"a" : 1, "a": 2}', "a"),
        (b'{"a": 1, "b" :2, "b"\n: 3}', "b"),
        (b'{"metadata": {"plan": "pro", "plan": "free"}}', "plan"),
        (b'[{"x": 1}, {"y": [{"z": 1, "z": 2}]}]', "z"),
        (b'{"n": 123456789012345678901234, "n": 1}', "n"),
        # A text holding an escaped quote before a colon does not hide a duplicate.
        (b'{"t": "say \\": hi", "k": 1, "k": 2}', "k"),
    ],
)
def test_a_repeated_key_is_a_parse_error_naming_it(raw: bytes, key: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(raw)

    assert str(caught.value.detail) == f'Duplicate key "{key}" in a JSON object'


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a": 1, "b": {"a": 2}}', {"a": 1, "b": {"a": 2}}),
        (b'{"t": "say \\": hi", "k": "\\":"}', {"t": 'say ": hi', "k": '":'}),
        (b'[{"a": 1}, {"a": 2}]', [{"a": 1}, {"a": 2}]),
        (b'{"n": 123456789012345678901234}', {"n": 123456789012345678901234}),
    ],
)
def test_the_same_key_in_different_objects_is_kept(raw: bytes, expected: Any) -> None:
    assert parse(raw) == expected
