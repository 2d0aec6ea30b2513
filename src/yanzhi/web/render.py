"""Rendering pages: Jinja2 templates with the language, the user, the CSRF token and the
synthetic-data banner filled in; and tables that export to Excel. A page hands its tables
to ``page()`` as :class:`Table`; ``?export=ID`` on the same address returns that table as
an .xlsx (the same rows the page shows, so the export obeys the same scope)."""

from __future__ import annotations

import functools
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from yanzhi.core.dataformats import SIZE_LABELS
from yanzhi.core.labels import STAGE_ZH, unit_digits
from yanzhi.core.orgtree import KIND_LABELS, Kind
from yanzhi.core.periods import PERIOD_TEXT, label_zh
from yanzhi.core.zhtext import date_zh
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import can
from yanzhi.views import tablequery
from yanzhi.views.common import plan_of
from yanzhi.views.notifications import unread_count
from yanzhi.web import i18n, xlsx
from yanzhi.web.deps import authenticate, cache, kept_answer, lang, tree
from yanzhi.web.download import attachment
from yanzhi.web.errors import ApiError
from yanzhi.web.sourcetext import source_html

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.auto_reload = False  # templates change with a release, not while serving
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fmt(value: Any, digits: int = 2) -> str:
    if isinstance(value, str) and PERIOD_TEXT.fullmatch(value):
        return label_zh(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, float):
        if value != value:  # NaN
            return "—"
        text = f"{value:,.{digits}f}"
        return text[1:] if text.startswith("-") and not text.strip("-0.,") else text  # not -0.00
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):  # names, e.g. the indicators not computed
        return "、".join(_fmt(v, digits) for v in value) or "—"
    return str(value)


def text_key(key: str) -> bool:
    """A column whose numbers are labels, not quantities: years and codes are printed as
    they are ("2022", never "2,022")."""
    k = key.lower()
    return k in ("year", "code", "uscc", "ucode", "period", "rank_year") or k.endswith(
        ("_year", "_code", "year", "code")
    )


def _cell_text(value: Any, key: str, digits: int = 2) -> str:
    if key == "size_class" and isinstance(value, str):
        return SIZE_LABELS.get(value, value)
    if key == "stage" and isinstance(value, str):
        return STAGE_ZH.get(value, value)
    if key == "reason" and isinstance(value, str) and " / " in value:  # "R&D fell / 研发费用下降"
        return value.split(" / ", 1)[1]
    if text_key(key) and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return _fmt(value, digits)


@pass_context
def _fmt_page(ctx: Context, value: Any, digits: int = 2) -> str:
    """``fmt`` in the page's language: a period code is its Chinese label on a Chinese page
    (2026-01..10 → 2026年1-10月), the code itself on an English one."""
    if ctx.get("lang") == "en" and isinstance(value, str):
        return value
    return _fmt(value, digits)


FIGURE_KEYS = frozenset({"value", "target", "ytd_value", "baseline", "base_value", "raw"})
"""Table columns holding a figure in the row's own unit of measure (its ``unit``)."""


@pass_context
def _cell_page(ctx: Context, value: Any, key: str, digits: int = 2, unit: str | None = None) -> str:
    if ctx.get("lang") == "en" and isinstance(value, str):
        return value
    if unit and isinstance(value, int | float) and not isinstance(value, bool):
        return in_unit(value, unit)
    return _cell_text(value, key, digits)


def kind_zh(kind: str) -> str:
    """A kind of unit (街道, 镇, 乡, 开发区等 …) by its Chinese name; other text as it is."""
    try:
        return KIND_LABELS[Kind(kind)][0]
    except ValueError:
        return kind


def in_unit(value: Any, unit: str | None) -> str:
    """A figure with the decimals its unit calls for (counts of enterprises, patents,
    persons: none; counts per 10,000 people: one, none when whole — a target of 200
    人年/万人 is "200"; money and percentages: two)."""
    digits = unit_digits(unit)
    whole = isinstance(value, int | float) and float(round(value, digits)).is_integer()
    if digits == 1 and whole:
        digits = 0
    if digits == 0 and isinstance(value, float) and value == value:
        return f"{round(value):,}"
    return _fmt(value, digits)


TEMPLATES.env.filters["fmt"] = _fmt_page
TEMPLATES.env.filters["cell"] = _cell_page
TEMPLATES.env.filters["in_unit"] = in_unit
TEMPLATES.env.filters["source"] = pass_context(
    lambda ctx, text: source_html(text, ctx.get("lang") or "zh")
)
TEMPLATES.env.filters["period_zh"] = label_zh
TEMPLATES.env.filters["date_zh"] = pass_context(  # 2026年2月10日; the ISO date in English
    lambda ctx, day: day if ctx.get("lang") == "en" else date_zh(day)
)
TEMPLATES.env.filters["kind_zh"] = kind_zh
TEMPLATES.env.tests["text_key"] = text_key
TEMPLATES.env.globals["FIGURE_KEYS"] = FIGURE_KEYS


def _json_for_script(value: Any) -> str:
    """JSON safe inside <script>: text typed by users (a narrative holding "</script>")
    cannot close the element, as with Jinja's own ``tojson``."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


TEMPLATES.env.filters["tojson_cn"] = _json_for_script


@dataclass
class Table:
    """Columns as (key, zh, en) and rows as dicts."""

    id: str
    columns: list[tuple[str, str, str]]
    rows: list[dict[str, Any]]
    title: str = ""
    links: dict[str, str] = field(default_factory=dict)  # column key -> url pattern "{code}"
    source: str | None = None  # the Excel download's 说明: where the data come from
    cutoff: str | None = None  # … the data's cut-off (数据截至)
    coverage: str | None = None  # … how complete the data are
    verbatim: frozenset[str] = frozenset()  # columns of names users typed (translate="no")
    query: bool = True  # sorted, filtered and paged by ?ID.… (False: the page pages it itself)
    sort_by: dict[str, str] = field(default_factory=dict)  # column -> the key its header sorts by
    pager: Pager | None = None  # set by page(): the query applied and its links

    @property
    def total(self) -> int:
        """The rows that match the table's filter, over all its pages."""
        return self.pager.cut.total if self.pager else len(self.rows)

    def headers(self, lg: str) -> list[str]:
        return [en if lg == "en" else zh for _, zh, en in self.columns]


LONG = 20
"""A table with more rows than this (before filtering) shows its sort links, filter box
and pager; a shorter one is still sorted and filtered by its URL parameters."""


@dataclass(frozen=True)
class Pager:
    """One table's query on a page, its counts and the links that change it (each keeps
    the page's other parameters)."""

    query: tablequery.TableQuery
    cut: tablequery.Cut
    count: int  # rows before filtering
    params: tuple[tuple[str, str], ...]  # the page's query string, without ?export

    @property
    def long(self) -> bool:
        return self.count > LONG or self.query.narrowed or self.query.page > 1

    def _url(self, **changes: str | int | None) -> str:
        prefix = self.query.table + "."
        names = {prefix + k for k in changes}
        kept = [(k, v) for k, v in self.params if k not in names]
        added = [(prefix + k, str(v)) for k, v in changes.items() if v not in (None, "")]
        return "?" + urlencode(kept + added) + f"#table-{self.query.table}"

    def sort_url(self, key: str) -> str:
        """Sort by ``key`` ascending; the active ascending sort turns descending."""
        desc = self.query.sort == key and not self.query.desc
        return self._url(sort=key, order="desc" if desc else None, page=None)

    def page_url(self, number: int) -> str:
        return self._url(page=number if number > 1 else None)

    def clear_url(self) -> str:
        """The table unfiltered (its sort kept)."""
        prefix = self.query.table + "."
        kept = [
            (k, v)
            for k, v in self.params
            if not k.startswith(prefix) or k in {prefix + "sort", prefix + "order", prefix + "size"}
        ]
        return "?" + urlencode(kept) + f"#table-{self.query.table}"

    def hidden(self) -> list[tuple[str, str]]:
        """The page's other parameters, for the filter form (its text and page are new)."""
        prefix = self.query.table + "."
        return [(k, v) for k, v in self.params if k not in (prefix + "q", prefix + "page")]

    def arrow(self, key: str) -> str:
        if self.query.sort != key:
            return ""
        return "▼" if self.query.desc else "▲"


def query_table(request: Request, tb: Table) -> Table:
    """The table with its ``?ID.…`` query applied: ``rows`` the page's rows, ``pager``
    the rest; 400 (``BadTableQuery``) for a bad parameter."""
    if not tb.query:
        return tb
    keys = {k for k, _, _ in tb.columns} | tablequery.row_keys(tb.rows)
    q = tablequery.parse(request.query_params.multi_items(), tb.id, keys)
    cut = tablequery.apply(tb.rows, q)
    params = tuple((k, v) for k, v in request.query_params.multi_items() if k != "export")
    return replace(tb, rows=cut.rows, pager=Pager(q, cut, len(tb.rows), params))


def xlsx_response(table: Table, lg: str, filename: str, *, synthetic: bool = False) -> Response:
    """The table as an .xlsx (see :mod:`yanzhi.web.xlsx`): a 说明 sheet (source, cut-off,
    coverage, the 演示 label on demo data), then the rows the page shows on a sheet with a
    Chinese name, frozen header and number formats; the file is named in Chinese."""
    stem, data = xlsx.workbook(
        table.columns,
        table.rows,
        slug=table.title or table.id or filename,
        lang=lg,
        synthetic=synthetic,
        source=table.source,
        cutoff=table.cutoff,
        coverage=table.coverage,
    )
    return Response(data, media_type=XLSX, headers=attachment(f"{stem}.xlsx"))


def _unit_name(request: Request, code: str | None) -> str | None:
    """The name of the signed-in user's unit (the top bar names it, not its code)."""
    if not code:
        return None
    t = tree(request)
    if code in t:
        return t.get(code).name
    plan = plan_of(request.app.state.engine)  # a task owner's unit is a department
    return next((d.name for d in plan.departments if d.code == code), code)


def _unread(request: Request, me: Principal) -> int:
    """The top bar's unread count, kept a few seconds (a mark-as-read is a write)."""
    eng = request.app.state.engine
    return int(cache(request).lookup(("unread", me.name), lambda: unread_count(eng, me)))


def context(request: Request, *, anonymous: bool = False, **extra: Any) -> dict[str, Any]:
    lg = lang(request)
    auth = None if anonymous else authenticate(request)
    marked = auth is not None and _marking(request)  # a kept page: the user's own parts marked
    unread = _unread(request, auth.principal) if auth and not marked else 0
    ctx: dict[str, Any] = {
        "request": request,
        "lang": lg,
        "t": lambda key: i18n.t(key, lg),
        "both": lambda zh, en: i18n.both(zh, en, lg),
        "user": auth.principal if auth else None,
        "may": lambda action: auth is not None and can(auth.principal, action),
        "unread": unread,
        "bell": Markup(BELL_MARK) if marked else bell(unread),
        "unit_name": _unit_name(request, auth.principal.unit if auth else None),
        "csrf": auth.csrf if auth else "",
        "synthetic": getattr(request.app.state, "synthetic", True),
        "path": request.url.path,
    }
    if marked and auth is not None:
        ctx.update(user=replace(auth.principal, name=NAME_MARK), csrf=CSRF_MARK)
    ctx.update(extra)
    return ctx


def page(
    request: Request,
    template: str,
    *,
    tables: list[Table] | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    """The page, or with ``?export=ID`` the table ID as Excel: all its rows that match the
    table's filter, in its sort order (not only one page). Each table is sorted, filtered
    and paged by its ``?ID.…`` parameters (:mod:`yanzhi.views.tablequery`)."""
    tables = [query_table(request, tb) for tb in tables or []]
    wanted = request.query_params.get("export")
    if wanted:
        for tb in tables:
            if tb.id == wanted:
                synthetic = bool(getattr(request.app.state, "synthetic", False))
                whole = replace(tb, rows=tb.pager.cut.matched) if tb.pager else tb
                return xlsx_response(whole, lang(request), tb.id, synthetic=synthetic)
    ctx = context(request, tables={tb.id: tb for tb in tables}, **extra)
    return TEMPLATES.TemplateResponse(request, template, ctx, status_code=status)


def error_page(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    """The error as a page; shown without the account when the request's credentials are
    themselves refused (a machine token, a revoked token) instead of failing again."""
    try:
        ctx = context(request, status=status, code=code, message=message, tables={})
    except ApiError:
        ctx = context(request, anonymous=True, status=status, code=code, message=message, tables={})
    return TEMPLATES.TemplateResponse(request, "error.html", ctx, status_code=status)


# Whole pages kept. A page whose bytes depend only on the data, the user's role and scope,
# the language and the address is rendered once per data generation for everyone who would
# get it; the user's own parts — the name in the top bar, the CSRF token in the forms, the
# unread badge — are rendered as markers and filled in for each request.
_TAG = secrets.token_hex(8)
NAME_MARK, CSRF_MARK, BELL_MARK = (f"yz{part}{_TAG}" for part in ("name", "csrf", "bell"))
_MARKING = threading.local()


def _marking(request: Request) -> bool:
    return getattr(_MARKING, "request", None) is request


def bell(unread: int) -> Markup:
    """The top bar's unread badge (nothing when all is read)."""
    if not unread:
        return Markup("")
    return Markup(' <span class="badge" id="unread-count">{}</span>').format(unread)


def _filled(request: Request, body: bytes, status: int) -> HTMLResponse:
    """A kept page with this request's user in it."""
    auth = authenticate(request)
    me = auth.principal if auth else None
    name = str(escape(me.name)) if me else ""
    csrf = str(escape(auth.csrf or "")) if auth else ""
    badge = str(bell(_unread(request, me))) if me else ""
    text = body.replace(NAME_MARK.encode(), name.encode())
    text = text.replace(CSRF_MARK.encode(), csrf.encode())
    text = text.replace(BELL_MARK.encode(), badge.encode())
    return HTMLResponse(text, status_code=status)


def shared_page(kind: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Keep a page route's answer (:func:`yanzhi.web.deps.answer_key`): the route runs (its
    checks too) the first time for each role, scope, language and address in a data
    generation; later requests get its page with their own name, token and badge. Only a
    200 HTML page without cookies is kept; an export, a redirect or an error is not."""

    def wrap(route: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(route)
        def answer(*args: Any, **kwargs: Any) -> Response:
            request: Request = kwargs["request"]
            kept = kept_answer(request, kind)
            if kept.value is not None:
                return _filled(request, *kept.value)
            _MARKING.request = request
            try:
                response = route(*args, **kwargs)
            finally:
                _MARKING.request = None
            if not isinstance(response, HTMLResponse) or not isinstance(response.body, bytes):
                return response
            body = bytes(response.body)
            if response.status_code == 200 and "set-cookie" not in response.headers:
                kept.keep((body, 200))
            return _filled(request, body, response.status_code)

        return answer

    return wrap
