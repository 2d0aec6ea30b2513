"""The approved enterprise reports of one period with each enterprise's attributes in
force, read once per data version: the comparable-basis growth of a page, the bulletin
and the district report ask for the same periods several times in one request and across
requests, and reading them is most of the time those take. A frame is kept under the
database's URL, its data generation (:func:`yanzhi.services.database.generation_of`,
which changes on every write) and the period, so a write is never served stale data."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable

import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from yanzhi.services.database import generation_of
from yanzhi.storage.facts import attribute_versions, report_frame, with_attributes

MAX_FRAMES = 24
_frames: OrderedDict[Hashable, pd.DataFrame] = OrderedDict()
_lock = threading.Lock()


def approved_reports(session: Session, periods: Iterable[str]) -> pd.DataFrame:
    """The approved reports of ``periods`` (period labels), with attributes, in one frame
    (a copy: callers may change it)."""
    bind = session.get_bind()
    url = str(bind.engine.url if isinstance(bind, Connection) else bind.url)
    generation = generation_of(session)
    parts = []
    versions: pd.DataFrame | None = None
    for label in sorted(set(periods)):
        key = (url, generation, label)
        with _lock:
            frame = _frames.get(key)
            if frame is not None:
                _frames.move_to_end(key)
        if frame is None:
            if versions is None:
                versions = _versions(session, (url, generation, None))
            frame = with_attributes(
                report_frame(session, approved_only=True, periods=[label]), versions
            )
            with _lock:
                _frames[key] = frame
                while len(_frames) > MAX_FRAMES:
                    _frames.popitem(last=False)
        parts.append(frame)
    non_empty = [p for p in parts if not p.empty]
    if not non_empty:
        return parts[0].copy() if parts else pd.DataFrame()
    return pd.concat(non_empty, ignore_index=True)


def _versions(session: Session, key: Hashable) -> pd.DataFrame:
    """The enterprises' attribute versions, read once per data version (kept with the
    frames: every period read after a new one of the same generation uses them)."""
    with _lock:
        versions = _frames.get(key)
    if versions is None:
        versions = attribute_versions(session)
        with _lock:
            _frames[key] = versions
    return versions
