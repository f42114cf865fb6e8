"""The API's JSON renderer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class JSONRenderer(DRFJSONRenderer):
    """DRF's compact JSON, written by orjson.

    The bytes are DRF's: compact separators, UTF-8 unescaped, U+2028 and U+2029
    escaped, and dates, times, decimals and the rest that JSON lacks converted by DRF's
    own encoder; only a float with an exponent is written in its shorter form (1e-7
    where Python writes 1e-07), the same JSON number. What orjson cannot write (an
    integer beyond 64 bits) and an indented answer (`Accept: application/json;
    indent=2`) go through DRF's renderer. Every answer is written several times faster.
    """

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        context = dict(renderer_context or {})
        if self.get_indent(accepted_media_type, context) is None:  # type: ignore[arg-type]
            try:
                out = orjson.dumps(data, default=self.encoder_class().default, option=_OPTIONS)
            except orjson.JSONEncodeError:
                pass
            else:
                for raw, escaped in _LINE_SEPARATORS:
                    if raw in out:
                        out = out.replace(raw, escaped)
                return out
        return super().render(data, accepted_media_type, context)
