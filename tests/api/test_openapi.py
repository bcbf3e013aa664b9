"""/api/v1/openapi.json: public, a valid OpenAPI 3.1 document of every operation,
with the bearer scheme, the pages and the error bodies."""

from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator

OPERATIONS = {
    "/api/v1/campaigns/{code}/records",
    "/api/v1/units",
    "/api/v1/units/{code}",
    "/api/v1/cadres",
    "/api/v1/cadres/{key}",
    "/api/v1/certificates",
    "/api/v1/certificates/{serial}",
}


def test_the_document_is_valid_openapi_3_1_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    validate(spec, cls=OpenAPIV31SpecValidator)
    assert set(spec["paths"]) == OPERATIONS
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert spec["security"] == [{"bearerAuth": []}]


def test_every_operation_documents_its_errors_and_pages(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    for path, item in spec["paths"].items():
        assert set(item) - {"parameters"} == {"get"}, path
        responses = item["get"]["responses"]
        assert {"200", "401", "404", "429"} <= set(responses), path
        assert "Retry-After" in responses["429"]["headers"]
        params = {p["name"]: p["schema"] for p in item["get"].get("parameters", [])}
        if "page" in params:
            assert "400" in responses
            assert params["page"]["minimum"] == 1
            assert params["per_page"]["minimum"] == 1
            maximum = 1000 if "records" in path else 100
            assert params["per_page"]["maximum"] == maximum
    page = spec["components"]["schemas"]["UnitPage"]
    assert {"page", "per_page", "total", "next", "previous", "items"} <= set(
        page["required"]
    )
