"""The data desk (数据报送): the Data pages' and the data API's use cases for one principal.

Uploading: only roles allowed to ``import`` (services/access/scope.py) may send a file, and a
scoped officer only rows of their own units — a township officer the enterprises located
in their township, a district officer its townships. Rows outside the scope are refused
as structured ``out_of_scope`` errors naming the row, checked inside the import's
transaction before anything is written, so nothing of such a file is stored.

Reporting: submit / approve / unlock go through ``reporting.transition`` after the role
and the unit's scope are checked (approval refreshes the indicators there); the
submission list and the completeness table are cut to the units the principal may see.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from yanzhi import config
from yanzhi.core.dataformats import DATA_KINDS
from yanzhi.core.issues import Issue, RowIssueSink
from yanzhi.core.orgtree import Level, OrgTree
from yanzhi.core.periods import parse_period, parse_ytd
from yanzhi.ingest.tabular import RawTable
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import (
    CITY_WIDE,
    can,
    can_change_unit,
    require,
    require_unit,
    visible_units,
)
from yanzhi.services.collection import workflow as reporting
from yanzhi.services.collection.imports import ImportReport, RowCheck, import_file
from yanzhi.services.collection.templates import write_template
from yanzhi.storage.datamodels import SubmissionRow
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_index
from yanzhi.storage.submissions import APPROVED, DRAFT, SUBMITTED, submissions

STATUS_NAMES = {
    DRAFT: ("草稿", "draft"),
    SUBMITTED: ("已上报", "submitted"),
    APPROVED: ("已审核锁定", "approved"),
}
ACTIONS = ("submit", "approve", "unlock")
_CHUNK = 1 << 20


# -- uploads ----------------------------------------------------------------------------


def max_upload_bytes() -> int:
    """YANZHI_MAX_FILE_MB, read at call time."""
    return config.settings().max_file_mb * 1024 * 1024


def safe_name(filename: str | None) -> str:
    """The file's own name (no folders, no control characters), for the report and audit."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".")
    raw = name.encode("utf-8", "ignore")[-200:]  # file systems allow 255 bytes
    return raw.decode("utf-8", "ignore").strip() or "upload"


def upload(
    engine: Engine,
    principal: Principal,
    tree: OrgTree,
    *,
    kind: str,
    stream: BinaryIO,
    filename: str | None,
    period: str | None = None,
    money_unit: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Save an uploaded file under its own name in a temporary folder (refusing it beyond
    YANZHI_MAX_FILE_MB) and import it — or only validate it (``dry_run``) — as
    ``principal``, whose scope limits the rows it may contain."""
    require(principal, "import")
    if kind not in DATA_KINDS:
        raise ValueError(
            f"unknown data kind {kind!r}; expected one of {', '.join(DATA_KINDS)} / "
            f"未知数据类型 {kind!r}"
        )
    name = safe_name(filename)
    with tempfile.TemporaryDirectory(prefix="yanzhi-upload-") as folder:
        path = Path(folder) / name
        too_big = _save(stream, path, max_upload_bytes())
        if too_big is not None:
            return _refused(name, kind, dry_run, too_big)
        return import_file(
            engine,
            kind,
            path,
            actor=principal.name,
            dry_run=dry_run,
            period=period or None,
            money_unit=money_unit or None,
            row_check=scope_check(principal, tree, kind),
        )


def _save(stream: BinaryIO, path: Path, limit: int) -> Issue | None:
    size = 0
    with path.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                return Issue(
                    "file_too_large",
                    f"文件过大, 上限 {limit / 2**20:.0f} MB",
                    f"file too large; the limit is {limit / 2**20:.0f} MB (YANZHI_MAX_FILE_MB)",
                    file=path.name,
                )
            out.write(chunk)
    return None


def _refused(name: str, kind: str, dry_run: bool, issue: Issue) -> ImportReport:
    return ImportReport(file=name, kind=kind, dry_run=dry_run, errors=[issue])


def scope_check(principal: Principal, tree: OrgTree, kind: str) -> RowCheck | None:
    """The row check an import of ``kind`` runs for ``principal`` (None: city-wide)."""
    if principal.role in CITY_WIDE:
        return None
    verdict: dict[str, bool] = {}

    def allowed(code: str | None) -> bool:  # unknown codes are errors of their own checks
        if code is None:
            return True
        if code not in verdict:
            verdict[code] = code not in tree or can_change_unit(principal, code, tree)
        return verdict[code]

    def check(session: Session, frame: pd.DataFrame, table: RawTable, sink: RowIssueSink) -> None:
        if frame.empty:
            return
        if kind == "stats":
            units = _codes(frame["unit_code"])
            bad = [not allowed(u) for u in units]
            values: list[str | None] = units
            column = table.columns.get("unit_code", "区划代码")
        else:  # rd and enterprises: where the enterprise is (for the register: and was)
            usccs, towns = _codes(frame["uscc"]), _codes(frame["township_code"])
            if kind == "enterprises":  # moving an enterprise: where it is now counts too
                index = enterprise_index(session)
                now = dict(zip(index["uscc"], index["township_code"], strict=True))
                offending = [
                    t if not allowed(t) else (now.get(u) if u else None)
                    for u, t in zip(usccs, towns, strict=True)
                ]
            else:
                offending = towns
            bad = [not allowed(t) for t in offending]
            values = [
                f"{u} ({t} {_name(tree, t)})" if b else None
                for u, t, b in zip(usccs, offending, bad, strict=True)
            ]
            column = table.columns.get("uscc", "统一社会信用代码")
        sink.add_rows(
            bad,
            "out_of_scope",
            "超出本账号的权限范围, 不能导入: {v}",
            "outside this account's scope; it cannot be imported: {v}",
            column=column,
            values=values,
        )

    return check


def _name(tree: OrgTree, code: str | None) -> str:
    return tree.get(code).name if code and code in tree else ""


def _codes(series: pd.Series) -> list[str | None]:
    return [v if isinstance(v, str) and v else None for v in series.astype(object).tolist()]


def report_xlsx(report: dict[str, Any], lang: str = "zh") -> bytes:
    """The validation report (an ImportReport dict) as a workbook: a summary sheet, then
    the errors and the warnings, one row per issue."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "摘要 summary"
    for key in ("file", "kind", "ok", "dry_run", "rows", "created", "changed", "unchanged"):
        ws.append([key, _cell(report.get(key))])
    ws.append(["errors", len(report.get("errors") or [])])
    ws.append(["warnings", len(report.get("warnings") or [])])
    head = [
        ("file", "文件", "File"),
        ("sheet", "工作表", "Sheet"),
        ("row", "行", "Row"),
        ("column", "列", "Column"),
        ("value", "取值", "Value"),
        ("rule", "规则", "Rule"),
        ("message_zh", "说明", "Message (zh)"),
        ("message_en", "Message", "Message (en)"),
    ]
    for key, title in (("errors", "错误 errors"), ("warnings", "警告 warnings")):
        sheet = wb.create_sheet(title)
        sheet.append([en if lang == "en" else zh for _, zh, en in head])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for issue in report.get(key) or []:
            sheet.append([_cell(issue.get(k)) for k, _, _ in head])
        sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(v: Any) -> Any:
    return v if v is None or isinstance(v, int | float | str | bool) else str(v)


def template_bytes(kind: str) -> bytes:
    """The blank import template of ``kind`` (LookupError when there is none)."""
    if kind not in DATA_KINDS:
        raise LookupError(f"no template {kind!r} / 没有模板 {kind!r}")
    with tempfile.TemporaryDirectory(prefix="yanzhi-template-") as folder:
        path = write_template(kind, Path(folder) / f"{kind}.xlsx")
        return path.read_bytes()


# -- reporting workflow -----------------------------------------------------------------


def act(
    engine: Engine,
    principal: Principal,
    tree: OrgTree,
    action: str,
    *,
    unit: str,
    period: str,
    reason: str | None = None,
) -> dict[str, Any]:
    """Submit, approve or unlock ``unit``'s (every township in it) data for ``period``."""
    if action not in ACTIONS:
        raise LookupError(f"unknown action {action!r} / 未知操作 {action!r}")
    require(principal, action)
    if unit not in tree:
        raise LookupError(f"unknown org unit {unit} / 未知单位 {unit}")
    require_unit(principal, unit, tree, write=True)
    result = reporting.transition(
        engine, action, period=period, unit=unit, actor=principal.name, reason=reason
    )
    return result.to_dict()


def recent_periods(engine: Engine, limit: int = 6) -> list[str]:
    """The newest reporting periods, newest first."""
    with transaction(engine) as session:
        labels = session.scalars(
            select(SubmissionRow.period).where(SubmissionRow.dataset == "rd").distinct()
        ).all()
    found = sorted(
        {parse_period(p) for p in labels},
        key=lambda p: (p.year, p.last_month),
        reverse=True,
    )
    return [str(p) for p in found[:limit]]


def _period(engine: Engine, period: str | None) -> str | None:
    if period:
        return str(parse_ytd(period, months=False))
    found = recent_periods(engine, 1)
    return found[0] if found else None


def submission_rows(
    engine: Engine, principal: Principal, tree: OrgTree, *, period: str | None = None
) -> dict[str, Any]:
    """Every township the principal may see, with its status for ``period`` (default the
    newest), its completeness and what the principal may do with it."""
    require(principal, "read")
    p = _period(engine, period)
    if p is None:
        return {"period": None, "items": [], "districts": []}
    rows = reporting.completeness(engine, period=p, level="township")
    keep = set(visible_units(principal, [r["code"] for r in rows], tree))
    with transaction(engine) as session:
        subs = submissions(session, "rd", [p]).set_index("org_unit_code")
    items = []
    for r in rows:
        if r["code"] not in keep:
            continue
        unit = tree.get(r["code"])
        parent = tree.parent(r["code"])
        who = _who(subs, r["code"])
        status = who.get("status") or DRAFT
        writable = can_change_unit(principal, r["code"], tree)
        items.append(
            {
                "code": r["code"],
                "name": unit.name,
                "district": parent.code if parent else None,
                "district_name": parent.name if parent else None,
                "period": p,
                "status": status,
                "status_zh": STATUS_NAMES[status][0],
                "status_en": STATUS_NAMES[status][1],
                "expected": r["expected"],
                "received": r["received"],
                "rate": r["rate"],
                **{k: v for k, v in who.items() if k != "status"},
                "can_submit": status == DRAFT and writable and can(principal, "submit"),
                "can_approve": status == SUBMITTED and writable and can(principal, "approve"),
                "can_unlock": status == APPROVED and writable and can(principal, "unlock"),
            }
        )
    return {"period": p, "items": items, "districts": _district_actions(principal, tree, items)}


def _district_actions(
    principal: Principal, tree: OrgTree, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per district: may the principal submit or approve all its townships at once?"""
    out = []
    for code in dict.fromkeys(i["district"] for i in items if i["district"]):
        mine = [i for i in items if i["district"] == code]
        writable = can_change_unit(principal, code, tree)
        out.append(
            {
                "code": code,
                "name": tree.get(code).name,
                "can_submit": writable and any(i["can_submit"] for i in mine),
                "can_approve": writable and any(i["can_approve"] for i in mine),
            }
        )
    return out


_WHO = (
    "status",
    "submitted_by",
    "submitted_at",
    "approved_by",
    "approved_at",
    "unlocked_by",
    "unlocked_at",
    "unlock_reason",
)


def _who(subs: pd.DataFrame, code: str) -> dict[str, Any]:
    if code not in subs.index:
        return {k: None for k in _WHO}
    row = subs.loc[code]
    out: dict[str, Any] = {}
    for k in _WHO:
        v = row[k]
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out[k] = None
        elif hasattr(v, "isoformat"):
            out[k] = v.isoformat(timespec="seconds")
        else:
            out[k] = str(v)
    return out


def completeness(
    engine: Engine,
    principal: Principal,
    tree: OrgTree,
    *,
    period: str | None = None,
    level: str = "district",
) -> dict[str, Any]:
    """Reporting completeness of ``period`` (default the newest) by ``level``, cut to the
    units the principal may see."""
    require(principal, "read")
    try:
        lv = Level(level).value
    except ValueError:
        raise ValueError(f"unknown level {level!r} / 未知层级 {level!r}") from None
    p = _period(engine, period)
    if p is None:
        return {"period": None, "level": lv, "items": []}
    rows = reporting.completeness(engine, period=p, level=lv)
    keep = set(visible_units(principal, [r["code"] for r in rows], tree))
    items = [
        {**r, "status_zh": STATUS_NAMES[r["status"]][0], "status_en": STATUS_NAMES[r["status"]][1]}
        for r in rows
        if r["code"] in keep
    ]
    return {"period": p, "level": lv, "items": items}
