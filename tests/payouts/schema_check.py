"""Check a real answer against the OpenAPI document the server serves, strictly.

The document's schemas allow fields they do not name (OpenAPI's default); here every
object that lists its properties is closed (`additionalProperties: false`), so an answer
that gains or renames a field without the document saying so fails, as does one that
drops a required field or changes a type, format or enum.
"""

from __future__ import annotations

import copy
from typing import Any

from openapi_schema_validator import OAS30Validator, oas30_format_checker

_PREFIX = "#/components/schemas/"


def closed(node: Any, schemas: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """`node` with every `$ref` replaced by its schema and every listed object closed."""
    if isinstance(node, list):
        return [closed(item, schemas, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        assert ref.startswith(_PREFIX), ref
        name = ref[len(_PREFIX) :]
        assert name not in seen, f"recursive schema {name}"
        return closed(copy.deepcopy(schemas[name]), schemas, (*seen, name))
    out = {key: closed(value, schemas, seen) for key, value in node.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def operation(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    assert path in document["paths"], f"{path} is not in the document"
    operations = document["paths"][path]
    assert method in operations, f"{method.upper()} {path} is not in the document"
    found: dict[str, Any] = operations[method]
    return found


def response_schema(
    document: dict[str, Any], path: str, method: str, status: int, media: str = "application/json"
) -> dict[str, Any]:
    responses = operation(document, path, method)["responses"]
    assert str(status) in responses, f"{method.upper()} {path} does not document {status}"
    content = responses[str(status)].get("content", {})
    assert media in content, f"{method.upper()} {path} {status} documents no {media} body"
    schema: dict[str, Any] = closed(content[media]["schema"], document["components"]["schemas"])
    return schema


def check(document: dict[str, Any], schema: dict[str, Any], body: Any) -> None:
    errors = sorted(
        OAS30Validator(schema, format_checker=oas30_format_checker).iter_errors(body),
        key=lambda error: list(error.absolute_path),
    )
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors
    )


def assert_documented(
    document: dict[str, Any], response: Any, path: str, method: str = "get"
) -> Any:
    """The answer's status is documented for the operation and its body fits the schema."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    schema = response_schema(document, path, method, response.status_code)
    check(document, schema, body)
    return body
