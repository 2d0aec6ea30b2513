"""Which year a page about annual things shows (the evaluation, the registers): the
``?year=`` of the pages and their JSON twins, checked against the years that have data.
The 1–N月 periods are chosen in views/unitytd.py (``chosen_period``); both refuse with
``PeriodNotAvailable`` (400, code ``period_not_available``) naming the valid range."""

from __future__ import annotations

from yanzhi.core.periods import PeriodNotAvailable


def chosen_year(value: str | int | None, years: list[int], *, what_zh: str = "年份") -> int | None:
    """``value`` as a year when it is one of ``years``, the newest of ``years`` when it is
    empty (None when there are none); anything else — text, a year without data, a future
    year — is refused with the range ``min(years)``–``max(years)`` in the message."""
    text = "" if value is None else str(value).strip()
    if not text:
        return max(years) if years else None
    text = text.removesuffix("年")  # 2024 or 2024年
    if text.isdigit() and len(text) == 4 and int(text) in years:
        return int(text)
    shown = str(value)[:20]
    if not years:
        raise PeriodNotAvailable(
            f"year {shown!r}: there are no years with data yet", f"尚无可选的{what_zh}"
        )
    lo, hi = min(years), max(years)
    raise PeriodNotAvailable(
        f"year {shown!r} has no data; choose a year from {lo} to {hi}",
        f"{what_zh}「{shown}」没有数据, 请在{lo}年至{hi}年之间选择",
    )
