"""Results kept in this process for as long as the data are unchanged: a scope-free
intermediate (the comparable basis of every unit, the coverage index of every township)
that several pages and statuses need is computed once per database and data generation
(``database.generation_of``: any approval, import or recomputation changes it), not once
per page. A few results are kept per process, newest last."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy.orm import Session

from yanzhi.services.database import generation_of

T = TypeVar("T")
KEPT = 16  # results kept per process (a page needs one or two of each)
_RESULTS: OrderedDict[Hashable, object] = OrderedDict()
_LOCK = threading.Lock()


def kept(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or the result kept for ``key`` in this database at this data
    generation. The generation is read before computing: a write landing meanwhile
    keeps the result under the old generation, never serves it for the new one."""
    full = (str(session.get_bind().engine.url), generation_of(session), key)
    with _LOCK:
        if full in _RESULTS:
            _RESULTS.move_to_end(full)
            return _RESULTS[full]  # type: ignore[return-value]
    found = compute()
    with _LOCK:
        _RESULTS[full] = found
        while len(_RESULTS) > KEPT:
            _RESULTS.popitem(last=False)
    return found
