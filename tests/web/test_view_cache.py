"""The shared view cache and the background recomputation (web/cache.py,
web/precompute.py): one computation per key when users arrive together, results
recomputed after start-up and after a write, before anyone opens a page — and every
role's page built from the same shared results."""

from __future__ import annotations

import contextlib
import threading
import time

from tests.web.conftest import Site

from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import resolve
from yanzhi.services.plan.orgunits import org_tree
from yanzhi.views.reforms import reforms
from yanzhi.web.cache import ViewCache
from yanzhi.web.precompute import Precompute, recompute, steps


def test_users_arriving_together_share_one_computation(site: Site) -> None:
    cache = ViewCache(site.engine)
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []
    out: list[int] = []

    def compute() -> int:
        calls.append(1)
        started.set()
        assert release.wait(10)
        return 42

    first = threading.Thread(target=lambda: out.append(cache.get("k", compute)))
    first.start()
    assert started.wait(10)
    others = [
        threading.Thread(target=lambda: out.append(cache.get("k", compute))) for _ in range(3)
    ]
    for t in others:
        t.start()
    time.sleep(0.3)  # the others reach the key while the first computes it
    assert cache._flights  # ... which the first still holds
    release.set()
    for t in [first, *others]:
        t.join(10)
    assert calls == [1] and out == [42, 42, 42, 42]
    # another key, or the same key after a write, is computed again
    assert cache.get("other", lambda: 7) == 7
    cache.bump()
    assert cache.get("k", lambda: 43) == 43


def test_a_failed_computation_is_not_cached_and_lets_the_next_try(site: Site) -> None:
    cache = ViewCache(site.engine)

    def boom() -> int:
        raise RuntimeError("no")

    for _ in range(2):
        with contextlib.suppress(RuntimeError):
            cache.get("k", boom)
    assert cache.get("k", lambda: 5) == 5
    assert not cache._flights


def test_recompute_fills_what_the_pages_read(site: Site) -> None:
    """After a recompute, every role's cockpit and a township desk are built from the
    cached shared results: no step fails, and the page equals the uncached view."""
    cache = ViewCache(site.engine)
    names = [n for n, _ in steps(site.engine, cache)]
    assert names[:3] == ["cockpit", "evaluation:district", "evaluation:township"]
    done = recompute(site.engine, cache)
    assert [n for n, _ in done] == names  # none failed
    shared = set(cache._items)
    assert any(k[0][0] == ("evaluation") for k in shared)
    assert any(k[0][0] == "views.cockpit.statuses" for k in shared)
    # the city's indicator pages: statuses, count bases and the default attribution
    assert {f"indicator:{c}" for c in ("RD_GDP", "IND_RD_INTENSITY")} <= set(names)
    assert {"views.attribution", "views.count_bases"} <= {k[0][0] for k in shared}
    assert ("views.reforms.report", True) in {k[0] for k in shared}  # /tasks/reforms' estimates
    assert {"views.own.ranking", "views.own.peers"} <= {k[0][0] for k in shared}  # /my's


def test_the_reforms_report_is_computed_once_for_every_scope(site: Site) -> None:
    """/tasks/reforms at province scale spent half a minute on the policy estimates; the
    report is the same for every scope (each cuts it), so it is computed once."""
    cache = ViewCache(site.engine)
    tree = org_tree(site.engine)
    district = site.accounts["district"]["unit"]
    scopes = [
        resolve(Principal("a", "city_analyst"), tree),
        resolve(Principal("d", "district_officer", unit=district), tree),
    ]
    for scope in scopes:
        assert reforms(site.engine, scope, memo=cache.get) == reforms(site.engine, scope)
    assert cache.stats["computed"] == 1 and cache.stats["local"] == 1


def test_enterprises_share_the_points_ranking_and_the_peers(site: Site) -> None:
    """/my at province scale spent 3 s scoring every technology enterprise and reading
    every enterprise's figures for one enterprise's points and peers; both are computed
    once for all (the background recomputation's "own" step), and each page is the one
    computed without sharing."""
    from sqlalchemy import text

    from yanzhi.views.own import own_page

    cache = ViewCache(site.engine)
    with site.engine.connect() as c:
        found = c.execute(
            text("SELECT uscc FROM enterprise WHERE hightech OR tech_sme ORDER BY uscc LIMIT 2")
        ).scalars()
        usccs = list(found)
    tree = org_tree(site.engine)
    pages = []
    for uscc in usccs:
        scope = resolve(Principal("e", "enterprise", enterprise=uscc), tree)
        shared = own_page(site.engine, scope, memo=cache.get)
        assert shared == own_page(site.engine, scope)
        pages.append(shared)
    assert all(p.points is not None for p in pages)
    assert pages[0].points != pages[1].points
    computed = cache.stats["computed"]
    own_page(site.engine, resolve(Principal("e", "enterprise", enterprise=usccs[0]), tree),
             memo=cache.get)  # fmt: skip
    assert cache.stats["computed"] == computed  # nothing shared computed again


def test_the_served_app_recomputes_after_a_write(site: Site) -> None:
    cache = ViewCache(site.engine)
    worker = Precompute(site.engine, cache)
    worker.start()
    try:
        deadline = time.monotonic() + 120
        while worker.runs < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.runs == 1 and worker.ready()
        cache.bump()  # what every write through the app does
        assert not worker.ready()  # the data changed: recomputed after a quiet second
        while worker.runs < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.runs == 2
        while not worker.ready() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.ready()
        assert [n for n, _ in worker.last] == [n for n, _ in steps(site.engine, cache)]
    finally:
        worker.stop()


def test_the_recomputation_gives_way_to_writes_and_stops_when_the_data_change(
    site: Site, monkeypatch
) -> None:
    """A request and the background thread share one interpreter lock: an approval that
    came while the results were recomputed took 50 s instead of 1 s at province scale.
    Between its steps the recomputation waits while a write is served, and stops once
    the data changed (its results would be for data no longer there)."""
    from yanzhi.web import precompute

    cache = ViewCache(site.engine)
    ran: list[str] = []
    monkeypatch.setattr(
        precompute,
        "steps",
        lambda engine, cache: [(n, lambda n=n: ran.append(n)) for n in ("a", "b", "c")],
    )
    cache.writing = 1  # a write is being served
    threading.Timer(0.5, lambda: setattr(cache, "writing", 0)).start()
    started = time.monotonic()
    assert [n for n, _ in precompute.recompute(site.engine, cache)] == ["a", "b", "c"]
    assert time.monotonic() - started >= 0.45  # the first step waited for the write
    ran.clear()
    assert precompute.recompute(site.engine, cache, stale=lambda: len(ran) == 2) is None
    assert ran == ["a", "b"]  # "c" was not computed for data that had changed


def test_writes_in_flight_are_counted_while_they_are_served(site: Site) -> None:
    from yanzhi.web.precompute import WritesInFlight

    cache = ViewCache(site.engine)
    seen: list[int] = []

    async def inner(scope, receive, send) -> None:
        seen.append(cache.writing)

    middleware = WritesInFlight(inner, cache)
    import asyncio

    for method in ("POST", "GET", "DELETE", "HEAD"):
        asyncio.run(middleware({"type": "http", "method": method}, None, None))
    assert seen == [1, 0, 1, 0] and cache.writing == 0
