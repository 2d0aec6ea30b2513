"""Results computed when the data change, read when they are asked for: a stored result
is kept with the data generation (``database.data_generation``) and the day it was
computed from, and answered as it is while both are the same — a command that only
reads (``yanzhi status``) then costs a query, not a recomputation, and never imports
the analysis libraries. The web app's background recomputation stores the results the
CLI reads (web/precompute.py), so they are ready after an approval made in the app."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from yanzhi.services.database import data_generation, require_schema
from yanzhi.storage.stored import read_result, write_result


def generation_key(engine: Engine) -> str:
    """The data generation and today's date (a verdict may depend on the day)."""
    return json.dumps([*data_generation(engine), dt.date.today().isoformat()])


@dataclass(frozen=True)
class StoredResult:
    """A result as JSON (``payload``), the generation it belongs to, and whether it was
    read as stored (True) or computed just now (False)."""

    payload: dict[str, Any]
    generation: str
    was_stored: bool


def fetch(
    engine: Engine, name: str, scope: str, compute: Callable[[], dict[str, Any]]
) -> StoredResult:
    """The stored result ``name`` for ``scope`` if the data have not changed since it was
    computed, else ``compute()``'s, stored for next time. The generation is read before
    computing: a write landing meanwhile leaves the stored result stale, never wrong."""
    require_schema(engine)
    generation = generation_key(engine)
    hit = read_result(engine, name, scope)
    if hit is not None and hit[0] == generation:
        return StoredResult(dict(json.loads(hit[1])), generation, was_stored=True)
    payload = compute()
    text = json.dumps(payload, ensure_ascii=False, default=str)
    write_result(engine, name, scope, generation, text)
    return StoredResult(dict(json.loads(text)), generation, was_stored=False)


def headline_status(
    engine: Engine, *, unit: str | None = None, year: int | None = None
) -> StoredResult:
    """The headline status of ``unit`` (default: the plan's region) as of ``year``, as a
    stored result — the one key for it, read by `yanzhi status` and written by the web
    app's background recomputation. The status service (pandas, SciPy) is imported only
    when the result has to be computed."""

    def compute() -> dict[str, Any]:
        from yanzhi.services.monitoring import status

        return status.status(engine, unit=unit, year=year).to_dict()

    return fetch(engine, "status", f"{unit or ''}:{year or ''}", compute)
