"""Results computed when data change, not when a page is opened. A background thread of the
served app (``yanzhi serve``) recomputes, into the shared view cache, the results every
user's pages are built from — the cockpit, the evaluation of districts and of townships (the
costliest, 1–2 s each), the units' 1–N月 values with the comparable basis, the task board,
completeness, the shared parts of a district's and a township's page, the city's headline
status (a stored result the CLI reads too) — right after start-up and again after every
change of the data generation (a write through the app at once; one made by the CLI in
another process within ``POLL_SECONDS``). The results are cached by data generation and by
what they depend on, never by role, so every user who needs one gets the same copy; a page
opened while one is being computed waits for it (:class:`~yanzhi.web.cache.ViewCache`
computes each key once) instead of computing it a second time. When several server processes
share a cache (``yanzhi serve --workers N`` with Redis), each runs this thread but only the
first to claim a data generation recomputes; the others read its results from Redis."""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import Engine

from yanzhi.core.orgtree import Level
from yanzhi.services import stored
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import resolve
from yanzhi.services.plan import orgunits
from yanzhi.views import cockpit as cockpit_views
from yanzhi.views import data as data_views
from yanzhi.views import enterprises as ent_views
from yanzhi.views import evaluation as ev_views
from yanzhi.views import indicators as ind_views
from yanzhi.views import own as own_views
from yanzhi.views import reforms as reform_views
from yanzhi.views import units as unit_views
from yanzhi.views.common import plan_of, scope_key
from yanzhi.web.cache import ViewCache
from yanzhi.web.deps import SAFE

log = logging.getLogger(__name__)
POLL_SECONDS = 5.0  # how often the data generation is read for writes made elsewhere
QUIET_SECONDS = 1.0  # a burst of writes settles before the results are recomputed
WRITE_WAIT_SECONDS = 60.0  # at most this long a step waits for the writes being served
WARMER = Principal("precompute", "city_analyst")


def steps(engine: Engine, cache: ViewCache) -> list[tuple[str, Callable[[], Any]]]:
    """What is recomputed, in order, each a (name, call) through ``cache``."""
    tree = orgunits.org_tree(engine)
    scope = resolve(WARMER, tree)
    m = cache.get
    city = next(iter(tree.by_level(Level.CITY)), None)
    district = next(iter(tree.by_level(Level.DISTRICT)), None)
    town = next(iter(tree.children(district.code)), None) if district else None
    out: list[tuple[str, Callable[[], Any]]] = [
        (
            "cockpit",
            lambda: m(
                ("cockpit", *scope_key(scope), ""),
                lambda: cockpit_views.cockpit(engine, scope, memo=m),
            ),
        ),
    ]
    for level in ("district", "township"):
        out.append(
            (
                f"evaluation:{level}",
                lambda level=level: ev_views.ranking_page(engine, m, scope, level, None),  # type: ignore[misc]
            )
        )
    for u in (city, district, town):
        if u is not None:
            out.append(
                (f"unit:{u.code}", lambda u=u: unit_views.unit_view(engine, scope, u.code, memo=m))  # type: ignore[misc]
            )
    # the city's indicator pages: their statuses, count bases and attributions (by code)
    if city is not None:
        out += [
            (f"indicator:{code}", partial(_indicator, engine, scope, m, code, city.code))
            for code in [i.code for i in plan_of(engine, m).indicators]
        ]
    # the data desk's completeness (every scope cuts it) and the city's enterprises
    out.append(("data", lambda: data_views.shared_parts(engine, memo=m)))
    out.append(("enterprises", lambda: ent_views.everything(engine, scope, memo=m)))
    # what every enterprise's own page (/my) shares: the points ranking, the peers
    out.append(("own", lambda: own_views.shared_parts(engine, memo=m)))
    # the city's headline status as a stored result: `yanzhi status` reads it at once
    out.append(("status", partial(stored.headline_status, engine)))
    # last: the reforms and policies with the policy estimates (half a minute at province
    # scale; the report is one for all scopes, each page cuts it)
    out.append(("reforms", lambda: reform_views.reforms(engine, scope, memo=m)))
    return out


def _indicator(engine: Engine, scope: Any, m: Any, code: str, unit: str) -> None:
    """The shared parts of an indicator's page in ``unit`` (the statuses with the
    comparable basis, the districts' values, the count bases and the default
    attribution), under the keys the page reads; a non-ratio indicator has no
    attribution."""
    ind_views.indicator_view(engine, scope, code, unit=unit, memo=m)
    ind_views.indicator_children(engine, scope, code, unit=unit, memo=m)
    with contextlib.suppress(LookupError, ValueError):
        ind_views.indicator_attribution(engine, scope, code, unit=unit, memo=m)


def recompute(
    engine: Engine, cache: ViewCache, *, stale: Callable[[], bool] = lambda: False
) -> list[tuple[str, float]] | None:
    """Run every step once; their times in seconds (a failed step is logged and
    skipped: the page that needs it computes it, or shows its error, as before). Before
    each step, wait while a write request is being served, and stop — None — once
    ``stale()``: the data changed, the results would be for data no longer there."""
    done = []
    for name, call in steps(engine, cache):
        _wait_for_writes(cache)
        if stale():
            return None
        started = time.perf_counter()
        try:
            call()
        except Exception:  # a step's error is the page's to show, not the thread's end
            log.exception("precompute step %s failed", name)
            continue
        done.append((name, time.perf_counter() - started))
    return done


def _wait_for_writes(cache: ViewCache) -> None:
    """Until no write request is being served (WRITE_WAIT_SECONDS at most). A request and
    this thread share one interpreter lock: an approval reads its district's reports a row
    at a time, handing the lock back at every row, and waited behind a step each time
    (50 s at province scale, 1 s alone)."""
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    while cache.writing and time.monotonic() < deadline:
        time.sleep(0.05)


class WritesInFlight:
    """ASGI middleware: counts the requests that may write (anything but GET, HEAD and
    OPTIONS) while they are served, in ``cache.writing``, for :func:`_wait_for_writes`.
    Only the event loop's thread changes the count; the recomputation only reads it."""

    def __init__(self, app: Any, cache: ViewCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("method") in SAFE:
            await self.app(scope, receive, send)
            return
        self.cache.writing += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.cache.writing -= 1


class Precompute:
    """The background thread: recompute after start-up and after each data change."""

    def __init__(self, engine: Engine, cache: ViewCache) -> None:
        self.engine = engine
        self.cache = cache
        self.last: list[tuple[str, float]] = []
        self.runs = 0
        self._done_for: Any = object()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="yanzhi-precompute", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def ready(self) -> bool:
        """Are the shared results computed for the data as they are now (by this process,
        or by the one that claimed them when several share a cache)?"""
        return self.cache.is_recomputed(self.cache.generation())

    def stop(self) -> None:
        self._stop.set()
        self.cache.changed.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            gen = self.cache.generation()
            if gen != self._done_for:
                self._done_for = gen
                if self.cache.claim(gen):  # else another process recomputes, for all
                    gc.unfreeze()
                    done = recompute(self.engine, self.cache, stale=self.cache.changed.is_set)
                    if done is None:  # the data changed meanwhile: again, for the new data
                        self._done_for = object()
                        log.info("precompute stopped: the data changed")
                    else:
                        self.last = done
                        self.cache.recomputed(gen)
                        self.runs += 1
                        log.info("precomputed %s", ", ".join(f"{n} {s:.2f}s" for n, s in done))
                    # the results live until the next change: out of the collector's way
                    # (a full collection over them was half of the slowest requests' time)
                    gc.collect()
                    gc.freeze()
            if self.cache.changed.wait(POLL_SECONDS):
                self.cache.changed.clear()
                time.sleep(QUIET_SECONDS)  # let a burst of writes finish first
