"""The OpenAPI document reads as documentation: every operation says what it does, every
body it takes or answers has a realistic example valid against its schema, the URLs an
integration uses outside the API are in it, and its limits are the server's."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft7Validator
from openapi_schema_validator import OAS30Validator

from partners import rules
from selgeo.api.errors import all_codes
from selgeo.api.operations import OPERATIONS
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(anon_client) -> dict[str, Any]:
    response = anon_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def bodies(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(where, status or "request", media) for every body the document describes."""
    found = []
    for method, path, operation in operations(document):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            found.append((f"{method} {path} request", "request", media))
        for status, response in operation["responses"].items():
            for content_type, media in response.get("content", {}).items():
                found.append((f"{method} {path} {status} {content_type}", status, media))
    return found


def examples_of(media: dict[str, Any]) -> list[Any]:
    if "example" in media:
        return [media["example"]]
    return [example["value"] for example in media.get("examples", {}).values()]


def test_every_operation_has_a_summary_and_a_description(document):
    missing = [
        f"{method} {path}"
        for method, path, operation in operations(document)
        if not operation.get("summary", "").strip() or not operation.get("description", "").strip()
    ]
    assert missing == []
    # No description explains Selgeo's own machinery instead of the operation.
    leaked = [
        f"{method} {path}"
        for method, path, operation in operations(document)
        if "Subclasses" in operation["description"] or "viewset" in operation["description"]
    ]
    assert leaked == []


def test_the_catalogue_names_only_operations_that_exist(document):
    ids = {operation["operationId"] for _method, _path, operation in operations(document)}
    assert set(OPERATIONS) - ids == set()


def test_every_body_has_an_example_valid_against_its_schema(document):
    components = document["components"]
    without: list[str] = []
    invalid: list[str] = []
    for where, _status, media in bodies(document):
        found = examples_of(media)
        if not found:
            without.append(where)
        if "schema" not in media:
            continue
        validator = OAS30Validator({**media["schema"], "components": components})
        invalid.extend(
            f"{where}: {error.message}" for value in found for error in validator.iter_errors(value)
        )
    assert without == []
    assert invalid == []


def test_each_error_example_is_the_envelope_of_its_own_status(document):
    status_of = dict(all_codes())
    wrong = []
    for where, status, media in bodies(document):
        if media.get("schema") != {"$ref": "#/components/schemas/Error"}:
            continue
        for value in examples_of(media):
            if value["statusCode"] != int(status) or status_of[value["code"]] != int(status):
                wrong.append(f"{where}: {value['statusCode']} {value['code']}")
    assert wrong == []


def test_examples_are_realistic_not_placeholders(document):
    create = document["paths"]["/api/v1/conversions"]["post"]
    example = create["requestBody"]["content"]["application/json"]["example"]
    assert example["currency"] == "EUR"
    assert example["amount_cents"] == 4999
    assert example["external_transaction_id"] == "order_10452"
    program = document["paths"]["/api/v1/programs"]["post"]["requestBody"]["content"]
    # One commission type's fields, the others null, as the body's rules require.
    assert program["application/json"]["example"]["commission_type"] == "cpa"
    assert program["application/json"]["example"]["percent_bps"] is None
    texts = [
        value
        for _where, _status, media in bodies(document)
        for example in examples_of(media)
        for value in _strings(example)
    ]
    assert "string" not in texts and "str" not in texts


def json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: `nullable` beside an `allOf` or a `$ref`
    admits null, as OpenAPI tools read it (a strict 3.0 validator does not)."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def test_the_site_urls_an_integration_uses_are_documented(document, anon_client):
    paths = document["paths"]
    assert {"/health", "/v1/selgeo.js", "/r/{code}", "/r/{merchant_slug}/{code}"} <= set(paths)

    health = anon_client.get("/health")
    assert health.status_code == 200
    schema = paths["/health"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": document["components"]}).validate(health.json())

    snippet = anon_client.get("/v1/selgeo.js")
    assert snippet.status_code == 200
    assert "text/javascript" in paths["/v1/selgeo.js"]["get"]["responses"]["200"]["content"]
    assert snippet["Content-Type"].startswith("text/javascript")

    unknown = anon_client.get("/r/NO-SUCH-CODE")
    assert unknown.status_code == 404
    assert "text/html" in paths["/r/{code}"]["get"]["responses"]["404"]["content"]
    assert unknown["Content-Type"].startswith("text/html")


def test_program_limits_in_the_document_are_the_servers(document, alice_client):
    program = document["components"]["schemas"]["ProgramInRequest"]["properties"]
    assert (program["code"]["minLength"], program["code"]["maxLength"]) == (3, 40)
    assert program["code"]["pattern"] == rules.CODE_PATTERN.pattern
    assert program["name"]["maxLength"] == rules.NAME_MAX
    assert program["description"]["maxLength"] == rules.DESCRIPTION_MAX
    assert program["terms"]["maxLength"] == rules.TERMS_MAX
    assert program["landing_url"]["maxLength"] == rules.URL_MAX
    assert program["cookie_days"]["maximum"] == rules.COOKIE_DAYS_MAX
    assert program["hold_days"]["maximum"] == rules.HOLD_DAYS_MAX

    def create(code: str) -> Any:
        return alice_client.post(
            "/api/v1/programs?mode=test",
            {
                "code": code,
                "name": "Spring sale",
                "currency": "EUR",
                "commission_type": "cpa",
                "cpa_amount_cents": 1500,
                "landing_url": "https://shop.example.com/spring",
            },
            format="json",
        )

    # The server's bounds are exactly the document's: 3 and 40 pass, 2 and 41 do not.
    assert create("abc").status_code == 201
    assert create("x" * 40).status_code == 201
    for refused in ("ab", "y" * 41):
        body = assert_error(create(refused), 400, "VALIDATION_ERROR")
        assert body["details"][0]["field"] == "code"


def test_sign_up_and_log_in_answer_what_the_document_says(document, anon_client):
    def validate(path: str, status: str, body: Any) -> None:
        media = document["paths"][path]["post"]["responses"][status]["content"]
        schema = json_schema(
            {**media["application/json"]["schema"], "components": document["components"]}
        )
        Draft7Validator(schema).validate(body)

    account = {"email": "mia@shoeshop.example", "password": "a-long-journey-passphrase-7"}
    registered = anon_client.post(
        "/api/v1/auth/register",
        {**account, "account_type": "merchant", "company_name": "Shoe Shop"},
        format="json",
    )
    assert registered.status_code == 201
    validate("/api/v1/auth/register", "201", registered.json())
    assert len(registered.json()["api_keys"]) == 4

    logged_in = anon_client.post("/api/v1/auth/login", account, format="json")
    assert logged_in.status_code == 200
    validate("/api/v1/auth/login", "200", logged_in.json())
    assert logged_in.json()["merchants"][0]["role"] == "owner"
