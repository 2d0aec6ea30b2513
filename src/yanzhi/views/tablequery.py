"""Long tables worked on the server: one table's rows sorted, filtered and cut into pages by
URL parameters, the same on a page and on its JSON twin.

The parameters carry the table's id, so a page with several tables keeps them apart::

    ?enterprises.sort=name&enterprises.order=desc&enterprises.q=宁波&enterprises.page=2
    &enterprises.size=100&enterprises.district=海曙区

``ID.sort`` a column key, ``ID.order`` ``asc`` (default) or ``desc``, ``ID.q`` text that
some text field of the row contains (case-insensitive), ``ID.page`` from 1, ``ID.size``
rows a page (default 50, at most 500), ``ID.<column>`` rows whose column equals the value
exactly. An API route also takes the bare names (``sort``, ``order``, ``q``, ``page``,
``size``) for its one table. Numbers sort numerically, text by its characters (Unicode
order, case folded: stable, not pinyin); a missing value (none, NaN, empty) sorts last
in either order; equal values keep the rows' own order. A bad value raises
:class:`BadTableQuery` (400, ``bad_table_query``)."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from yanzhi.core.errors import InvalidInput

OPTIONS = ("sort", "order", "q", "page", "size")
DEFAULT_SIZE = 50
MAX_SIZE = 500
MAX_PAGE = 1_000_000
MAX_TEXT = 100


class BadTableQuery(InvalidInput):
    """A table parameter that names no column or is not a number in range."""

    code: ClassVar[str] = "bad_table_query"


@dataclass(frozen=True)
class TableQuery:
    """What to do with one table's rows."""

    table: str
    sort: str | None = None
    desc: bool = False
    q: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    page: int = 1
    size: int = DEFAULT_SIZE

    @property
    def narrowed(self) -> bool:
        """Whether the rows are filtered (text or column)."""
        return bool(self.q or self.filters)


@dataclass(frozen=True)
class Cut:
    """The rows that match, in order (``matched``: what an export holds), and one page."""

    matched: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _int(text: str, name: str, label: str, low: int, high: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise BadTableQuery(
            f"table parameter {name} must be a whole number from {low} to {high} "
            f"(got {text[:20]!r})",
            f"表格参数「{label}」应为 {low} 至 {high} 之间的整数(收到 {text[:20]})",
        )
    return value


def _column(key: str, name: str, keys: Collection[str] | None) -> str:
    if keys is not None and key not in keys:
        raise BadTableQuery(
            f"table parameter {name}: the table has no column {key[:40]!r}",
            f"表格参数「{name[:60]}」: 表格中没有「{key[:40]}」这一列",
        )
    return key


def parse(
    params: Mapping[str, str] | Iterable[tuple[str, str]],
    table: str,
    keys: Collection[str] | None,
    *,
    bare: Collection[str] = (),
) -> TableQuery:
    """The query for ``table`` in ``params`` (a request's query parameters); ``keys`` are
    the columns one may sort or filter by (``None``: any); ``bare`` the option names also
    read without the table's prefix (an API route's own)."""
    items = list(params.items() if isinstance(params, Mapping) else params)
    prefix = f"{table}."
    got: dict[str, str] = {}
    filters: list[tuple[str, str]] = []
    for name, value in items:
        if name.startswith(prefix):
            key = name[len(prefix) :]
            if key in OPTIONS:
                got[key] = value
            elif value != "":
                filters.append((_column(key, name, keys), value[:MAX_TEXT]))
        elif name in bare and name in OPTIONS:
            got.setdefault(name, value)
    sort = got.get("sort") or None
    order = (got.get("order") or "asc").lower()
    if order not in ("asc", "desc"):
        raise BadTableQuery(
            f"table parameter {prefix}order must be asc or desc (got {order[:20]!r})",
            f"表格参数「排序方向」应为 asc(升序)或 desc(降序)(收到 {order[:20]})",
        )
    return TableQuery(
        table=table,
        sort=_column(sort, f"{prefix}sort", keys) if sort else None,
        desc=order == "desc",
        q=got.get("q", "").strip()[:MAX_TEXT],
        filters=tuple(filters),
        page=_int(got.get("page") or "1", f"{prefix}page", "页码", 1, MAX_PAGE),
        size=_int(got.get("size") or str(DEFAULT_SIZE), f"{prefix}size", "每页条数", 1, MAX_SIZE),
    )


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _sort_key(value: Any) -> tuple[int, float, str]:
    if isinstance(value, int | float):  # bool too: False before True
        return (0, float(value), "")
    return (1, 0.0, str(value).casefold())


def cell_text(value: Any) -> str:
    """A value as a column filter compares it: text as it is, whole numbers without
    decimals, yes / no as true / false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _matches(row: Mapping[str, Any], q: TableQuery) -> bool:
    for key, wanted in q.filters:
        if cell_text(row.get(key)) != wanted:
            return False
    if q.q:
        text = q.q.casefold()
        return any(isinstance(v, str) and text in v.casefold() for v in row.values())
    return True


def apply(rows: Sequence[dict[str, Any]], q: TableQuery) -> Cut:
    """Filter, sort and cut ``rows`` as ``q`` says."""
    matched = [r for r in rows if _matches(r, q)] if q.narrowed else list(rows)
    if q.sort:
        key = q.sort
        present = [r for r in matched if not _missing(r.get(key))]
        absent = [r for r in matched if _missing(r.get(key))]
        present.sort(key=lambda r: _sort_key(r.get(key)), reverse=q.desc)
        matched = present + absent
    start = (q.page - 1) * q.size
    return Cut(matched, matched[start : start + q.size], len(matched), q.page, q.size)


def row_keys(rows: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every key of the rows: the columns an API route's rows may be sorted or filtered by."""
    keys: set[str] = set()
    for r in rows:
        keys.update(r)
    return keys
