"""A small cache of computed views. A cached value lives ``YANZHI_CACHE_SECONDS`` and is
dropped as soon as the data change: the key carries the data generation (the newest
audit-log id and the newest computed-indicator row, so writes made from the CLI in
another process count too) plus a counter the web app bumps on every write it handles.

One computation per key at a time: when several requests want the same missing value
(users arriving together after a restart or an approval), the first computes it and the
others wait for its result instead of computing it again — each of them would otherwise
take as long as all of them together on a small machine. A wait is bounded, so two
computations that need each other's keys cannot lock each other out for good.

With a shared layer (``yanzhi serve --workers N`` and ``YANZHI_REDIS_URL``,
:mod:`yanzhi.web.sharedcache`) this process's copy stays in front; a miss reads Redis
before computing, one process at a time per key across all of them, and the write
counter is the one in Redis, so that a write any process handles is a new generation
for all (each reads it at most once a second).

Two smaller stores sit beside the views, in this process only: per-request lookups
(:meth:`ViewCache.lookup`: a session, an unread count, a scope — at most
``LOOKUP_SECONDS`` old) and whole answers (:meth:`ViewCache.stored_answer`: a page or an
API answer rendered once for everyone who would get the same bytes, see
:mod:`yanzhi.web.render`). Both are kept for the data generation they were made in, and a
write (:meth:`ViewCache.bump`) drops them at once."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy import Engine

from yanzhi import config
from yanzhi.services.database import data_generation
from yanzhi.web.sharedcache import SharedStore

T = TypeVar("T")
WAIT_SECONDS = 60.0  # the longest a request waits for another's computation of its key
SHARED = "shared"  # marks a generation counted in Redis: the same in every process
LOOKUP_SECONDS = 10.0  # the oldest a per-request lookup (session, unread count) is used
_MISS = object()  # what _read gives for no kept value (a kept value may be None)
MAX_LOOKUPS = 20_000  # lookups kept (a few per signed-in user); all dropped when full
MAX_ANSWERS = 300  # whole answers kept (a page per role, scope, language and address)


def is_shared(gen: Hashable) -> bool:
    return isinstance(gen, tuple) and len(gen) == 3 and gen[1] == SHARED


class ViewCache:
    def __init__(
        self, engine: Engine, *, max_items: int = 512, shared: SharedStore | None = None
    ) -> None:
        self.engine = engine
        self.max_items = max_items
        self.shared = shared
        self.local = 0
        self.stats: Counter[str] = Counter()  # hits here, read from Redis, computed here
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}
        self._lookups: dict[Hashable, tuple[Hashable, float, Any]] = {}
        self._answers: dict[Hashable, tuple[Hashable, float, Any]] = {}
        self._gen: tuple[float, Hashable] = (0.0, None)
        self._gen_lock = threading.Lock()  # one thread at a time asks for the generation
        self._seconds = config.settings().cache_seconds  # read again with the generation
        self._recomputed: Hashable = None
        self.changed = threading.Event()  # set on every bump: the precompute thread wakes
        self.writing = 0  # write requests being served (web.precompute.WritesInFlight)

    def bump(self) -> None:
        with self._lock:
            self.local += 1
            self._items.clear()
            self._lookups.clear()
            self._answers.clear()
            self._gen = (0.0, None)
        if self.shared is not None:
            self.shared.bump()
        self.changed.set()

    def generation(self) -> Hashable:
        """The data generation: asked of the database (and Redis) at most once a second,
        by one thread while the others use the one before (or wait, when there is none)."""
        checked, gen = self._gen
        if time.monotonic() - checked <= 1.0:
            return gen
        if gen is not None and not self._gen_lock.acquire(blocking=False):
            return gen  # another thread is asking
        if gen is None:
            self._gen_lock.acquire()
        try:
            checked, gen = self._gen
            now = time.monotonic()
            if now - checked > 1.0:
                self._seconds = config.settings().cache_seconds  # not on every hit: it costs
                data = data_generation(self.engine)
                writes = self.shared.counter() if self.shared is not None else None
                gen = (data, self.local) if writes is None else (data, SHARED, writes)
                self._gen = (now, gen)
            return gen
        finally:
            self._gen_lock.release()

    def _fresh(self, full: Hashable, now: float) -> tuple[bool, Any]:
        hit = self._items.get(full)
        if hit is not None and now - hit[0] < self._seconds:
            return True, hit[1]
        return False, None

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        gen = self.generation()
        full = (key, gen)
        found, value = self._fresh(full, time.monotonic())
        if found:
            self.stats["local"] += 1
            return value
        with self._lock:
            flight = self._flights.setdefault(full, threading.Lock())
        got = flight.acquire(timeout=WAIT_SECONDS)
        try:
            found, value = self._fresh(full, time.monotonic())  # computed while we waited
            if found:
                self.stats["local"] += 1
                return value
            age, value = self._compute(key, gen, compute)
            with self._lock:
                if len(self._items) >= self.max_items:
                    self._items.clear()
                self._items[full] = (time.monotonic() - age, value)
            return value
        finally:
            if got:
                flight.release()
            with self._lock:
                if self._flights.get(full) is flight and not flight.locked():
                    del self._flights[full]

    def peek(self, key: Hashable, missing: Any = None) -> Any:
        """The value under ``key`` when it is at hand for the generation last read, else
        ``missing``; never asks the database (for code on the event loop)."""
        checked, gen = self._gen
        if gen is None or time.monotonic() - checked > 1.0:
            return missing
        found, value = self._fresh((key, gen), time.monotonic())
        return value if found else missing

    def lookup(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A small value of one request's (a session, an unread count, a scope), kept in
        this process for the data generation and at most ``LOOKUP_SECONDS``: a logout, a
        deactivation or a mark-as-read is a write, a new generation, so none outlives it.
        No waiting for another's computation: each is one quick query."""
        gen = self.generation()
        hit = self._read(self._lookups, key, gen, LOOKUP_SECONDS, "lookup")
        if hit is not _MISS:
            return cast(T, hit)
        value = compute()
        self._keep(self._lookups, key, gen, value, MAX_LOOKUPS)
        return value

    def stored_answer(self, key: Hashable) -> Any:
        """The whole answer kept under ``key`` for the data as they are now, or None."""
        hit = self._read(self._answers, key, self.generation(), self._seconds, "answer")
        return None if hit is _MISS else hit

    def keep_answer(self, key: Hashable, gen: Hashable, value: Any) -> None:
        """Keep a whole answer made for generation ``gen`` (read before it was made)."""
        self._keep(self._answers, key, gen, value, MAX_ANSWERS)

    def _read(
        self,
        store: dict[Hashable, tuple[Hashable, float, Any]],
        key: Hashable,
        gen: Hashable,
        seconds: float,
        stat: str,
    ) -> Any:
        """The value kept under ``key`` for generation ``gen``, younger than ``seconds``
        (counted in ``stats[stat]``), or ``_MISS``."""
        hit = store.get(key)
        if hit is None or hit[0] != gen or time.monotonic() - hit[1] >= seconds:
            return _MISS
        self.stats[stat] += 1
        return hit[2]

    def _keep(
        self,
        store: dict[Hashable, tuple[Hashable, float, Any]],
        key: Hashable,
        gen: Hashable,
        value: Any,
        most: int,
    ) -> None:
        """Keep ``value`` unless the data changed while it was made (then it is not kept)."""
        with self._lock:
            if self._gen[1] != gen:
                return
            if len(store) >= most:
                store.clear()
            store[key] = (gen, time.monotonic(), value)

    def _compute(self, key: Hashable, gen: Hashable, compute: Callable[[], T]) -> tuple[float, T]:
        """(age, value): from the shared layer when there is one, else computed here."""
        age: float | None = None
        if self.shared is not None and is_shared(gen):
            age, value = self.shared.get(key, gen, compute, self._seconds)
        else:
            value = compute()
        self.stats["computed" if age is None else "shared"] += 1
        return age or 0.0, value

    # the background recomputation (web/precompute.py): one process does it for all
    def claim(self, gen: Hashable) -> bool:
        """Is this process to recompute the shared results for ``gen``? Always, on its
        own; with a shared layer, only the first process to ask."""
        if self.shared is not None and is_shared(gen):
            return self.shared.claim(gen)
        return True

    def recomputed(self, gen: Hashable) -> None:
        self._recomputed = gen
        if self.shared is not None and is_shared(gen):
            self.shared.mark_done(gen)

    def is_recomputed(self, gen: Hashable) -> bool:
        """Are the shared results computed for ``gen`` (by this process or another)?"""
        if self._recomputed == gen:
            return True
        if self.shared is not None and is_shared(gen) and self.shared.is_done(gen):
            self._recomputed = gen
            return True
        return False

    def status(self) -> dict[str, Any]:
        """For /healthz: this process, its hits and computations, and the shared layer."""
        redis = "off" if self.shared is None else ("unreachable" if self.shared.lost else "on")
        counts = {k: self.stats[k] for k in ("local", "shared", "computed", "answer", "lookup")}
        return {"process": os.getpid(), "redis": redis, **counts}
