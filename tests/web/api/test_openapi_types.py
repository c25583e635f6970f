"""The OpenAPI document gives every response a real schema, so clients can generate types."""

from __future__ import annotations


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def test_every_json_response_has_a_typed_schema(client):
    doc = client.get("/openapi.json").get_json()
    untyped = []
    checked = 0
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for status, response in op.get("responses", {}).items():
                content = response.get("content", {}).get("application/json")
                if content is None:
                    continue
                checked += 1
                schema = _resolve(doc, content["schema"])
                loose = not schema.get("properties") or schema.get("additionalProperties") is True
                if loose and schema.get("title") != "Health":  # Health: known fields plus counts
                    untyped.append(f"{method.upper()} {path} {status}")
    assert checked > 60
    assert untyped == []


def test_match_results_are_described_field_by_field(client):
    doc = client.get("/openapi.json").get_json()
    schema = doc["paths"]["/api/v1/match"]["post"]["responses"]["200"]["content"]
    match = _resolve(doc, schema["application/json"]["schema"])
    project = _resolve(doc, match["properties"]["projects"]["items"])
    assert {"id", "title", "score", "confidence", "explanation"} <= set(project["required"])
    explanation = _resolve(doc, project["properties"]["explanation"])
    assert set(explanation["properties"]) == {"text_fit", "components", "matched_terms", "reasons"}
    lists = _resolve(
        doc,
        doc["paths"]["/api/v1/projects"]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ],
    )
    assert _resolve(doc, lists["properties"]["items"]["items"])["title"] == "Project"


def test_a_response_matches_its_schema_fields(client):
    body = client.post("/api/v1/match", json={"text": "Rufbus für Dörfer", "k": 2}).get_json()
    doc = client.get("/openapi.json").get_json()
    schema = doc["paths"]["/api/v1/match"]["post"]["responses"]["200"]["content"]
    project = _resolve(
        doc, _resolve(doc, schema["application/json"]["schema"])["properties"]["projects"]["items"]
    )
    assert body["projects"] and set(body["projects"][0]) == set(project["properties"])
