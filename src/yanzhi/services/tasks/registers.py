"""Registers: import from CSV / XLSX (all or nothing; an identical file changes nothing;
a changed entry makes a new version), list with history, and counts per org unit
rolled up to district and city."""

from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core import uscc
from yanzhi.core.errors import InvalidInput
from yanzhi.core.issues import InputRejected, RowIssueSink
from yanzhi.core.lifecycle import check_stage
from yanzhi.core.registerformats import REGISTER_FORMATS, list_code
from yanzhi.core.registers import (
    LISTS,
    REGISTER_KINDS,
    Count,
    CountRule,
    RegisterKind,
    count_entries,
    roll_up,
)
from yanzhi.ingest.parse import parse_table
from yanzhi.ingest.tabular import read_table
from yanzhi.services.collection.imports import ImportReport, file_sha256
from yanzhi.services.database import require_schema
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.datamodels import ImportBatchRow
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import list_org_units
from yanzhi.storage.plans import get_plan
from yanzhi.storage.registers import entries_frame, list_entries, list_versions, write_entries


class _NoChange(Exception):
    """Leaves the transaction of a dry run or an import that changes nothing."""


def register_kind(code: str) -> RegisterKind:
    """The register called ``code``; ValueError (with the known codes) for another name."""
    try:
        return REGISTER_KINDS[code]
    except KeyError:
        raise ValueError(
            f"unknown register {code!r}; expected one of {', '.join(REGISTER_KINDS)} / "
            f"未知名录类型 {code!r}"
        ) from None


@dataclass(frozen=True)
class RegisterInfo:
    """A register: its code, names and the plan metrics it counts."""

    code: str
    name: str
    name_en: str
    metrics: builtins.list[str]

    def to_dict(self) -> dict[str, Any]:
        """As JSON (the CLI's ``--json``)."""
        return asdict(self)


def kinds() -> builtins.list[RegisterInfo]:
    """Every register: code, names and the plan metrics it counts."""
    return [
        RegisterInfo(k.code, k.zh, k.en, [c.metric for c in k.counts])
        for k in REGISTER_KINDS.values()
    ]


def metric_names(engine: Engine) -> dict[str, tuple[str, str]]:
    """The plan metrics by what the plan's targets call them: metric → (description,
    English description) of the first target counting it (a register page names the
    metrics it counts so, not by code); a metric without a target: its register count's
    label."""
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
    out: dict[str, tuple[str, str]] = {}
    for task in plan.tasks:
        for q in task.targets:
            out.setdefault(q.metric, (q.description, q.description_en or q.description))
    for k in REGISTER_KINDS.values():  # a metric no target counts yet: the register's name
        for c in k.counts:
            if c.label:
                out.setdefault(c.metric, c.label)
    return out


def _date(value: Any) -> dt.date | None:
    return None if value is None or pd.isna(value) else dt.date.fromisoformat(str(value)[:10])


Stages = dict[str, tuple[str, str | None]]
"""An item of the three lists by code: its list and stage as stored."""


def _stages(session: Any, kind: RegisterKind) -> Stages:
    if not kind.list_field:
        return {}
    return {
        r.code: (r.list_name, (r.fields or {}).get("stage"))
        for r in list_entries(session, kind.code)
        if r.list_name
    }


def stage_problems(entry: dict[str, Any], before: Stages) -> list[tuple[str, str, str]]:
    """What the lifecycle (:mod:`yanzhi.core.lifecycle`) refuses in an item of the three
    lists: a stage not of its list, a field its stage needs, a move it does not allow."""
    if not entry.get("list_name"):
        return []
    return check_stage(
        entry["list_name"],
        entry["fields"].get("stage"),
        entry["fields"],
        before=before.get(entry["code"]),
    )


def _entries(
    kind: RegisterKind,
    frame: pd.DataFrame,
    sink: RowIssueSink,
    units: set[str],
    headers: dict[str, str] | None = None,
    before: Stages | None = None,
) -> list:
    own = [f.code for f in kind.fields]
    out = []
    seen: dict[str, int] = {}
    for pos, row in enumerate(frame.to_dict("records")):
        code, unit = str(row["code"]), str(row["org_unit_code"])
        start, stop = _date(row["valid_from"]), _date(row.get("valid_to"))
        problems = []
        if code in seen:
            problems.append(("duplicate_key", f"编号 {code} 重复", f"code {code} is repeated"))
        if unit not in units:
            problems.append(("unknown_unit", f"未知区划代码 {unit}", f"unknown org unit {unit}"))
        if start and stop and stop < start:
            problems.append(("date_order", "结束日期早于开始日期", "valid to is before valid from"))
        for rule, zh, en in problems:
            sink.add_rows([p == pos for p in range(len(frame))], rule, zh, en, column=None)
        seen[code] = pos
        fields = {c: _clean(row.get(c)) for c in own if _clean(row.get(c)) is not None}
        if "applicant_uscc" in fields:
            try:
                fields["applicant_uscc"] = uscc.validate(str(fields["applicant_uscc"]))
            except uscc.UsccError as exc:
                sink.add_rows(
                    [p == pos for p in range(len(frame))],
                    "uscc",
                    f"申报单位统一社会信用代码 {{v}} 无效:{exc.zh}",
                    f"applicant USCC {{v}} is not valid: {exc.en}",
                    column=(headers or {}).get("applicant_uscc", "申报单位统一社会信用代码"),
                    values=[fields["applicant_uscc"]] * len(frame),
                )
        out.append(
            dict(
                code=code,
                name=str(row["name"]),
                org_unit_code=unit,
                fields=fields,
                list_name=list_code(str(row["list"]))
                if kind.list_field and row.get("list")
                else None,
                valid_from=start,
                valid_to=stop,
                synthetic=bool(row.get("synthetic") or False),
            )
        )
        for rule, zh, en in stage_problems(out[-1], before or {}):
            sink.add_rows([p == pos for p in range(len(frame))], rule, zh, en, column="阶段")
    return out


def _clean(v: Any) -> Any:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT or v == "":
        return None
    if isinstance(v, pd.Timestamp | dt.datetime | dt.date):  # a date field, kept as ISO text
        return v.date().isoformat() if isinstance(v, dt.datetime) else v.isoformat()
    return v.item() if hasattr(v, "item") else v


def import_register(
    engine: Engine, kind: str, path: Path, *, actor: str, dry_run: bool = False
) -> ImportReport:
    """Import a register file of ``kind``: all or nothing; an identical file changes
    nothing; a changed entry gets a new version. The report lists any errors by row."""
    spec = register_kind(kind)
    fmt = REGISTER_FORMATS[spec.code]
    report = ImportReport(file=path.name, kind=spec.code, dry_run=dry_run)
    require_schema(engine)
    try:
        table = read_table(path, fmt)
        frame, issues = parse_table(table, fmt)
    except InputRejected as exc:
        report.errors = exc.issues
        return report
    report.rows, report.sha256 = len(frame), file_sha256(path)
    sink = RowIssueSink(table.file, table.sheet, table.rows.tolist(), issues)
    ctx = WriteContext(actor, source_file=path.name, source_sha256=report.sha256)
    try:
        with transaction(engine) as session:
            units = {u.code for u in list_org_units(session)}
            entries = _entries(spec, frame, sink, units, table.columns, _stages(session, spec))
            report.errors = [i for i in sink.issues if i.severity == "error"]
            report.warnings = [i for i in sink.issues if i.severity != "error"]
            if report.errors:
                return report
            batch = ImportBatchRow(
                kind="register",
                file_name=path.name,
                sha256=report.sha256,
                actor=actor,
                rows=report.rows,
                created=0,
                changed=0,
                unchanged=0,
            )
            session.add(batch)
            session.flush()
            result = write_entries(session, spec.code, entries, batch_id=batch.id, ctx=ctx)
            report.created, report.updated, report.unchanged = (
                result.created,
                result.changed,
                result.unchanged,
            )
            batch.created, batch.changed, batch.unchanged = (
                result.created,
                result.changed,
                result.unchanged,
            )
            report.batch_id = batch.id
            if dry_run or not (result.created or result.changed):
                raise _NoChange
    except _NoChange:
        report.batch_id = None
    report.ok = True
    return report


def save_entries(
    engine: Engine, kind: str, entries: list[dict[str, Any]], *, actor: str
) -> dict[str, int]:
    """Write entries given as dicts (the demo and the web app); audited, versioned."""
    spec = register_kind(kind)
    with transaction(engine) as session:
        before = _stages(session, spec)
        for e in entries:
            if problems := stage_problems(e, before):
                _, zh, en = problems[0]
                raise InvalidInput(f"{e['code']}: {en}", f"{e['code']}: {zh}")
        r = write_entries(session, spec.code, entries, batch_id=None, ctx=WriteContext(actor))
    return {"created": r.created, "changed": r.changed, "unchanged": r.unchanged}


@dataclass(frozen=True)
class RegisterEntry:
    """An entry of a register (a version of it): ``code`` is None on an earlier version;
    ``history`` holds the earlier versions when asked for (else None)."""

    name: str
    org_unit_code: str
    valid_from: str
    valid_to: str | None
    list: str | None
    list_name: str | None
    fields: dict[str, Any]
    version: int
    synthetic: bool
    code: str | None = None
    history: builtins.list[RegisterEntry] | None = None

    def to_dict(self) -> dict[str, Any]:
        """As JSON: the keys the CLI and API have always sent (no ``code`` on an earlier
        version, ``history`` only when asked for)."""
        d: dict[str, Any] = {"code": self.code} if self.code is not None else {}
        d.update(
            name=self.name,
            org_unit_code=self.org_unit_code,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            list=self.list,
            list_name=self.list_name,
            fields=self.fields,
            version=self.version,
            synthetic=self.synthetic,
        )
        if self.history is not None:
            d["history"] = [h.to_dict() for h in self.history]
        return d


def list_register(engine: Engine, kind: str, *, history: bool = False) -> list[RegisterEntry]:
    """A register's current entries, each with its earlier versions if ``history``."""
    spec = register_kind(kind)
    require_schema(engine)
    with transaction(engine) as session:
        rows = list_entries(session, spec.code)
        out = []
        for r in rows:
            earlier = [_entry(v) for v in list_versions(session, r.id)] if history else None
            out.append(replace(_entry(r), history=earlier))
    return out


def _entry(r: Any) -> RegisterEntry:
    return RegisterEntry(
        code=getattr(r, "code", None),
        name=r.name,
        org_unit_code=r.org_unit_code,
        valid_from=r.valid_from.isoformat(),
        valid_to=None if r.valid_to is None else r.valid_to.isoformat(),
        list=r.list_name,
        list_name=LISTS[r.list_name][0] if r.list_name else None,
        fields=r.fields or {},
        version=r.version,
        synthetic=r.synthetic,
    )


def counts(
    engine: Engine, kind: str, count: Count | None = None, *, year: int, start_year: int = 2023
) -> dict[str, int]:
    """Count of a register per org unit for ``year``, rolled up to districts and the city
    (default rule: entries in force at the year's end, of the register proper — key R&D
    projects: approved ones, not the applications)."""
    spec = register_kind(kind)
    rule = count or Count(spec.code, CountRule.ACTIVE, spec.standing)
    with transaction(engine) as session:
        frame = entries_frame(session, spec.code)
        parents = {u.code: u.parent_code for u in list_org_units(session)}
    return roll_up(count_entries(frame, rule, year, start_year=start_year), parents)
