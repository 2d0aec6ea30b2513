"""When the demo's enterprise reports arrived: in the latest period about 85 % by the due
date, about 8 % one to ten days late and the rest missing; earlier periods all on time.
Deterministic by seed (the same seed, the same receipts). A demo built while the latest
period is still being reported is a snapshot as of its build time: a report that would
arrive later has not arrived yet (it is missing), so no receipt lies in the future."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CHINA = dt.timezone(dt.timedelta(hours=8))
ON_TIME_SHARE, LATE_SHARE = 0.85, 0.08


@dataclass(frozen=True)
class Receipts:
    """Receipt time of each report received (by USCC) and the USCCs that never reported."""

    at: dict[str, dt.datetime]
    missing: frozenset[str]


def latest_receipts(
    usccs: Sequence[str], *, seed: int, due: dt.date, now: dt.datetime | None = None
) -> Receipts:
    """The latest period's receipts for ``usccs`` against the enterprises' ``due`` date:
    on time within the ten days up to it (office hours), late one to ten days after it,
    or missing — and, as of ``now`` (when given), missing if it would arrive later."""
    rng = np.random.default_rng([seed, 20261210])
    codes = sorted(usccs)
    u = rng.random(len(codes))
    days = rng.integers(0, 10, len(codes))  # 0–9 days before the due date, or 1–10 after
    minutes = rng.integers(8 * 60, 18 * 60, len(codes))
    at: dict[str, dt.datetime] = {}
    missing = set()
    for code, draw, d, m in zip(codes, u, days, minutes, strict=True):
        if draw < ON_TIME_SHARE:
            day = due - dt.timedelta(days=int(d))
        elif draw < ON_TIME_SHARE + LATE_SHARE:
            day = due + dt.timedelta(days=int(d) + 1)
        else:
            missing.add(code)
            continue
        when = dt.datetime.combine(day, dt.time(int(m) // 60, int(m) % 60), CHINA)
        if now is not None and when > now:
            missing.add(code)  # not arrived yet when the demo was built
            continue
        at[code] = when
    return Receipts(at, frozenset(missing))


def history_receipt(due: dt.date) -> dt.datetime:
    """When an earlier period's reports arrived: two days before the due date, 10:00."""
    return dt.datetime.combine(due - dt.timedelta(days=2), dt.time(10), CHINA)
