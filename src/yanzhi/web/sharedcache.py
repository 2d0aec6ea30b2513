"""The layer of the view cache that the server processes of ``yanzhi serve --workers N``
share, in Redis (``YANZHI_REDIS_URL``): a view computed by one process is read, not
computed again, by the others.

- A value is pickled under a key that carries the data generation
  (:meth:`~yanzhi.web.cache.ViewCache.generation`), so a write makes the old keys
  unreachable; each also expires after ``YANZHI_CACHE_SECONDS``. Each process keeps its
  own copy in front (``ViewCache``), so a hit costs no round trip to Redis.
- One computation per key across processes: a Redis lock per key (``SET NX PX``, released
  only by its holder); the others wait for it, at most ``WAIT_SECONDS``, then read it.
- The counter that every write through the app bumps is kept in Redis, so a write one
  process handles changes the generation of all of them (each reads it, with the
  database's fingerprint, at most once a second).
- One process recomputes the shared results after start-up or a data change
  (:meth:`claim`); the others read what it stored (:meth:`is_done`).

Redis is a cache, never the record: when it does not answer, each call falls back (a miss,
no lock, the process's own counter), the process says so once, and Redis is tried again
``RETRY_SECONDS`` later; a page never fails for it. Anyone who can write to this Redis can
run code in the server (the values are pickles): keep it on the loopback or behind a
password."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.exceptions import LockError, RedisError
from redis.lock import Lock
from redis.retry import Retry
from sqlalchemy import Engine

from yanzhi import config

log = logging.getLogger(__name__)
T = TypeVar("T")
WAIT_SECONDS = 60.0  # the longest a process waits for another's computation of a key
RETRY_SECONDS = 5.0  # after Redis failed to answer, the next try
TIMEOUT_SECONDS = 1.0  # to connect to Redis, and for one answer
POLL_SECONDS = 0.02  # how often a waiting process tries a key's lock
MARK_SECONDS = 3600  # how long "who recomputes this generation" is remembered


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=f"{parts.username or ''}:***@{host}").geturl()


def namespace(engine: Engine) -> str:
    """The processes on one database share keys; other databases on the same Redis don't."""
    url = engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _digest(value: Hashable) -> str:
    # cache keys are tuples of strings, numbers and None, whose repr is the same in every
    # process (a set's would not be: a process that builds a different repr only misses)
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


class SharedStore:
    """Redis as the view cache's shared layer, every key under ``yanzhi:<namespace>:``."""

    def __init__(self, url: str, space: str) -> None:
        self.url = redacted(url)
        self.prefix = f"yanzhi:{space}:"
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 1),  # once, at once: a pooled connection Redis dropped
        )
        self._retry_at = 0.0
        self._lost = False

    @property
    def up(self) -> bool:
        """Not waiting to try again after a failure (Redis may still fail the next call)."""
        return time.monotonic() >= self._retry_at

    @property
    def lost(self) -> bool:
        """Did the last call to Redis fail?"""
        return self._lost

    def ping(self) -> str | None:
        """None when Redis answers, else why not."""
        try:
            self.client.ping()
        except RedisError as exc:
            self._lost = True
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return str(exc) or type(exc).__name__
        return None

    def _fail(self, exc: Exception) -> None:
        if not self._lost:
            log.warning(
                "Redis 无法连接, 本进程改用自己的缓存 / Redis at %s stopped answering (%s): this "
                "process caches on its own until it answers",
                self.url,
                exc,
            )
        self._lost = True
        self._retry_at = time.monotonic() + RETRY_SECONDS

    def counter(self) -> int | None:
        """The count of writes every process shares, or None while Redis does not answer."""
        if not self.up:
            return None
        key = self.prefix + "writes"
        try:
            if self._lost:  # writes made meanwhile bumped only their own process's counter
                self.client.incr(key)
            value = self.client.get(key)
        except RedisError as exc:
            self._fail(exc)
            return None
        if self._lost:
            self._lost = False
            log.warning("Redis 已恢复 / Redis at %s answers: the processes share again", self.url)
        return int(value or 0)

    def bump(self) -> None:
        if self.up:
            try:
                self.client.incr(self.prefix + "writes")
            except RedisError as exc:
                self._fail(exc)

    def get(
        self, key: Hashable, gen: Hashable, compute: Callable[[], T], seconds: float
    ) -> tuple[float | None, T]:
        """``(age, value)`` read from Redis (its age in seconds), else ``(None, value)``
        computed here — by one process at a time — and stored for ``seconds``."""
        if not self.up:
            return None, compute()
        head = key[0] if isinstance(key, tuple) and key and isinstance(key[0], str) else ""
        name = f"{self.prefix}v:{head}:{_digest((key, gen))}"
        found = self._load(name)
        if found is not None:
            return found
        lock = self.client.lock(f"{name}:lock", timeout=WAIT_SECONDS, sleep=POLL_SECONDS)
        held = self._acquire(lock, wait=False)
        try:
            if not held:  # another process computes it: wait for it (bounded), then read it
                held = self._acquire(lock, wait=True)
                found = self._load(name)
                if found is not None:
                    return found
            value = compute()
            self._store(name, value, seconds)
            return None, value
        finally:
            if held:
                self._release(lock)

    def _acquire(self, lock: Lock, *, wait: bool) -> bool:
        if not self.up:
            return False
        try:
            return bool(lock.acquire(blocking=wait, blocking_timeout=WAIT_SECONDS))
        except RedisError as exc:
            self._fail(exc)
            return False

    def _release(self, lock: Lock) -> None:
        try:
            lock.release()
        except LockError:  # held longer than WAIT_SECONDS: it expired, maybe taken since
            pass
        except RedisError as exc:
            self._fail(exc)

    def _load(self, name: str) -> tuple[float, Any] | None:
        if not self.up:
            return None
        try:
            raw = self.client.get(name)
        except RedisError as exc:
            self._fail(exc)
            return None
        if not isinstance(raw, bytes):  # None: not there
            return None
        try:
            stored_at, value = pickle.loads(raw)  # our own values (see the module)
        except Exception:  # written by another version of the app: computed again
            return None
        return max(0.0, time.time() - stored_at), value

    def _store(self, name: str, value: Any, seconds: float) -> None:
        ms = int(seconds * 1000)
        if ms <= 0 or not self.up:
            return
        try:
            raw = pickle.dumps((time.time(), value), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # a value that cannot be pickled stays in its process
            log.debug("not shared: %s (%s)", name, exc)
            return
        try:
            self.client.set(name, raw, px=ms)
        except RedisError as exc:
            self._fail(exc)

    def claim(self, gen: Hashable) -> bool:
        """Is this process the one to recompute the shared results for ``gen``? The first
        to ask is; the others read its results. Any process is while Redis is away."""
        if not self.up:
            return True
        key = f"{self.prefix}recompute:{_digest(gen)}"
        try:
            return bool(self.client.set(key, os.getpid(), nx=True, ex=MARK_SECONDS))
        except RedisError as exc:
            self._fail(exc)
            return True

    def mark_done(self, gen: Hashable) -> None:
        if self.up:
            try:
                self.client.set(f"{self.prefix}done:{_digest(gen)}", 1, ex=MARK_SECONDS)
            except RedisError as exc:
                self._fail(exc)

    def is_done(self, gen: Hashable) -> bool:
        """Has a process recomputed the shared results for ``gen``?"""
        if not self.up:
            return False
        try:
            return bool(self.client.exists(f"{self.prefix}done:{_digest(gen)}"))
        except RedisError as exc:
            self._fail(exc)
            return False

    def clear(self) -> int:
        """Delete every key of this namespace; how many there were."""
        keys = list(self.client.scan_iter(match=self.prefix + "*", count=500))
        for i in range(0, len(keys), 500):
            self.client.delete(*keys[i : i + 500])
        return len(keys)


def from_settings(engine: Engine) -> SharedStore | None:
    """The shared layer for ``engine`` when ``YANZHI_REDIS_URL`` is set. A Redis that
    does not answer is said at once (Chinese and English) and tried again later: the
    process caches on its own meanwhile."""
    url = config.settings().redis_url
    if not url:
        return None
    store = SharedStore(url, namespace(engine))
    why = store.ping()
    if why is not None:
        log.warning(
            "YANZHI_REDIS_URL=%s 无法连接 (%s): 本进程先用自己的缓存, Redis 恢复后自动共享 / "
            "Redis at %s is not answering (%s): this process caches on its own and shares "
            "once Redis answers",
            store.url,
            why,
            store.url,
            why,
        )
    return store
