"""Validate a plan document (already parsed into Python data) against the schema and the
rules a schema cannot express. Every problem is returned, not only the first, as an
:class:`~yanzhi.core.issues.Issue` naming the file, the path in the document and the
reason in Chinese and English.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any, cast

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from yanzhi.core.issues import Issue

Path = tuple[str | int, ...]


@cache
def plan_schema() -> dict[str, Any]:
    text = resources.files("yanzhi.core.plan").joinpath("plan.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def format_path(path: Iterable[str | int]) -> str:
    """``("programmes", 2, "tasks", 1, "code")`` → ``programmes[2].tasks[1].code``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def validate_plan(
    doc: Any, *, file: str = "plan", known_units: Iterable[str] | None = None
) -> list[Issue]:
    """All problems of a plan document; an empty list means it is valid."""
    if not isinstance(doc, Mapping):
        return [
            Issue(
                "document_type",
                "计划文件应为一个 YAML 映射(键: 值)",
                "a plan file must be a YAML mapping (key: value)",
                file=file,
            )
        ]
    validator = Draft202012Validator(plan_schema())
    issues = [_schema_issue(e, file) for e in sorted(validator.iter_errors(doc), key=_err_key)]
    issues.extend(_semantic_issues(doc, file, set(known_units) if known_units else None))
    return issues


def _err_key(e: ValidationError) -> tuple[str, str]:
    return (format_path(e.absolute_path), str(e.validator))


def _schema_issue(e: ValidationError, file: str) -> Issue:
    path: list[str | int] = list(e.absolute_path)
    v, val = str(e.validator), cast(Any, e.validator_value)
    schema = cast(dict[str, Any], e.schema)
    if v == "required":
        missing = e.message.split("'")[1] if "'" in e.message else "?"
        path.append(missing)
        zh, en = f"缺少必填项 {missing}", f"required field {missing!r} is missing"
    elif v == "additionalProperties":
        extra = sorted(set(cast(dict[str, Any], e.instance)) - set(schema.get("properties", {})))
        zh, en = f"未知字段: {', '.join(extra)}", f"unknown field(s): {', '.join(extra)}"
    elif v == "type":
        kinds: list[str] = val if isinstance(val, list) else [val]
        zh = f"类型错误: 应为 {'/'.join(_TYPE_ZH.get(k, k) for k in kinds)}, 实为 {e.instance!r}"
        en = f"wrong type: expected {' or '.join(kinds)}, got {e.instance!r}"
    elif v in ("enum", "const"):
        allowed = val if isinstance(val, list) else [val]
        zh = f"取值 {e.instance!r} 无效, 应为其中之一: {allowed}"
        en = f"value {e.instance!r} is not one of {allowed}"
    elif v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        zh, en = (
            f"数值 {e.instance!r} 超出范围 ({v} {val})",
            f"{e.instance!r} is out of range ({v} {val})",
        )
    elif v == "pattern":
        zh, en = (
            f"格式不符: {e.instance!r}",
            f"{e.instance!r} does not match the expected format {val}",
        )
    elif v == "minItems":
        zh, en = f"至少需要 {val} 项", f"at least {val} item(s) required"
    elif v == "minLength":
        zh, en = "不能为空", "must not be empty"
    else:
        zh, en = f"不符合规则 {v}: {e.message}", e.message
    return Issue(
        f"schema.{v}", zh, en, file=file, path=format_path(path), value=_scalar(e.instance)
    )


_TYPE_ZH = {
    "string": "文本",
    "integer": "整数",
    "number": "数值",
    "boolean": "布尔值",
    "array": "列表",
    "object": "映射",
    "null": "空",
}


def _scalar(x: Any) -> Any:
    return x if isinstance(x, str | int | float | bool) or x is None else None


# -- rules beyond the schema -------------------------------------------------------------


def _items(doc: Mapping[str, Any], key: str) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    seq = doc.get(key)
    if isinstance(seq, list):
        for i, item in enumerate(seq):
            if isinstance(item, Mapping):
                yield (key, i), item


def _tasks(doc: Mapping[str, Any]) -> Iterator[tuple[Path, Mapping[str, Any], Mapping[str, Any]]]:
    for ppath, prog in _items(doc, "programmes"):
        for tpath, task in _items(prog, "tasks"):
            yield (*ppath, *tpath), prog, task


def _sub(base: Path, item: Mapping[str, Any], key: str) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    for path, sub in _items(item, key):
        yield (*base, *path), sub


def _semantic_issues(doc: Mapping[str, Any], file: str, units: set[str] | None) -> list[Issue]:
    issues: list[Issue] = []

    def add(path: Path, rule: str, zh: str, en: str, value: Any = None) -> None:
        issues.append(Issue(rule, zh, en, file=file, path=format_path(path), value=_scalar(value)))

    groups: dict[str, list[tuple[Path, Mapping[str, Any]]]] = {
        "data element": list(_items(doc, "data_elements")),
        "indicator": list(_items(doc, "indicators")),
        "landmark": list(_items(doc, "landmarks")),
        "programme": list(_items(doc, "programmes")),
        "task": [(p, t) for p, _, t in _tasks(doc)],
        "target": [x for p, _, t in _tasks(doc) for x in _sub(p, t, "targets")],
        "milestone": [
            x for p, _, t in _tasks(doc) for x in _sub(p, t, "milestones") if "code" in x[1]
        ],
        "guarantee": list(_items(doc, "guarantees")),
        "rule": [x for p, g in _items(doc, "guarantees") for x in _sub(p, g, "rules")],
        "department": list(_items(doc, "departments")),
        "functional zone": list(_items(doc, "functional_zones")),
    }
    for kind, entries in groups.items():
        seen: dict[str, str] = {}
        for path, item in entries:
            code = item.get("code")
            if not isinstance(code, str):
                continue
            if code in seen:
                add(
                    (*path, "code"),
                    "duplicate_code",
                    f"代码 {code} 重复(已用于 {seen[code]})",
                    f"duplicate {kind} code {code!r} (already used at {seen[code]})",
                    code,
                )
            else:
                seen[code] = format_path(path)

    meta: Mapping[str, Any] = doc["plan"] if isinstance(doc.get("plan"), Mapping) else {}
    _check_years(meta, groups, add)
    _check_tasks(doc, meta, groups, units, add)
    _check_indicators(groups, add)
    if meta.get("synthetic") is False:
        _check_sources(groups, add)
    if units is not None:
        for path, zone in groups["functional zone"]:
            for j, m in enumerate(zone.get("members") or []):
                if m not in units:
                    add(
                        (*path, "members", j),
                        "unknown_unit",
                        f"单位代码 {m} 不在区划中",
                        f"org unit {m} is not in the division tree",
                        m,
                    )
    return issues


def _check_years(meta: Mapping[str, Any], groups: dict[str, Any], add: Any) -> None:
    start, end = meta.get("baseline_year"), meta.get("end_year")
    if not (isinstance(start, int) and isinstance(end, int)):
        return
    if isinstance(meta.get("start_year"), int) and not start <= meta["start_year"] <= end:
        add(
            ("plan", "start_year"),
            "year_order",
            "应满足 基期年 ≤ 起始年 ≤ 结束年",
            "expected baseline_year ≤ start_year ≤ end_year",
            meta["start_year"],
        )

    def check(path: Path, y: Any) -> None:
        if isinstance(y, int) and not start <= y <= end:
            add(
                path,
                "year_out_of_plan",
                f"年份 {y} 不在计划期 {start}–{end} 内",
                f"year {y} lies outside the plan period {start}–{end}",
                y,
            )

    for path, ind in groups["indicator"]:
        for key in ("target", "baseline"):
            if isinstance(ind.get(key), Mapping):
                check((*path, key, "year"), ind[key].get("year"))
        for j, it in enumerate(ind.get("interim_targets") or []):
            if isinstance(it, Mapping):
                check((*path, "interim_targets", j, "year"), it.get("year"))
    for path, tgt in groups["target"]:
        check((*path, "year"), tgt.get("year"))


def _check_tasks(
    doc: Mapping[str, Any],
    meta: Mapping[str, Any],
    groups: dict[str, Any],
    units: set[str] | None,
    add: Any,
) -> None:
    owners = {d.get("code") for _, d in groups["department"]}
    for path, prog, task in _tasks(doc):
        code, pcode = task.get("code"), prog.get("code")
        if isinstance(code, str) and isinstance(pcode, str) and not code.startswith(f"{pcode}.T"):
            named = code.split(".")[0]
            add(
                (*path, "code"),
                "task_programme",
                f"任务 {code} 指向工程 {named}, 但它位于工程 {pcode} 之下"
                f"(任务代码应以 {pcode}.T 开头)",
                f"task {code} names programme {named} but sits under programme {pcode} "
                f"(task codes must start with {pcode}.T)",
                code,
            )
        refs = [("lead", task.get("lead"))] + [
            (("co_units", j), c) for j, c in enumerate(task.get("co_units") or [])
        ]
        for key, ref in refs:
            if not isinstance(ref, str) or ref in owners:
                continue
            is_unit = ref.isdigit() and (units is None or ref in units)
            if not is_unit:
                sub = key if isinstance(key, tuple) else (key,)
                add(
                    (*path, *sub),
                    "unknown_owner",
                    f"责任单位 {ref} 既不是已声明的部门也不是区划单位",
                    f"owner {ref!r} is neither a declared department nor an org unit",
                    ref,
                )
    tasks = {t.get("code") for _, t in groups["task"]}
    metrics = {q.get("metric") for _, q in groups["target"]} | {
        r.get("metric") for _, r in groups["rule"]
    }
    for path, lm in groups["landmark"]:
        if lm.get("task") is not None and lm.get("task") not in tasks:
            add(
                (*path, "task"),
                "unknown_task",
                f"任务 {lm.get('task')} 不存在",
                f"task {lm.get('task')!r} does not exist",
                lm.get("task"),
            )
        if lm.get("metric") is not None and lm.get("metric") not in metrics - {None}:
            add(
                (*path, "metric"),
                "unknown_landmark_metric",
                f"标志性成果的计量口径 {lm.get('metric')} 不是任何任务目标或保障措施规则的口径",
                f"landmark metric {lm.get('metric')!r} is not the metric of any task target "
                "or guarantee rule",
                lm.get("metric"),
            )


_UP, _DOWN = {">=", ">", "="}, {"<=", "<", "="}


def _check_indicators(groups: dict[str, Any], add: Any) -> None:
    elements = {e.get("code"): e for _, e in groups["data element"]}
    for path, ind in groups["indicator"]:
        formula = ind.get("formula") if isinstance(ind.get("formula"), Mapping) else {}
        for part in ("numerator", "denominator"):
            ref = formula.get(part)
            if ref is not None and ref not in elements:
                add(
                    (*path, "formula", part),
                    "unknown_data_element",
                    f"数据项 {ref} 未在 data_elements 中声明",
                    f"data element {ref!r} is not declared in data_elements",
                    ref,
                )
        direction = ind.get("direction")
        points: list[tuple[tuple[str | int, ...], Any]] = [(("target",), ind.get("target"))]
        points += [
            (("interim_targets", j), t) for j, t in enumerate(ind.get("interim_targets") or [])
        ]
        for key, tgt in points:
            if not isinstance(tgt, Mapping) or "comparator" not in tgt:
                continue
            allowed = _UP if direction == "up" else _DOWN
            if tgt["comparator"] not in allowed:
                add(
                    (*path, *key, "comparator"),
                    "comparator_direction",
                    f"方向为 {direction} 时比较符不能是 {tgt['comparator']}",
                    f"comparator {tgt['comparator']!r} contradicts direction {direction!r}",
                    tgt["comparator"],
                )
        if ind.get("headline") and not isinstance(ind.get("target"), Mapping):
            add(
                (*path, "target"),
                "headline_target",
                "核心指标必须有目标值",
                "a headline indicator must have a target",
            )
        elif isinstance(ind.get("target"), Mapping) and ind["target"].get("value") is None:
            add(
                (*path, "target", "value"),
                "missing_target",
                "目标值不能为空",
                "the target value is missing",
            )


def _check_sources(groups: dict[str, Any], add: Any) -> None:
    """A real plan (``synthetic: false``) names the source of every baseline, target and
    interim target: the document and article, or "本平台假设: <reason>" (plan-format.md)."""
    for path, ind in groups["indicator"]:
        points: list[tuple[tuple[str | int, ...], Any]] = [
            (("baseline",), ind.get("baseline")),
            (("target",), ind.get("target")),
        ]
        points += [
            (("interim_targets", j), t) for j, t in enumerate(ind.get("interim_targets") or [])
        ]
        for key, point in points:
            if not isinstance(point, Mapping):
                continue
            src = point.get("source")
            if not (isinstance(src, str) and src.strip()):
                add(
                    (*path, *key, "source"),
                    "missing_source",
                    "未注明来源: 应写明文件及条款, 或“本平台假设: 原因”",
                    "no source: name the document and article, or '本平台假设: <reason>'",
                )
