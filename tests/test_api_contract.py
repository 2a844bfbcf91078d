"""The API's contract as /openapi.json publishes it: every string, list and integer a client sends is
bounded, every success response has a schema, every operation has an id named for what it does, and
no component has a name the framework made up (`Body_…`, `…_api_v1_…`, `…-Input`)."""

from __future__ import annotations

from typing import Any, Iterator

from hukou.api.app import create_app

SPEC = create_app().openapi()
OPERATIONS = {  # operation id -> (method, path): each named for what it does
    "check_eligibility": ("post", "/api/v1/eligibility"),
    "check_health": ("get", "/api/v1/health"),
    "sign_in": ("post", "/api/v1/token"),
    "list_purposes": ("get", "/api/v1/purposes"),
    "submit_application": ("post", "/api/v1/applications"),
    "list_applications": ("get", "/api/v1/applications"),
    "read_application": ("get", "/api/v1/applications/{case_id}"),
    "act_on_application": ("post", "/api/v1/applications/{case_id}/actions"),
    "report_overrides": ("get", "/api/v1/reports/overrides"),
    "list_tasks": ("get", "/api/v1/tasks"),
    "read_task": ("get", "/api/v1/tasks/{task_id}"),
    "complete_task": ("post", "/api/v1/tasks/{task_id}/complete"),
    "refuse_task": ("post", "/api/v1/tasks/{task_id}/refuse"),
}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def _operations(spec: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def unbounded(spec: dict) -> list[str]:
    """Where a request accepts a string without maxLength, pattern, enum or format, an array without
    maxItems, an integer or number without both minimum and maximum, an object of no declared
    properties (any JSON object), or a value of no declared type:
    each as `operation: where`. Walks parameters and bodies through $ref, anyOf, oneOf and allOf."""
    components = spec.get("components", {}).get("schemas", {})
    found: list[str] = []

    def walk(schema: Any, where: str, refs: tuple[str, ...]) -> None:
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref in refs:  # a recursive model: its fields are walked where it was first met
                return
            target = components.get(ref.rsplit("/", 1)[-1])
            if target is None or not ref.startswith("#/components/schemas/"):
                found.append(f"{where}: unresolved {ref}")
                return
            walk(target, f"{where}<{ref.rsplit('/', 1)[-1]}>", refs + (ref,))
            return
        combined = [s for key in ("anyOf", "oneOf", "allOf") for s in schema.get(key, ())]
        for option in combined:
            walk(option, where, refs)
        if "enum" in schema or "const" in schema:
            return
        types = schema.get("type")
        types = [types] if isinstance(types, str) else list(types or ())
        if not types:
            if not combined and schema.get("not") is None:
                found.append(f"{where}: no declared type")
            return
        for type_ in types:
            if type_ == "string" and not ({"maxLength", "pattern", "format"} & schema.keys()):
                found.append(f"{where}: string without maxLength, pattern or format")
            elif type_ == "array":
                if "maxItems" not in schema:
                    found.append(f"{where}: array without maxItems")
                walk(schema.get("items"), f"{where}[]", refs)
                for i, item in enumerate(schema.get("prefixItems", ())):
                    walk(item, f"{where}[{i}]", refs)
            elif type_ in ("integer", "number"):
                low = "minimum" in schema or "exclusiveMinimum" in schema
                high = "maximum" in schema or "exclusiveMaximum" in schema
                if not (low and high):
                    found.append(f"{where}: {type_} without minimum and maximum")
            elif type_ == "object":
                if not schema.get("properties") and schema.get("additionalProperties", True) is True:
                    found.append(f"{where}: object of no declared properties")
                for name, prop in schema.get("properties", {}).items():
                    walk(prop, f"{where}.{name}", refs)
                extra = schema.get("additionalProperties")
                if isinstance(extra, dict):
                    walk(extra, f"{where}.*", refs)

    for method, path, operation in _operations(spec):
        name = operation.get("operationId", f"{method} {path}")
        for param in operation.get("parameters", ()):
            walk(param.get("schema"), f"{name}: {param['in']} {param['name']}", ())
        for media, content in operation.get("requestBody", {}).get("content", {}).items():
            walk(content.get("schema"), f"{name}: body ({media})", ())
    return found


def test_the_walker_finds_what_is_unbounded():
    spec = {
        "paths": {"/x/{id}": {"post": {
            "operationId": "x",
            "parameters": [{"in": "path", "name": "id", "schema": {"type": "string"}},
                           {"in": "query", "name": "n", "schema": {"anyOf": [{"type": "integer", "minimum": 1},
                                                                             {"type": "null"}]}},
                           {"in": "header", "name": "ok", "schema": {"type": "string", "maxLength": 3}}],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}}},
        }}},
        "components": {"schemas": {
            "In": {"type": "object", "properties": {
                "tags": {"type": "array", "items": {"type": "string", "enum": ["a"]}},
                "kids": {"type": "array", "maxItems": 3, "items": {"$ref": "#/components/schemas/In"}},
                "one": {"oneOf": [{"$ref": "#/components/schemas/Leaf"}]},
                "free": {}, "day": {"type": "string", "format": "date"}, "kind": {"const": "k"},
                "map": {"type": "object", "additionalProperties": True}}},
            "Leaf": {"type": "object", "properties": {"text": {"type": "string"}, "n": {"type": "number", "minimum": 0,
                                                                                        "maximum": 1}}},
        }},
    }
    assert unbounded(spec) == [
        "x: path id: string without maxLength, pattern or format",
        "x: query n: integer without minimum and maximum",
        "x: body (application/json)<In>.tags: array without maxItems",
        "x: body (application/json)<In>.one<Leaf>.text: string without maxLength, pattern or format",
        "x: body (application/json)<In>.free: no declared type",
        "x: body (application/json)<In>.map: object of no declared properties",
    ]


def test_every_request_field_is_bounded():
    assert unbounded(SPEC) == []


def test_every_success_response_has_a_schema():
    missing = [f"{operation['operationId']} {status}" for _, _, operation in _operations(SPEC)
               for status, response in operation["responses"].items() if status.startswith("2")
               if not any(c.get("schema") for c in response.get("content", {}).values())]
    assert missing == []


def test_every_operation_has_an_id_named_for_what_it_does():
    found = {op.get("operationId"): (method, path) for method, path, op in _operations(SPEC)}
    assert found == OPERATIONS


def test_no_component_has_a_generated_name():
    names = set(SPEC["components"]["schemas"])
    generated = sorted(n for n in names if n.startswith("Body_") or "api_v1" in n or n.endswith(("-Input", "-Output"))
                       or "__" in n)
    assert generated == []
    expected = {"ApplicationIn", "CaseOut", "Facts", "Hukou", "Residence", "RejectedAction", "RejectedActionOut",
                "RejectedRecord", "RegisteredRecord", "VerdictAt", "SignInForm", "Problem"}
    assert expected <= names


def _refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        if "$ref" in schema:
            yield schema["$ref"]
        for value in schema.values():
            yield from _refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _refs(value)


def test_facts_are_one_documented_component():
    """The eligibility body, a submission's facts and the facts of materials, submissions and decisions in
    the log all point at Facts (RULEBOOK §2, the model policy.facts.Person by alias)."""
    schemas = SPEC["components"]["schemas"]
    body = SPEC["paths"]["/api/v1/eligibility"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"] == "#/components/schemas/Facts"
    for name in ("ApplicationIn", "MaterialsProvidedData", "SubmittedData", "ApprovedRecord", "RejectedRecord"):
        assert "#/components/schemas/Facts" in set(_refs(schemas[name]["properties"]["facts"])), name
    facts = schemas["Facts"]
    assert facts["required"] == ["birth_date", "hukou"]
    assert {"from", "to", "place", "urban"} <= set(schemas["Residence"]["properties"])  # by alias
    assert schemas["SocialInsurance"]["properties"]["from"]["pattern"]


def test_responses_type_what_the_client_gets():
    """The log's entries, the decision's verdict and the registration have their record models (a free
    JSON object only where the rules put values of any kind — a reason's values and parameters — and
    for an entry an earlier version wrote, shown as written)."""
    schemas = SPEC["components"]["schemas"]
    actions = schemas["CaseOut"]["properties"]["actions"]["items"]
    assert len(actions["oneOf"]) == 17 and actions["discriminator"]["propertyName"] == "type"
    assert "#/components/schemas/RegisteredRecord" in set(_refs(schemas["CaseOut"]["properties"]["registered"]))
    assert schemas["DecisionOut"]["properties"]["verdict"]["$ref"] == "#/components/schemas/VerdictAt"
    assert schemas["RejectedActionOut"]["properties"]["data"]["$ref"] == "#/components/schemas/RejectedRecord"
    free = sorted(f"{name}.{prop}" for name, model in schemas.items() if name.endswith("Out")
                  for prop, schema in model.get("properties", {}).items()
                  if schema.get("type") == "object" and "properties" not in schema
                  and schema.get("additionalProperties", True) is True)
    assert free == ["ReasonOut.parameters", "ReasonOut.values", "UnreadableActionOut.data"]
