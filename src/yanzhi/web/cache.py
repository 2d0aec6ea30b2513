"""A small cache of computed views. A cached value lives ``YANZHI_CACHE_SECONDS`` and is
dropped as soon as the data change: the key carries the data generation (the newest
audit-log id and the newest computed-indicator row, so writes made from the CLI in
another process count too) plus a counter the web app bumps on every write it handles.

One computation per key at a time: when several requests want the same missing value
(users arriving together after a restart or an approval), the first computes it and the
others wait for its result instead of computing it again — each of them would otherwise
take as long as all of them together on a small machine. A wait is bounded, so two
computations that need each other's keys cannot lock each other out for good."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Engine

from yanzhi import config
from yanzhi.services.database import data_generation

T = TypeVar("T")
WAIT_SECONDS = 60.0  # the longest a request waits for another's computation of its key


class ViewCache:
    def __init__(self, engine: Engine, *, max_items: int = 512) -> None:
        self.engine = engine
        self.max_items = max_items
        self.local = 0
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}
        self._gen: tuple[float, Hashable] = (0.0, None)
        self.changed = threading.Event()  # set on every bump: the precompute thread wakes

    def bump(self) -> None:
        with self._lock:
            self.local += 1
            self._items.clear()
            self._gen = (0.0, None)
        self.changed.set()

    def generation(self) -> Hashable:
        now = time.monotonic()
        checked, gen = self._gen
        if now - checked > 1.0:  # ask the database at most once a second
            gen = (data_generation(self.engine), self.local)
            self._gen = (now, gen)
        return gen

    def _fresh(self, full: Hashable, now: float) -> tuple[bool, Any]:
        hit = self._items.get(full)
        if hit is not None and now - hit[0] < config.settings().cache_seconds:
            return True, hit[1]
        return False, None

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        full = (key, self.generation())
        found, value = self._fresh(full, time.monotonic())
        if found:
            return value
        with self._lock:
            flight = self._flights.setdefault(full, threading.Lock())
        got = flight.acquire(timeout=WAIT_SECONDS)
        try:
            found, value = self._fresh(full, time.monotonic())  # computed while we waited
            if found:
                return value
            value = compute()
            with self._lock:
                if len(self._items) >= self.max_items:
                    self._items.clear()
                self._items[full] = (time.monotonic(), value)
            return value
        finally:
            if got:
                flight.release()
            with self._lock:
                if self._flights.get(full) is flight and not flight.locked():
                    del self._flights[full]
