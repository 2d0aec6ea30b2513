"""Reading an app's routes and building a request that passes validation, for tests that
walk every route (the access matrix). FastAPI ≥ 0.137.2 keeps included routers as a
tree in ``app.routes``; ``iter_route_contexts`` flattens it."""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, Literal, get_args, get_origin
from urllib.parse import quote

from fastapi.routing import APIRoute
from starlette.routing import Mount


def _flat(routes: list[Any]) -> list[Any]:
    """Routes behind include_router, flattened (FastAPI ≥ 0.137.2 keeps them in a tree)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is already flat
        return list(routes)
    return list(iter_route_contexts(routes))


def all_routes(app: Any) -> list[tuple[str, Any]]:
    """Every page route and every route of the mounted API, with its full path."""
    out: list[tuple[str, Any]] = []
    for r in _flat(app.routes):
        original = getattr(r, "original_route", r)
        if isinstance(original, APIRoute):
            out.append((r.path, r))
        elif isinstance(original, Mount) and original.path == "/api/v1":
            out += [
                ("/api/v1" + s.path, s)
                for s in _flat(original.app.routes)
                if isinstance(getattr(s, "original_route", s), APIRoute)
            ]
    return out


def params_of(path: str) -> list[str]:
    return re.findall(r"\{(\w+)(?::\w+)?\}", path)


def choices(route: Any, name: str) -> list[str]:
    """The values a Literal or Enum path parameter allows (empty when free)."""
    for f in route.dependant.path_params:
        if f.name != name:
            continue
        ann = f.field_info.annotation
        if get_origin(ann) is Literal:
            return [str(a) for a in get_args(ann)]
        if isinstance(ann, type) and issubclass(ann, Enum):
            return [str(e.value) for e in ann]
    return []


def fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: quote(values[m.group(1)], safe=""), path)


def example(schema: Any, doc: dict[str, Any], name: str, hints: dict[str, Any]) -> Any:
    """A small value that satisfies ``schema`` (enough to get past validation)."""
    if "$ref" in schema:
        target: Any = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return example(target, doc, name, hints)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            real = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example(real[0], doc, name, hints)
    if "enum" in schema:
        return schema["enum"][0]
    if name in hints:
        return hints[name]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: example(props[k], doc, k, hints) for k in schema.get("required", [])}
    if kind == "array":
        return [example(schema.get("items", {}), doc, name, hints)] * schema.get("minItems", 0)
    if kind == "integer" or kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-06-30"
    return "matrix test"[: schema.get("maxLength", 100)].ljust(schema.get("minLength", 1), "x")


def request_body(
    doc: dict[str, Any], path: str, method: str, hints: dict[str, Any]
) -> dict[str, Any]:
    """Keyword arguments for the test client: a JSON body, or form fields and files."""
    op = doc.get("paths", {}).get(path, {}).get(method.lower(), {})
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return {"json": example(content["application/json"]["schema"], doc, "", hints)}
    for form in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if form in content:
            schema = content[form]["schema"]
            if "$ref" in schema:
                schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            props = schema.get("properties", {})
            data, files = {}, {}
            for key in schema.get("required", []):
                prop = props[key]
                one = {**prop, **prop.get("items", {})}
                if one.get("format") == "binary" or "contentMediaType" in one:
                    files[key] = ("matrix.csv", b"uscc,period\n", "text/csv")
                else:
                    data[key] = str(example(prop, doc, key, hints))
            return {"data": data, "files": files or None}
    return {}
