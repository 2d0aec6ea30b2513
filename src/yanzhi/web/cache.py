"""A small cache of computed views. A cached value lives ``YANZHI_CACHE_SECONDS`` and is
dropped as soon as the data change: the key carries the data generation (the newest
audit-log id and the newest computed-indicator row, so writes made from the CLI in
another process count too) plus a counter the web app bumps on every write it handles."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Engine

from yanzhi import config
from yanzhi.services.database import data_generation

T = TypeVar("T")


class ViewCache:
    def __init__(self, engine: Engine, *, max_items: int = 512) -> None:
        self.engine = engine
        self.max_items = max_items
        self.local = 0
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._gen: tuple[float, Hashable] = (0.0, None)

    def bump(self) -> None:
        with self._lock:
            self.local += 1
            self._items.clear()
            self._gen = (0.0, None)

    def generation(self) -> Hashable:
        now = time.monotonic()
        checked, gen = self._gen
        if now - checked > 1.0:  # ask the database at most once a second
            gen = (data_generation(self.engine), self.local)
            self._gen = (now, gen)
        return gen

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        ttl = config.settings().cache_seconds
        full = (key, self.generation())
        now = time.monotonic()
        hit = self._items.get(full)
        if hit is not None and now - hit[0] < ttl:
            return hit[1]
        value = compute()
        with self._lock:
            if len(self._items) >= self.max_items:
                self._items.clear()
            self._items[full] = (now, value)
        return value
