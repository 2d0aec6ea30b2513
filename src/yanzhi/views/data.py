"""The data desk (数据报送): the Data pages' and the data API's use cases for one principal.

Uploading: only roles allowed to ``import`` (services/access/scope.py) may send a file, and a
scoped officer only rows of their own units — a township officer the enterprises located
in their township, a district officer its townships. Rows outside the scope are refused
as structured ``out_of_scope`` errors naming the row, checked inside the import's
transaction before anything is written, so nothing of such a file is stored.

Reporting: submit / approve / unlock go through ``reporting.transition`` after the role
and the unit's scope are checked (approval refreshes the indicators there); the
submission list and the completeness table are cut to the units the principal may see.

Every function takes the request's ``Scope`` (``access.scope.resolve``) and returns a typed
result: ``ImportReport`` (uploads), ``ActionResult``, ``Submissions``, ``Completeness``;
the API declares these as its response models. Unknown kinds, actions and units raise
``core.errors.NotFound``; a malformed period or level ``core.errors.InvalidInput``.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Literal

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from yanzhi import config
from yanzhi.core.checkrules import rule_zh
from yanzhi.core.dataformats import REPORTING_DATASET, data_kind
from yanzhi.core.errors import InvalidInput, NotFound
from yanzhi.core.issues import Issue, RowIssueSink
from yanzhi.core.orgtree import Level, OrgTree
from yanzhi.core.periods import parse_period, parse_ytd
from yanzhi.export import sheets
from yanzhi.ingest.tabular import RawTable
from yanzhi.services.access.scope import CITY_WIDE, Scope
from yanzhi.services.collection import workflow as reporting
from yanzhi.services.collection.imports import ImportReport, RowCheck, import_file
from yanzhi.services.collection.templates import write_template
from yanzhi.services.collection.workflow import CompletenessRow
from yanzhi.storage.datamodels import SubmissionRow
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_index
from yanzhi.storage.submissions import APPROVED, DRAFT, SUBMITTED, submissions
from yanzhi.views.calendar import SUBMISSION_NAMES, Deadline, period_deadlines
from yanzhi.views.common import Memo, direct

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
    scope: Scope,
    *,
    kind: str,
    stream: BinaryIO,
    filename: str | None,
    period: str | None = None,
    money_unit: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Save an uploaded file under its own name in a temporary folder (refusing it beyond
    YANZHI_MAX_FILE_MB) and import it — or only validate it (``dry_run``) — as the
    scope's principal, whose writable units limit the rows the file may contain."""
    scope.require("import")
    data_kind(kind)  # NotFound before the file is read
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
            actor=scope.principal.name,
            dry_run=dry_run,
            period=period or None,
            money_unit=money_unit or None,
            row_check=scope_check(scope, kind),
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


def scope_check(scope: Scope, kind: str) -> RowCheck | None:
    """The row check an import of ``kind`` runs in ``scope`` (None: city-wide): every
    row's org unit (``DataKind.scope``) must be one of the scope's writable units."""
    rule = data_kind(kind).scope
    if scope.role in CITY_WIDE:
        return None
    tree = scope.tree

    def allowed(code: str | None) -> bool:  # unknown codes are errors of their own checks
        return code is None or code not in tree or code in scope.writable

    def check(session: Session, frame: pd.DataFrame, table: RawTable, sink: RowIssueSink) -> None:
        if frame.empty:
            return
        if rule is None:  # rows of no org unit: only city-wide roles may send them
            bad = [True] * len(frame)
            sink.add_rows(
                bad, "out_of_scope", _OUT_ZH, _OUT_EN, column=None, values=[kind] * len(frame)
            )
            return
        offending = _codes(frame[rule.unit_column])
        if rule.registered_too:  # moving an enterprise: where it is now counts too
            index = enterprise_index(session)
            now = dict(zip(index["uscc"], index["township_code"], strict=True))
            usccs = _codes(frame["uscc"])
            offending = [
                t if not allowed(t) else (now.get(u) if u else None)
                for u, t in zip(usccs, offending, strict=True)
            ]
        bad = [not allowed(t) for t in offending]
        values: list[str | None] = offending
        if rule.row_column != rule.unit_column:
            rows = _codes(frame[rule.row_column])
            values = [
                f"{r} ({t} {_name(tree, t)})" if b else None
                for r, t, b in zip(rows, offending, bad, strict=True)
            ]
        column = table.columns.get(rule.row_column, data_kind(kind).field(rule.row_column).zh)
        sink.add_rows(bad, "out_of_scope", _OUT_ZH, _OUT_EN, column=column, values=values)

    return check


_OUT_ZH = "超出本账号的权限范围, 不能导入: {v}"
_OUT_EN = "outside this account's scope; it cannot be imported: {v}"


def _name(tree: OrgTree, code: str | None) -> str:
    return tree.get(code).name if code and code in tree else ""


def _codes(series: pd.Series) -> list[str | None]:
    return [v if isinstance(v, str) and v else None for v in series.astype(object).tolist()]


SUMMARY_ROWS = (
    ("file", "文件", "File"),
    ("kind", "数据类型", "Kind"),
    ("ok", "校验通过", "Valid"),
    ("dry_run", "仅校验", "Dry run"),
    ("rows", "行数", "Rows"),
    ("created", "新增", "Created"),
    ("updated", "更新", "Updated"),
    ("unchanged", "未变", "Unchanged"),
)
"""The validation report's summary: one row per count, in the data desk's vocabulary."""

ISSUE_HEAD = (
    ("file", "文件", "File"),
    ("sheet", "工作表", "Sheet"),
    ("row", "行", "Row"),
    ("column", "列", "Column"),
    ("value", "取值", "Value"),
)
"""The columns every validation report shows (page and Excel); then ``issue_head``'s
language-specific two."""


def issue_head(lang: str) -> list[tuple[str, str, str]]:
    """The columns of a validation report's issue table in ``lang``: in Chinese the
    check's Chinese name and the Chinese message (no rule codes, no English); in English
    the rule code and the English message."""
    tail = (
        [("rule", "规则", "Rule"), ("message_en", "说明", "Message")]
        if lang == "en"
        else [("rule_zh", "检查项", "Check"), ("message_zh", "说明", "Message")]
    )
    return [*ISSUE_HEAD, *tail]


class ReadableIssue(BaseModel):
    """One problem of a validation report as a person reads it."""

    file: str | None
    sheet: str | None
    row: int | None
    column: str | None
    value: str | int | float | None
    rule: str
    rule_zh: str
    message_zh: str
    message_en: str


class ReadableIssues(BaseModel):
    errors: list[ReadableIssue]
    warnings: list[ReadableIssue]


def readable_issues(report: ImportReport, lang: str) -> ReadableIssues:
    """The errors and warnings of ``report`` as a person reads them: the file by its name
    only, the column by its header (Chinese in Chinese), the check's Chinese name beside
    its rule code."""
    kind = data_kind(report.kind)
    headers = {f.code: f.zh if lang != "en" else f.en for f in kind.fields}

    def one(i: Issue) -> ReadableIssue:
        return ReadableIssue(
            file=Path(i.file).name if i.file else None,
            sheet=i.sheet,
            row=i.row,
            column=headers.get(i.column, i.column) if i.column else None,
            value=_cell(i.value),
            rule=i.rule,
            rule_zh=rule_zh(i.rule),
            message_zh=i.message_zh,
            message_en=i.message_en,
        )

    return ReadableIssues(
        errors=[one(i) for i in report.errors], warnings=[one(i) for i in report.warnings]
    )


def report_xlsx(report: ImportReport, lang: str = "zh") -> bytes:
    """The validation report as a workbook: a 说明 sheet (what was checked, the file by its
    name only, never a server path), a 摘要 sheet (新增 / 更新 / 未变 …), then the errors
    and the warnings, one row per issue, with frozen headers and fitted widths. In Chinese
    the rule codes and the English messages are left out."""
    data = report.to_dict()
    en = lang == "en"
    file = Path(str(data["file"])).name
    kind = data_kind(data["kind"])
    values = {**data, "file": file, "kind": kind.en if en else kind.zh}
    wb = sheets.new()
    sheets.readme_sheet(
        wb,
        "Validation report" if en else "数据校验报告",
        [
            ("文件", file),
            ("数据类型", kind.zh),
            ("校验结果", "通过" if report.ok else "未通过"),
            ("说明", "错误须改正后重新导入；警告不影响导入，请核实。仅校验时数据未写入。"),
        ],
    )
    summary = [(en_ if en else zh, _yes_no(values[key], en)) for key, zh, en_ in SUMMARY_ROWS]
    summary += [
        ("Errors" if en else "错误", len(report.errors)),
        ("Warnings" if en else "警告", len(report.warnings)),
    ]
    sheets.table_sheet(wb, "摘要", ["Item" if en else "项目", "Value" if en else "结果"], summary)
    head = issue_head(lang)
    found = readable_issues(report, lang)
    for key, title in (("errors", "错误"), ("warnings", "警告")):
        issues = [[getattr(i, k) for k, _, _ in head] for i in getattr(found, key)]
        sheets.table_sheet(
            wb,
            title,
            [en_ if en else zh for _, zh, en_ in head],
            issues,
            formats=["#,##0" if k == "row" else "@" for k, _, _ in head],
        )
    return sheets.to_bytes(wb)


def _yes_no(v: Any, en: bool) -> Any:
    if isinstance(v, bool):
        return ("yes" if v else "no") if en else ("是" if v else "否")
    return _cell(v)


def _cell(v: Any) -> Any:
    return v if v is None or isinstance(v, int | float | str | bool) else str(v)


def template_bytes(kind: str) -> bytes:
    """The blank import template of ``kind`` (``NotFound`` when there is none)."""
    data_kind(kind)
    with tempfile.TemporaryDirectory(prefix="yanzhi-template-") as folder:
        path = write_template(kind, Path(folder) / f"{kind}.xlsx")
        return path.read_bytes()


# -- reporting workflow -----------------------------------------------------------------

Action = Literal["submit", "approve", "unlock"]


class ActionResult(BaseModel):
    """What a submit / approve / unlock did: the townships whose status changed and the
    ones skipped, with the reason."""

    action: str
    period: str
    changed: list[str]
    skipped: dict[str, str]


class SubmissionItem(BaseModel):
    """One township's submission for a period: status, completeness, who did what, and
    what the principal may do with it."""

    code: str
    name: str
    district: str | None
    district_name: str | None
    period: str
    status: str
    status_zh: str
    status_en: str
    expected: int
    received: int
    rate: float | None
    submitted_by: str | None = None
    submitted_at: str | None = None
    approved_by: str | None = None
    approved_at: str | None = None
    unlocked_by: str | None = None
    unlocked_at: str | None = None
    unlock_reason: str | None = None
    can_submit: bool
    can_approve: bool
    can_unlock: bool


class DistrictActions(BaseModel):
    """May the principal submit or approve all of a district's townships at once?"""

    code: str
    name: str
    can_submit: bool
    can_approve: bool


class Submissions(BaseModel):
    """The townships the principal may see with their submissions for ``period`` (None:
    there is no reporting period yet)."""

    period: str | None
    items: list[SubmissionItem]
    districts: list[DistrictActions]


class CompletenessItem(BaseModel):
    """Reporting completeness of one unit: expected and received reports, those on time,
    late and missing against the calendar, the rates (0–1), the unit's status (the least
    advanced of its townships) and its own submission against its due date (按时 / 逾期 /
    未报)."""

    code: str
    name: str
    expected: int
    received: int
    on_time: int
    late: int
    missing: int
    rate: float | None
    on_time_rate: float | None
    status: str
    status_zh: str
    status_en: str
    statuses: dict[str, int]
    due: str | None
    unit_due: str | None
    submission: str
    submission_zh: str
    submitted_at: str | None


class Completeness(BaseModel):
    """Completeness of ``period`` by unit of ``level``, cut to the principal's scope."""

    period: str | None
    level: str
    items: list[CompletenessItem]
    deadlines: list[Deadline] = []


def act(
    engine: Engine,
    scope: Scope,
    action: str,
    *,
    unit: str,
    period: str,
    reason: str | None = None,
) -> ActionResult:
    """Submit, approve or unlock ``unit``'s (every township in it) data for ``period``."""
    if action not in ACTIONS:
        raise NotFound(f"unknown action {action!r}", f"未知操作 {action!r}")
    scope.require(action)
    if unit not in scope.tree:
        raise NotFound(f"unknown org unit {unit}", f"未知单位 {unit}")
    scope.require_unit(unit, write=True)
    result = reporting.transition(
        engine, action, period=period, unit=unit, actor=scope.principal.name, reason=reason
    )
    return ActionResult(**result.to_dict())


def recent_periods(engine: Engine, limit: int = 6) -> list[str]:
    """The newest reporting periods, newest first."""
    with transaction(engine) as session:
        labels = session.scalars(
            select(SubmissionRow.period)
            .where(SubmissionRow.dataset == REPORTING_DATASET)
            .distinct()
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


def completeness_rows(
    engine: Engine, period: str, level: str, *, memo: Memo = direct
) -> list[CompletenessRow]:
    """Reporting completeness of every unit of ``level`` for ``period``: the same for
    every scope (each cuts it), so computed once per data change (``memo``)."""
    return memo(
        ("views.completeness", period, level),
        lambda: reporting.completeness(engine, period=period, level=level),
    )


def shared_parts(engine: Engine, *, memo: Memo) -> None:
    """Compute, into ``memo``, the newest period's completeness by township and by
    district: what the data desk of every scope shows first (the background
    recomputation's step)."""
    p = _period(engine, None)
    if p is not None:
        for level in ("township", "district"):
            completeness_rows(engine, p, level, memo=memo)


def submission_rows(
    engine: Engine, scope: Scope, *, period: str | None = None, memo: Memo = direct
) -> Submissions:
    """Every township the principal may see, with its status for ``period`` (default the
    newest), its completeness and what the principal may do with it."""
    scope.require("read")
    p = _period(engine, period)
    if p is None:
        return Submissions(period=None, items=[], districts=[])
    rows = completeness_rows(engine, p, "township", memo=memo)
    with transaction(engine) as session:
        subs = submissions(session, REPORTING_DATASET, [p]).set_index("org_unit_code")
    items = [_submission(scope, r, _who(subs, r.code), p) for r in rows if scope.sees(r.code)]
    return Submissions(period=p, items=items, districts=_district_actions(scope, items))


def _submission(scope: Scope, r: CompletenessRow, who: dict[str, Any], p: str) -> SubmissionItem:
    unit = scope.tree.get(r.code)
    parent = scope.tree.parent(r.code)
    status = who.pop("status") or DRAFT
    writable = r.code in scope.writable
    return SubmissionItem(
        code=r.code,
        name=unit.name,
        district=parent.code if parent else None,
        district_name=parent.name if parent else None,
        period=p,
        status=status,
        status_zh=STATUS_NAMES[status][0],
        status_en=STATUS_NAMES[status][1],
        expected=r.expected,
        received=r.received,
        rate=r.rate,
        **who,
        can_submit=status == DRAFT and writable and scope.can("submit"),
        can_approve=status == SUBMITTED and writable and scope.can("approve"),
        can_unlock=status == APPROVED and writable and scope.can("unlock"),
    )


def _district_actions(scope: Scope, items: list[SubmissionItem]) -> list[DistrictActions]:
    """Per district: may the principal submit or approve all its townships at once?"""
    out = []
    for code in dict.fromkeys(i.district for i in items if i.district):
        mine = [i for i in items if i.district == code]
        writable = code in scope.writable
        out.append(
            DistrictActions(
                code=code,
                name=scope.tree.get(code).name,
                can_submit=writable and any(i.can_submit for i in mine),
                can_approve=writable and any(i.can_approve for i in mine),
            )
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
    scope: Scope,
    *,
    period: str | None = None,
    level: str = "district",
    memo: Memo = direct,
) -> Completeness:
    """Reporting completeness of ``period`` (default the newest) by ``level``, cut to the
    units the principal may see."""
    scope.require("read")
    try:
        lv = Level(level).value
    except ValueError:
        raise InvalidInput(f"unknown level {level!r}", f"未知层级 {level!r}") from None
    p = _period(engine, period)
    if p is None:
        return Completeness(period=None, level=lv, items=[])
    rows = completeness_rows(engine, p, lv, memo=memo)
    items = [
        CompletenessItem(
            **r.to_dict(),
            status_zh=STATUS_NAMES[r.status][0],
            status_en=STATUS_NAMES[r.status][1],
            submission_zh=SUBMISSION_NAMES[r.submission],
        )
        for r in rows
        if scope.sees(r.code)
    ]
    return Completeness(period=p, level=lv, items=items, deadlines=period_deadlines(engine, p))
