"""Every API route of every area declares what it returns: a response model in the OpenAPI
document (no untyped ``{}`` schema), or a documented file download (issue #14)."""

from __future__ import annotations

from typing import Any

import pytest

TAGS = {
    "admin",
    "auth",
    "cockpit",
    "data",
    "enterprises",
    "evaluation",
    "exchange",
    "indicators",
    "notifications",
    "registers",
    "reports",
    "tasks",
    "units",
}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    from yanzhi.web.api import create_api

    document = create_api().openapi()
    found = [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]
    return found


def test_the_areas_have_routes() -> None:
    tags = {t for _, _, op in _operations() for t in op["tags"]}
    assert tags == TAGS


@pytest.mark.parametrize(("path", "method", "op"), _operations(), ids=lambda v: str(v)[:40])
def test_every_route_declares_its_response(path: str, method: str, op: dict[str, Any]) -> None:
    ok = {k: v for k, v in op["responses"].items() if k.startswith("2")}
    assert ok, f"{method.upper()} {path}: no success response"
    for status, response in ok.items():
        content = response.get("content", {})
        if "application/json" not in content:  # a download: its media type is documented
            assert content, f"{method.upper()} {path} {status}: no content documented"
            continue
        schema = content["application/json"]["schema"]
        assert schema not in ({}, {"type": "object"}), (
            f"{method.upper()} {path} {status}: no response model"
        )
        assert schema.get("additionalProperties") is not True or "$ref" in schema
