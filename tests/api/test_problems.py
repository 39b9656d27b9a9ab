"""Errors outside the domain (routing, parsing) are problem+json too, and say what is allowed."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_wrong_method_lists_every_allowed_method(client: TestClient) -> None:
    response = client.request("OPTIONS", "/api/v1/shops/SH1234567890/invitations")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_body_that_is_not_json_is_a_problem(client: TestClient) -> None:
    response = client.post("/api/v1/auth/signup", content=b"\x7f\xff not json",
                           headers={"content-type": "application/json"})
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] in ("BAD_REQUEST", "VALIDATION_FAILED")


def test_every_api_operation_documents_problem_responses(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            documented = operation["responses"]
            assert "application/problem+json" in documented["404"]["content"], (method, path)
            assert "application/problem+json" in documented["422"]["content"], (method, path)
