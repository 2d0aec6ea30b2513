"""Checks on the OpenAPI document shared by the web tests of several areas."""

from __future__ import annotations

from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


def assert_documented(document: dict[str, Any], prefix: str) -> None:
    """Every operation under ``prefix`` describes its success response: a JSON schema
    that names a model, or a documented file download."""
    operations = [
        (path, method, op)
        for path, item in document["paths"].items()
        if path == prefix or path.startswith(prefix + "/")
        for method, op in item.items()
        if method in METHODS
    ]
    assert operations, prefix
    for path, method, op in operations:
        ok = [code for code in op["responses"] if code.startswith("2")]
        assert ok, (method, path)
        for code in ok:
            content = op["responses"][code].get("content", {})
            assert content, (method, path, code)
            if "application/json" in content:
                schema = content["application/json"]["schema"]
                assert "$ref" in schema, (method, path, code, schema)
            else:
                assert "application/octet-stream" in content, (method, path, code, content)
