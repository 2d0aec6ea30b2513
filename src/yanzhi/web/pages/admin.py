"""Pages: administration (admins only) — accounts (/admin), API tokens (/admin/tokens),
the reporting calendar (/admin/calendar) and the audit log (/admin/audit, filtered,
paginated, exportable to Excel)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from yanzhi.core.errors import YanzhiError
from yanzhi.core.reportcalendar import LEVEL_ZH, CalendarError, parse_date
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import Scope
from yanzhi.services.access.users import NewToken, TokenPublic, UserPublic
from yanzhi.views import admin as svc
from yanzhi.views import calendar as calendar_view
from yanzhi.views.admin import USERNAME
from yanzhi.views.tasks import unit_names
from yanzhi.web import audittext, i18n
from yanzhi.web.deps import engine, lang
from yanzhi.web.deps import scope as scope_of
from yanzhi.web.render import Table, page


def admin_only(scope: Scope = Depends(scope_of)) -> Principal:
    """Refuse non-admins (403) before any form is read; the admin acting."""
    scope.require("admin")
    return scope.principal


router = APIRouter(prefix="/admin", dependencies=[Depends(admin_only)])
Username = Path(pattern=USERNAME, max_length=64)
AUDIT_SIZES = (50, 100, 200, 500)


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _local(stamp: str | None) -> str | None:
    """An ISO timestamp as Beijing time to the minute, for tables."""
    if not stamp:
        return None
    return dt.datetime.fromisoformat(stamp).astimezone(svc.LOCAL).strftime("%Y-%m-%d %H:%M")


def _unit(code: str | None, names: dict[str, str], lg: str) -> str | None:
    """A unit or department by its name (its code too on an English page)."""
    if not code or code not in names:
        return code
    return f"{names[code]} ({code})" if lg == "en" else names[code]


def _users_table(request: Request, users: list[UserPublic]) -> Table:
    lg = lang(request)
    names = unit_names(engine(request))
    shown = [
        {
            **u.model_dump(),
            "unit": _unit(u.unit, names, lg),
            "role_name": i18n.t(f"role_{u.role}", lg),
            "created": _local(u.created_at),
        }
        for u in users
    ]
    return Table(
        "users",
        [
            ("username", "用户名", "User name"),
            ("display_name", "姓名/名称", "Display name"),
            ("role_name", "角色", "Role"),
            ("unit", "单位/部门", "Unit / department"),
            ("enterprise", "企业信用代码", "Enterprise USCC"),
            ("active", "启用", "Active"),
            ("created", "创建时间", "Created"),
        ],
        shown,
        title="users",
        links={"username": "/admin/users/{username}"},
        verbatim=frozenset({"username"}),
    )


def _tokens_table(tokens: list[TokenPublic]) -> Table:
    shown = [
        {**t.model_dump(), "created": _local(t.created_at), "last_used": _local(t.last_used_at)}
        for t in tokens
    ]
    return Table(
        "tokens",
        [
            ("id", "编号", "ID"),
            ("username", "用户名", "User name"),
            ("name", "令牌名称", "Name"),
            ("prefix", "前缀", "Prefix"),
            ("created", "创建时间", "Created"),
            ("last_used", "最近使用", "Last used"),
            ("revoked", "已撤销", "Revoked"),
        ],
        shown,
        title="tokens",
        verbatim=frozenset({"username"}),
    )


@router.get("")
def users_page(request: Request, me: Principal = Depends(admin_only)) -> Response:
    """Accounts and the form for a new one."""
    eng = engine(request)
    rows = svc.list_users(eng, me)
    return page(
        request,
        "admin.html",
        tables=[_users_table(request, rows)],
        choices=svc.scope_choices(eng, me),
        alerts=svc.login_alerts(eng, me),
        tab="users",
    )


def _opt(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


@router.post("/users")
def create_user(
    request: Request,
    username: str = Form(..., max_length=64),
    password: str = Form(..., max_length=200),
    role: str = Form(..., max_length=32),
    display_name: str = Form("", max_length=100),
    unit: str = Form("", max_length=32),
    enterprise: str = Form("", max_length=18),
    me: Principal = Depends(admin_only),
) -> Response:
    made = svc.create_user(
        engine(request),
        me,
        username=username.strip(),
        password=password,
        role=role,
        display_name=_opt(display_name),
        unit=_opt(unit),
        enterprise=_opt(enterprise),
    )
    return _see(f"/admin/users/{quote(made.username)}?saved=created")


def _user_page(
    request: Request, me: Principal, username: str, *, new_token: NewToken | None = None
) -> Response:
    eng = engine(request)
    user = svc.get_user(eng, me, username)
    return page(
        request,
        "admin_user.html",
        tables=[_tokens_table(user.tokens)],
        account=user,
        choices=svc.scope_choices(eng, me),
        saved=request.query_params.get("saved"),
        new_token=new_token,
        tab="users",
    )


@router.get("/users/{username}")
def user_page(
    request: Request, username: str = Username, me: Principal = Depends(admin_only)
) -> Response:
    """One account: edit role, scope, name and active flag; reset the password; tokens."""
    return _user_page(request, me, username)


@router.post("/users/{username}")
def update_user(
    request: Request,
    username: str = Username,
    role: str = Form(..., max_length=32),
    display_name: str = Form("", max_length=100),
    unit: str = Form("", max_length=32),
    enterprise: str = Form("", max_length=18),
    active: str | None = Form(None, max_length=8),
    me: Principal = Depends(admin_only),
) -> Response:
    svc.update_user(
        engine(request),
        me,
        username,
        role=role,
        display_name=_opt(display_name),
        unit=unit.strip(),
        enterprise=enterprise.strip(),
        active=active is not None,
    )
    return _see(f"/admin/users/{quote(username)}?saved=updated")


@router.post("/users/{username}/password")
def reset_password(
    request: Request,
    username: str = Username,
    password: str = Form(..., max_length=200),
    me: Principal = Depends(admin_only),
) -> Response:
    svc.update_user(engine(request), me, username, password=password)
    return _see(f"/admin/users/{quote(username)}?saved=password")


@router.post("/users/{username}/tokens")
def create_token(
    request: Request,
    username: str = Username,
    name: str = Form("script", min_length=1, max_length=100),
    me: Principal = Depends(admin_only),
) -> Response:
    """A token for the account; shown on this response only, never again."""
    made = svc.create_token(engine(request), me, username, name=name)
    return _user_page(request, me, username, new_token=made)


@router.get("/tokens")
def tokens_page(request: Request, me: Principal = Depends(admin_only)) -> Response:
    """Every API token; revoke any of them."""
    rows = svc.list_tokens(engine(request), me)
    return page(request, "admin_tokens.html", tables=[_tokens_table(rows)], tab="tokens")


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, token_id: int = Path(ge=1, le=2**31 - 1), me: Principal = Depends(admin_only)
) -> Response:
    svc.revoke_token(engine(request), me, token_id)
    return _see("/admin/tokens")


def _calendar_page(
    request: Request,
    sc: Scope,
    *,
    error: YanzhiError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    eng, lg = engine(request), lang(request)
    return page(
        request,
        "admin_calendar.html",
        status=400 if error else 200,
        cal=calendar_view.show(eng, sc),
        upcoming=calendar_view.upcoming(eng, sc),
        history=calendar_view.history(eng, sc),
        kinds=calendar_view.KIND_ZH,
        levels=LEVEL_ZH,
        error=None if error is None else (error.en if lg == "en" else error.zh or error.en),
        form=form or {},
        saved=request.query_params.get("saved"),
        tab="calendar",
    )


@router.get("/calendar")
def calendar_page(request: Request, sc: Scope = Depends(scope_of)) -> Response:
    """The reporting calendar: its rules per period kind and level, the moved due dates,
    the coming deadlines, forms to change them and the change history."""
    return _calendar_page(request, sc)


@router.post("/calendar/rules")
def calendar_rule(
    request: Request,
    kind: str = Form(..., max_length=16),
    level: str = Form(..., max_length=16),
    rule: str = Form(..., max_length=16),
    reason: str = Form("", max_length=200),
    sc: Scope = Depends(scope_of),
) -> Response:
    """Set one level's due rule for one kind of period (audited)."""
    try:
        calendar_view.set_rule(
            engine(request),
            sc,
            kind=kind,
            level=level,
            rule=rule,
            reason=_opt(reason),
        )
    except YanzhiError as exc:
        form = {"form": "rule", "kind": kind, "level": level, "rule": rule, "reason": reason}
        return _calendar_page(request, sc, error=exc, form=form)
    return _see("/admin/calendar?saved=rule#rules")


@router.post("/calendar/overrides")
def calendar_override(
    request: Request,
    month: str = Form(..., max_length=7),
    level: str = Form(..., max_length=16),
    due: str = Form("", max_length=10),
    note: str = Form("", max_length=100),
    restore: str | None = Form(None, max_length=8),
    sc: Scope = Depends(scope_of),
) -> Response:
    """Move one period's due date for one level, or (``restore``) take the move back
    (audited; a date that has passed needs a reason)."""
    try:
        if restore is None and not due.strip():
            raise CalendarError("请填写新的截止日期")
        day = None if restore is not None else parse_date(due.strip(), month)
        calendar_view.set_override(
            engine(request),
            sc,
            month=month.strip(),
            level=level,
            due=day,
            note=_opt(note),
        )
    except YanzhiError as exc:
        form = {"form": "restore" if restore is not None else "move", "month": month}
        form |= {"level": level, "due": due, "note": note}
        return _calendar_page(request, sc, error=exc, form=form)
    return _see(f"/admin/calendar?saved={'restored' if restore is not None else 'moved'}")


def _day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"not a date: {value[:20]!r} (YYYY-MM-DD) / 日期格式应为 YYYY-MM-DD"
        ) from None


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value or default), low), high)
    except ValueError:
        return default


def _changes(changes: Any) -> str:
    """``{"role": ["leader", "admin"]}`` as ``role: leader → admin``."""
    if isinstance(changes, dict) and all(
        isinstance(v, list) and len(v) == 2 for v in changes.values()
    ):
        return "; ".join(
            f"{k}: {'—' if old is None else old} → {'—' if new is None else new}"
            for k, (old, new) in changes.items()
            if old is not None or new is not None
        )
    return json.dumps(changes, ensure_ascii=False, default=str)


def _audit_rows(
    items: list[svc.AuditEntry], lg: str, names: dict[str, str]
) -> list[dict[str, Any]]:
    if lg == "en":
        return [{**i.model_dump(), "id": str(i.id), "changes": _changes(i.changes)} for i in items]
    return [
        {
            **i.model_dump(),
            "id": str(i.id),
            "action": audittext.action_zh(i.action),
            "entity": audittext.entity_zh(i.entity),
            "changes": audittext.changes_zh(i.changes, names),
            "raw": audittext.raw(i.changes),
        }
        for i in items
    ]


@router.get("/audit")
def audit_page(request: Request, me: Principal = Depends(admin_only)) -> Response:
    """The audit log: filter by user (actor), object (entity, key) and days; ?export=audit
    downloads every matching row (up to 50,000) as Excel."""
    q = request.query_params
    filters: dict[str, Any] = {
        "actor": (q.get("actor") or "").strip()[:100] or None,
        "entity": (q.get("entity") or "").strip()[:64] or None,
        "key": (q.get("key") or "").strip()[:200] or None,
        "since": _day(q.get("since")),
        "until": _day(q.get("until")),
    }
    if q.get("export") == "audit":
        number, size = 1, svc.EXPORT_LIMIT
    else:
        number, size = _int(q.get("page"), 1, 1, 1_000_000), _int(q.get("size"), 50, 1, 500)
    result = svc.audit_log(engine(request), me, **filters, page=number, size=size)
    lg = lang(request)
    columns = [
        ("id", "编号", "ID"),
        ("at_local", "时间(北京时间)", "Time (UTC+8)"),
        ("actor", "操作人", "Actor"),
        ("action", "操作", "Action"),
        ("entity", "对象类型", "Object"),
        ("key", "对象", "Key"),
        ("changes", "变更(原值→新值)", "Changes (old → new)"),
        ("reason", "原因", "Reason"),
        ("source_file", "来源文件", "Source file"),
    ]
    if lg != "en":  # the Chinese summary of the changes, and the record as stored
        columns[6] = ("changes", "变更内容", "Changes")
        columns.append(("raw", "原始记录", "Raw record"))
    table = Table(
        "audit",
        columns,
        _audit_rows(result.items, lg, unit_names(engine(request))),
        title="audit",
        # user names, object keys, file names and stored records are shown as typed
        verbatim=frozenset({"actor", "key", "source_file", "raw"}),
        query=False,  # the log is paged and filtered in SQL by the page's own parameters
    )
    kept = {k: str(v) for k, v in filters.items() if v}
    last = max(1, -(-result.total // size))
    pages = {
        "prev": f"?{urlencode({**kept, 'page': number - 1, 'size': size})}" if number > 1 else None,
        "next": f"?{urlencode({**kept, 'page': number + 1, 'size': size})}"
        if number < last
        else None,
        "number": number,
        "last": last,
    }
    return page(
        request,
        "admin_audit.html",
        tables=[table],
        filters=kept,
        result=result,
        pages=pages,
        sizes=AUDIT_SIZES,
        entities=svc.audit_kinds(engine(request), me),
        size=size,
        tab="audit",
    )
