"""The data exchange end to end: a real uvicorn server, a real HTTP client (httpx), on
every test database — a batch in, the same batch again (nothing changes), the same id
with other content (409), a batch cut off half-way and one with a bad last row (nothing
stored), rows outside the token's units (403 naming them), and the feed polled with its
ETag (304) and cursor (only what an approval recomputed)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, text
from tests.web.browser_support import serve
from tests.web.exchange_support import filings_from, stored_state, townships_with_reports

from yanzhi.services.access import users
from yanzhi.services.access.principal import SYSTEM
from yanzhi.services.collection.workflow import transition
from yanzhi.services.monitoring.compute import refresh
from yanzhi.storage.db import make_engine

DONE = "2026-01..10"  # the demo's newest approved period
NEW = "2026-01..11"


@dataclass
class Exchange:
    base: str
    engine: Engine
    machine: str  # the machine token, scoped to ``district``
    admin: str  # a city-wide token for the feeds
    district: str
    towns: list[str]  # townships of the district with reports
    outside: str  # a township of another district


@pytest.fixture(scope="module")
def ex(demo_db: str) -> Iterator[Exchange]:
    from yanzhi.web.app import create_app

    eng = make_engine(demo_db)
    towns = townships_with_reports(eng, DONE)
    district = towns[0][1]
    mine = [t for t, d in towns if d == district]
    assert len(mine) >= 9, mine
    outside = next(t for t, d in towns if d != district)
    machine = users.create_machine_token(eng, "platform", [district], actor="test").token
    users.create_user(
        eng, username="feeder", password="Feeder-pass-2026!", role="city_analyst", actor="t"
    )
    admin = users.create_token(eng, "feeder", name="feed", actor=SYSTEM).token
    with serve(create_app(eng)) as base:
        yield Exchange(base, eng, machine, admin, district, mine, outside)
    eng.dispose()


def _post(ex: Exchange, body: dict[str, object], token: str | None = None) -> httpx.Response:
    return httpx.post(
        f"{ex.base}/api/v1/exchange/filings",
        json=body,
        headers={"Authorization": f"Bearer {token or ex.machine}"},
        timeout=120,
    )


def _batch(batch_id: str, filings: list[dict[str, object]]) -> dict[str, object]:
    return {"format": "yanzhi-exchange/1", "batch_id": batch_id, "period": NEW, "filings": filings}


def _submission(engine: Engine, town: str, period: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "select status from submission where dataset = 'rd' and org_unit_code = :t"
                " and period = :p"
            ),
            {"t": town, "p": period},
        ).scalar()


def test_round_trip_and_feed(ex: Exchange) -> None:
    towns = ex.towns[:3]  # each test files for townships of its own: order does not matter
    filings = filings_from(ex.engine, period=DONE, townships=towns)
    assert len(filings) > 10
    feed_url = f"{ex.base}/api/v1/exchange/indicators"
    auth = {"Authorization": f"Bearer {ex.admin}"}
    first = httpx.get(feed_url, headers=auth, timeout=60)
    assert first.status_code == 200
    cursor = first.json()["cursor"]
    assert first.json()["items"] and first.json()["synthetic"] is True  # the demo's data
    tag = first.headers["etag"]
    assert httpx.get(feed_url, headers={**auth, "If-None-Match": tag}).status_code == 304

    before = stored_state(ex.engine)
    sent = _post(ex, _batch("plat-2026-11-a", filings))
    assert sent.status_code == 200, sent.text
    got = sent.json()
    assert (got["status"], got["rows"], got["created"], got["updated"], got["repeat"]) == (
        "committed", len(filings), len(filings), 0, False,
    )  # fmt: skip
    assert sorted(got["submitted"]) == sorted(towns)
    assert all(_submission(ex.engine, t, NEW) == "submitted" for t in towns)  # not approved
    after = stored_state(ex.engine)
    assert after[0] == before[0] + len(filings)

    again = _post(ex, _batch("plat-2026-11-a", list(reversed(filings))[::-1]))
    assert again.status_code == 200
    assert again.json()["repeat"] is True and again.json()["created"] == len(filings)
    assert stored_state(ex.engine) == after  # nothing changed

    # the same content under a new id: accepted, every row unchanged, nothing written
    twin = _post(ex, _batch("plat-2026-11-b", filings))
    assert twin.status_code == 200, twin.text
    assert (twin.json()["created"], twin.json()["updated"], twin.json()["unchanged"]) == (
        0, 0, len(filings),
    )  # fmt: skip
    assert stored_state(ex.engine) == after

    status = httpx.get(
        f"{ex.base}/api/v1/exchange/batches/plat-2026-11-a",
        headers={"Authorization": f"Bearer {ex.machine}"},
    )
    assert status.status_code == 200 and status.json()["created"] == len(filings)

    # a submitted batch is not approved data: no indicator value changed
    unchanged = httpx.get(feed_url, headers=auth, params={"changes_since": cursor})
    assert unchanged.status_code == 200 and unchanged.json()["items"] == []

    for town in towns:
        transition(ex.engine, "approve", period=NEW, unit=town, actor="analyst")
    refresh(ex.engine, period=NEW)  # what an approval in the app does next
    changed = httpx.get(feed_url, headers=auth, params={"changes_since": cursor}, timeout=60)
    assert changed.status_code == 200
    items = changed.json()["items"]
    assert items and {i["period"] for i in items} == {NEW}
    assert changed.json()["cursor"] > cursor
    csv_text = httpx.get(
        feed_url, headers=auth, params={"changes_since": cursor, "format": "csv"}, timeout=60
    ).text
    lines = csv_text.splitlines()
    assert lines[0].startswith("# format=yanzhi-exchange/1")
    assert "演示数据" in lines[1]
    assert len([ln for ln in lines if not ln.startswith("#")]) == len(items) + 1


def test_same_id_other_content_is_409(ex: Exchange) -> None:
    filings = filings_from(ex.engine, period=DONE, townships=ex.towns[3:4])[:3]
    assert _post(ex, _batch("plat-409", filings)).status_code == 200
    before = stored_state(ex.engine)
    other = [dict(filings[0], rd_expense=float(filings[0]["rd_expense"]) + 1), *filings[1:]]
    answer = _post(ex, _batch("plat-409", other))
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "batch_conflict" and "批次" in error["message"]
    assert stored_state(ex.engine) == before


def test_rows_outside_the_tokens_units_are_403_by_row(ex: Exchange) -> None:
    mine = filings_from(ex.engine, period=DONE, townships=ex.towns[4:5])[:2]
    theirs = filings_from(ex.engine, period=DONE, townships=[ex.outside])[:2]
    before = stored_state(ex.engine)
    answer = _post(ex, _batch("plat-403", mine + theirs))
    assert answer.status_code == 403
    details = answer.json()["error"]["details"]
    assert [d["row"] for d in details] == [4, 5]  # the file rows (header is row 1)
    assert all(theirs[i]["uscc"] in str(details[i]["value"]) for i in range(2))
    assert stored_state(ex.engine) == before


def test_a_bad_last_row_stores_nothing(ex: Exchange) -> None:
    filings = filings_from(ex.engine, period=DONE, townships=ex.towns[5:7])
    filings[-1] = dict(filings[-1], rd_expense=-5)
    before = stored_state(ex.engine)
    answer = _post(ex, _batch("plat-bad-last", filings))
    assert answer.status_code == 422
    issues = answer.json()["error"]["details"]
    assert any(i["row"] == len(filings) + 1 and i["message_zh"] for i in issues)
    assert stored_state(ex.engine) == before


def test_a_batch_cut_off_half_way_stores_nothing(ex: Exchange) -> None:
    filings = filings_from(ex.engine, period=DONE, townships=ex.towns[7:8])
    body = json.dumps(_batch("plat-cut", filings)).encode()
    before = stored_state(ex.engine)
    u = urlparse(ex.base)
    with socket.create_connection((u.hostname, u.port), timeout=20) as sock:
        head = (
            f"POST /api/v1/exchange/filings HTTP/1.1\r\nHost: {u.netloc}\r\n"
            f"Authorization: Bearer {ex.machine}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        sock.sendall(head.encode() + body[: len(body) // 2])
    # the server saw half a body; the batch was never received
    status = httpx.get(
        f"{ex.base}/api/v1/exchange/batches/plat-cut",
        headers={"Authorization": f"Bearer {ex.machine}"},
    )
    assert status.status_code == 404
    assert stored_state(ex.engine) == before
    # sent whole afterwards, it goes in
    assert _post(ex, _batch("plat-cut", filings)).status_code == 200


def test_machine_token_opens_nothing_else(ex: Exchange) -> None:
    answer = httpx.get(
        f"{ex.base}/api/v1/data/submissions", headers={"Authorization": f"Bearer {ex.machine}"}
    )
    assert answer.status_code == 401
    feed = httpx.get(
        f"{ex.base}/api/v1/exchange/indicators", headers={"Authorization": f"Bearer {ex.machine}"}
    )
    assert feed.status_code == 401
    no_token = _post(ex, _batch("x", [{"uscc": "1"}]), token="yz_nope")
    assert no_token.status_code == 401
    person = _post(ex, _batch("x", [{"uscc": "1"}]), token=ex.admin)  # a city analyst's
    assert person.status_code == 401


def test_csv_upload_is_the_same_batch(ex: Exchange) -> None:
    filings = filings_from(ex.engine, period=DONE, townships=ex.towns[8:9])[:4]
    head = "uscc,operating_revenue,rd_expense,rd_personnel,synthetic\n"
    rows = "".join(
        f"{f['uscc']},{f['operating_revenue']},{f['rd_expense']},{f['rd_personnel'] or ''},"
        f"{'true' if f['synthetic'] else 'false'}\n"
        for f in filings
    )
    answer = httpx.post(
        f"{ex.base}/api/v1/exchange/filings.csv",
        data={"batch_id": "plat-csv", "period": NEW},
        files={"file": ("b.csv", (head + rows).encode(), "text/csv")},
        headers={"Authorization": f"Bearer {ex.machine}"},
    )
    assert answer.status_code == 200, answer.text
    assert filings and answer.json()["rows"] == len(filings)


def test_list_feed_json_csv_and_etag(ex: Exchange) -> None:
    url = f"{ex.base}/api/v1/exchange/lists/priority"
    auth = {"Authorization": f"Bearer {ex.admin}"}
    got = httpx.get(url, headers=auth, params={"year": 2025}, timeout=60)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["name"] == "priority" and body["year"] == 2025 and body["synthetic"] is True
    assert body["items"] and all(i["synthetic"] for i in body["items"])
    again = httpx.get(
        url, headers={**auth, "If-None-Match": got.headers["etag"]}, params={"year": 2025}
    )
    assert again.status_code == 304
    as_csv = httpx.get(url, headers=auth, params={"year": 2025, "format": "csv"}, timeout=60)
    lines = as_csv.text.splitlines()
    assert lines[0].startswith("# format=yanzhi-exchange/1 list=priority year=2025")
    assert "演示数据" in lines[1] and lines[2].startswith("uscc,")
    assert len(lines) == 3 + len(body["items"])
    assert as_csv.headers["etag"] != got.headers["etag"]


def test_status_feed_is_the_stored_status(ex: Exchange) -> None:
    """The statuses feed: the region and every district, each headline indicator with its
    verdict and forecast — the same figures as `yanzhi status --json` — JSON, CSV, ETag."""
    from typer.testing import CliRunner

    from yanzhi.cli.main import app as cli

    url = f"{ex.base}/api/v1/exchange/statuses"
    auth = {"Authorization": f"Bearer {ex.admin}"}
    got = httpx.get(url, headers=auth, timeout=300)
    assert got.status_code == 200, got.text
    body = got.json()
    units = {i["unit_code"] for i in body["items"]}
    assert len(units) == 11 and "330200" in units  # the city and its 10 districts
    assert body["synthetic"] is True and body["as_of"]
    run = CliRunner().invoke(cli, ["status", "--json", "--database", str(ex.engine.url)])
    assert run.exit_code == 0, run.output
    for ind in json.loads(run.stdout)["indicators"]:
        row = next(
            i
            for i in body["items"]
            if i["unit_code"] == "330200" and i["indicator"] == ind["indicator"]
        )
        assert (row["value"], row["target"], row["verdict_zh"], row["status_zh"]) == (
            ind["value"],
            ind["target"],
            ind["verdict_zh"],
            ind["status_zh"],
        )
        assert row["forecast"] == (ind["forecast"] or {}).get("expected")
    again = httpx.get(url, headers={**auth, "If-None-Match": got.headers["etag"]}, timeout=60)
    assert again.status_code == 304
    one = httpx.get(url, headers=auth, params={"unit": ex.district, "format": "csv"}, timeout=120)
    lines = one.text.splitlines()
    assert lines[0].startswith("# format=yanzhi-exchange/1 statuses") and "演示数据" in lines[1]
    assert lines[2].startswith("unit_code,unit_name,level,indicator,")
    assert {line.split(",")[0] for line in lines[3:]} == {ex.district}
    machine = httpx.get(url, headers={"Authorization": f"Bearer {ex.machine}"}, timeout=60)
    assert machine.status_code == 401  # a machine token submits filings, nothing else


def test_a_batch_stopped_before_submitting_is_submitted_when_sent_again(
    ex: Exchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server stops after storing and recording a batch, before submitting its
    townships (here: the submission step fails once). The sender, seeing no answer, sends
    the batch again: nothing is imported twice, and the township left in draft is
    submitted then."""
    from yanzhi.services.exchange import inbound

    assert len(ex.towns) >= 10, ex.towns
    town = ex.towns[9]
    filings = filings_from(ex.engine, period=DONE, townships=[town])[:3]
    real = inbound._submit

    def stops(*args: object, **kwargs: object) -> list[str]:
        raise RuntimeError("the server stopped here")

    monkeypatch.setattr(inbound, "_submit", stops)
    first = _post(ex, _batch("plat-stopped", filings))
    assert first.status_code == 500 and first.json()["error"]["code"] == "internal_error"
    assert _submission(ex.engine, town, NEW) == "draft"
    stored = stored_state(ex.engine)
    monkeypatch.setattr(inbound, "_submit", real)
    again = _post(ex, _batch("plat-stopped", filings))
    assert again.status_code == 200, again.text
    body = again.json()
    recorded = httpx.get(
        f"{ex.base}/api/v1/exchange/batches/plat-stopped",
        headers={"Authorization": f"Bearer {ex.machine}"},
    ).json()
    assert (body["repeat"], body["rows"], body["submitted"]) == (True, len(filings), [town])
    assert body["created"] == recorded["created"]  # what the stopped request stored
    assert _submission(ex.engine, town, NEW) == "submitted"
    assert stored_state(ex.engine)[0] == stored[0]  # no row imported twice
    third = _post(ex, _batch("plat-stopped", filings))  # and once submitted, nothing more
    assert (third.json()["repeat"], third.json()["submitted"]) == (True, [])
