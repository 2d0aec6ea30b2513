"""Read and check an evaluation framework file (YAML; format in docs/evaluation.md, "The
Ningbo evaluation"). Every problem becomes an :class:`Issue` naming the file, the document
path (``indicators[3].parent``), the rule and the reason in Chinese and English; all of them
are raised together as :class:`InputRejected`."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from yanzhi.core.composite.spec import DEFAULT_SPEC
from yanzhi.core.evaluation import (
    FLAG_FILTERS,
    ITEM_TYPES,
    SOURCE_KINDS,
    VALUE_FILTERS,
    Framework,
    framework_from_document,
)
from yanzhi.core.issues import InputRejected, Issue
from yanzhi.core.orgtree import Kind
from yanzhi.core.registers import REGISTER_KINDS

BUILTIN_FRAMEWORKS = {"township": "ningbo-township.yaml", "district": "ningbo-district.yaml"}
LEVELS = ("township", "district")
TOP_KEYS = {
    "code", "name", "name_en", "level", "index", "units", "group", "grades", "bonus_cap",
    "deduction_cap", "spec", "uncertainty", "aggregates", "indicators",
}  # fmt: skip
REQUIRED = ("code", "name", "level", "index", "units", "aggregates", "indicators")
ITEM_KEYS = {
    "code", "name", "name_en", "type", "parent", "weight", "direction", "unit", "source",
    "denominator", "target", "fill_missing", "points", "max", "provenance",
}  # fmt: skip


def builtin_framework_path(level: str) -> Path:
    """The shipped Ningbo framework of ``level`` (township | district)."""
    if level not in BUILTIN_FRAMEWORKS:
        raise ValueError(
            f"评价层级应为 township 或 district: {level!r} / level must be township or district"
        )
    ref = resources.files("yanzhi.data").joinpath(f"evaluation/{BUILTIN_FRAMEWORKS[level]}")
    return Path(str(ref))


def plan_references() -> tuple[set[str], set[str]]:
    """Indicator codes and statistic data elements of the built-in Ningbo plan."""
    from yanzhi.ingest.planfile import builtin_plan_path, read_plan

    plan = read_plan(builtin_plan_path("ningbo")).plan
    elements = {e.code for e in plan.data_elements if e.source == "statistic"}
    return {i.code for i in plan.indicators}, elements


def read_framework(
    path: str | Path,
    *,
    indicators: Iterable[str] | None = None,
    elements: Iterable[str] | None = None,
) -> Framework:
    """Parse and check; ``indicators`` / ``elements`` are the plan's indicator codes and
    statistic data elements (default: the built-in Ningbo plan's)."""
    path = Path(path)
    name = str(path)

    def fail(rule: str, zh: str, en: str, row: int | None = None) -> InputRejected:
        return InputRejected([Issue(rule, zh, en, file=name, row=row)], what=name)

    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        raise fail("file_not_found", "找不到评价框架文件", "framework file not found") from None
    except UnicodeDecodeError:
        raise fail("encoding", "评价框架文件应为 UTF-8 编码", "the file must be UTF-8") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise fail("yaml_syntax", f"YAML 语法错误: {exc}", f"YAML syntax error: {exc}",
                   None if mark is None else mark.line + 1) from None  # fmt: skip
    if indicators is None or elements is None:
        known_i, known_e = plan_references()
        indicators = known_i if indicators is None else indicators
        elements = known_e if elements is None else elements
    issues = check_framework(doc, file=name, indicators=set(indicators), elements=set(elements))
    if issues:
        raise InputRejected(issues, what=name)
    return framework_from_document(doc, source_file=name)


class _Checker:
    def __init__(self, file: str, indicators: set[str], elements: set[str]) -> None:
        self.file, self.indicators, self.elements = file, indicators, elements
        self.issues: list[Issue] = []

    def add(self, path: str, rule: str, zh: str, en: str, value: Any = None) -> None:
        self.issues.append(Issue(rule, zh, en, file=self.file, path=path, value=value))

    def number(self, d: Mapping[str, Any], key: str, path: str, *, required: bool) -> None:
        v = d.get(key)
        if v is None:
            if required:
                self.add(f"{path}.{key}", f"missing_{key}", f"缺少 {key}", f"{key} is missing")
        elif isinstance(v, bool) or not isinstance(v, int | float):
            self.add(f"{path}.{key}", "not_a_number", f"{key} 应为数字", f"{key} must be a number",
                     v)  # fmt: skip
        elif v < 0:
            self.add(
                f"{path}.{key}", f"negative_{key}", f"{key} 不能为负", f"{key} must be >= 0", v
            )


def check_framework(
    doc: Any, *, file: str, indicators: set[str], elements: set[str]
) -> list[Issue]:
    """Every problem of a framework document (empty list = valid)."""
    c = _Checker(file, indicators, elements)
    if not isinstance(doc, Mapping):
        c.add("", "not_a_mapping", "文件内容应为映射(键: 值)", "the document must be a mapping")
        return c.issues
    for k in REQUIRED:
        if k not in doc:
            c.add(k, "missing_key", f"缺少必填项 {k}", f"required key {k} is missing")
    for k in sorted(set(doc) - TOP_KEYS):
        c.add(str(k), "unknown_key", f"未知的键 {k}", f"unknown key {k}")
    if c.issues:
        return c.issues
    _check_head(c, doc)
    codes = _check_aggregates(c, doc)
    _check_items(c, doc, codes)
    return c.issues


def _check_head(c: _Checker, doc: Mapping[str, Any]) -> None:
    if doc["level"] not in LEVELS:
        c.add("level", "invalid_value", "level 应为 township 或 district",
              "level must be township or district", doc["level"])  # fmt: skip
    if not isinstance(doc["index"], Mapping) or not doc["index"].get("code"):
        c.add("index.code", "missing_key", "缺少指数代码", "the index needs a code")
    units = doc["units"]
    kinds = units.get("kinds") if isinstance(units, Mapping) else None
    if not isinstance(kinds, list) or not kinds:
        c.add("units.kinds", "missing_key", "缺少单位类型列表", "units.kinds must be a list")
    else:
        valid = {k.value for k in Kind}
        for i, k in enumerate(kinds):
            if k not in valid:
                c.add(f"units.kinds[{i}]", "unknown_kind", f"未知的单位类型 {k}",
                      f"unknown unit kind {k} (one of {sorted(valid)})", k)  # fmt: skip
        for i, k in enumerate(units.get("separate") or []):
            if k not in kinds:
                c.add(f"units.separate[{i}]", "unknown_kind", f"{k} 不在 units.kinds 中",
                      f"{k} is not in units.kinds", k)  # fmt: skip
    g = doc.get("grades") or {}
    th, labels = list(g.get("thresholds", [80, 30])), list(g.get("labels", ["A", "B", "C"]))
    if (g.get("by", "percentile") not in ("score", "percentile") or len(labels) != len(th) + 1
            or any(not isinstance(t, int | float) for t in th)
            or any(a <= b for a, b in itertools.pairwise(th))):  # fmt: skip
        c.add("grades", "invalid_grades",
              "grades: by 应为 score 或 percentile,阈值递减,标签数 = 阈值数 + 1",
              "grades: by is score or percentile, thresholds decrease, one more label than "
              "thresholds")  # fmt: skip
    for k in ("bonus_cap", "deduction_cap"):
        c.number(doc, k, "", required=False)
    spec = doc.get("spec") or {}
    if not isinstance(spec, Mapping):
        c.add("spec", "invalid_value", "spec 应为映射", "spec must be a mapping")
    else:
        for k in sorted(set(spec) - set(DEFAULT_SPEC)):
            c.add(f"spec.{k}", "unknown_key", f"未知的构建步骤 {k}", f"unknown spec key {k}")
    for i, it in enumerate(doc.get("uncertainty") or []):
        ok = isinstance(it, Mapping) and (
            ("path" in it and isinstance(it.get("alternatives"), list) and it["alternatives"])
            or isinstance(it.get("weights_noise"), int | float)
        )
        if not ok:
            c.add(f"uncertainty[{i}]", "invalid_item",
                  "应为 {path, alternatives} 或 {weights_noise, levels}",
                  "must be {path, alternatives} or {weights_noise, levels}")  # fmt: skip


def _check_aggregates(c: _Checker, doc: Mapping[str, Any]) -> dict[str, str]:
    """Codes seen so far -> "aggregate" / "index"."""
    index = doc["index"].get("code") if isinstance(doc["index"], Mapping) else None
    codes: dict[str, str] = {str(index): "index"} if index else {}
    aggs = doc["aggregates"] if isinstance(doc["aggregates"], list) else []
    for i, a in enumerate(aggs):
        path = f"aggregates[{i}]"
        if not isinstance(a, Mapping) or not a.get("code"):
            c.add(path, "missing_code", "缺少代码", "code is missing")
            continue
        _unique(c, codes, str(a["code"]), path, "aggregate")
        c.number(a, "weight", path, required=True)
    for i, a in enumerate(aggs):
        if isinstance(a, Mapping) and a.get("parent") and codes.get(a["parent"]) is None:
            c.add(
                f"aggregates[{i}].parent",
                "unknown_parent",
                f"上级 {a['parent']} 未定义",
                f"parent {a['parent']} is not an aggregate of the framework",
                a["parent"],
            )
    return codes


def _unique(c: _Checker, codes: dict[str, str], code: str, path: str, what: str) -> None:
    if code in codes:
        c.add(f"{path}.code", "duplicate_code", f"代码 {code} 重复", f"duplicate code {code}", code)
    else:
        codes[code] = what


def _check_items(c: _Checker, doc: Mapping[str, Any], codes: dict[str, str]) -> None:
    items = doc["indicators"] if isinstance(doc["indicators"], list) else []
    used: set[str] = set()
    for i, d in enumerate(items):
        path = f"indicators[{i}]"
        if not isinstance(d, Mapping) or not d.get("code") or not d.get("name"):
            c.add(path, "missing_code", "缺少代码或名称", "code or name is missing")
            continue
        _unique(c, codes, str(d["code"]), path, "item")
        for k in sorted(set(d) - ITEM_KEYS):
            c.add(f"{path}.{k}", "unknown_key", f"未知的键 {k}", f"unknown key {k}")
        typ = d.get("type", "Indicator")
        if typ not in ITEM_TYPES:
            c.add(f"{path}.type", "invalid_type", f"类型应为 {'/'.join(ITEM_TYPES)}",
                  f"type must be one of {', '.join(ITEM_TYPES)}", typ)  # fmt: skip
        elif typ == "Indicator":
            _check_indicator(c, d, path, codes)
            used.add(str(d.get("parent")))
        else:
            for k in ("points", "max"):
                c.number(d, k, path, required=True)
        _check_source(c, d, path)
    aggs = [a for a in doc["aggregates"] if isinstance(a, Mapping)]
    parents = used | {str(a.get("parent") or doc["index"].get("code")) for a in aggs}
    for i, a in enumerate(aggs):
        if str(a.get("code")) not in parents:
            c.add(f"aggregates[{i}]", "empty_aggregate", f"{a.get('code')} 没有下级指标",
                  f"aggregate {a.get('code')} has no children")  # fmt: skip
        elif str(a.get("code")) in used and any(b.get("parent") == a.get("code") for b in aggs):
            c.add(f"aggregates[{i}]", "parent_level", "汇总项不能同时包含指标和汇总项",
                  "an aggregate cannot hold both indicators and aggregates")  # fmt: skip


def _check_indicator(c: _Checker, d: Mapping[str, Any], path: str, codes: dict[str, str]) -> None:
    parent = d.get("parent")
    if codes.get(str(parent)) != "aggregate":
        c.add(
            f"{path}.parent",
            "unknown_parent",
            f"{d['code']} 的上级 {parent} 不是已定义的汇总项",
            f"parent {parent} of {d['code']} is not an aggregate of the framework",
            parent,
        )
    c.number(d, "weight", path, required=True)
    c.number(d, "target", path, required=False)
    if d.get("direction", 1) not in (1, -1):
        c.add(f"{path}.direction", "invalid_direction", "方向应为 1 或 -1",
              "direction must be 1 or -1", d.get("direction"))  # fmt: skip
    den = d.get("denominator")
    if den is not None and den not in c.elements:
        c.add(
            f"{path}.denominator",
            "unknown_element",
            f"分母 {den} 不是规划的统计数据项",
            f"denominator {den} is not a statistical data element of the plan",
            den,
        )


def _check_source(c: _Checker, d: Mapping[str, Any], path: str) -> None:
    src = d.get("source")
    if not isinstance(src, Mapping) or len(src) != 1 or next(iter(src)) not in SOURCE_KINDS:
        c.add(f"{path}.source", "invalid_source", "source 应为 {indicator|statistic|"
              "enterprise_count|register: …} 之一", "source must be one of {indicator: CODE}, "
              "{statistic: ELEMENT}, {enterprise_count: FILTER}, {register: KIND}")  # fmt: skip
        return
    (kind, ref), = src.items()  # fmt: skip
    if kind == "indicator" and ref not in c.indicators:
        c.add(f"{path}.source.indicator", "unknown_indicator", f"规划中没有指标 {ref}",
              f"the plan has no indicator {ref}", ref)  # fmt: skip
    elif kind == "statistic" and ref not in c.elements:
        c.add(f"{path}.source.statistic", "unknown_element", f"{ref} 不是规划的统计数据项",
              f"{ref} is not a statistical data element of the plan", ref)  # fmt: skip
    elif kind == "register" and ref not in REGISTER_KINDS:
        c.add(f"{path}.source.register", "unknown_register", f"没有登记簿 {ref}",
              f"no register kind {ref!r}", ref)  # fmt: skip
    elif kind == "enterprise_count":
        if not isinstance(ref, Mapping):
            c.add(f"{path}.source.enterprise_count", "unknown_filter", "筛选条件应为映射",
                  "the filter must be a mapping")  # fmt: skip
            return
        for k in ref:
            if k not in FLAG_FILTERS + VALUE_FILTERS:
                c.add(f"{path}.source.enterprise_count.{k}", "unknown_filter",
                      f"未知的企业筛选条件 {k}",
                      f"unknown enterprise filter {k} (one of "
                      f"{', '.join(FLAG_FILTERS + VALUE_FILTERS)})", k)  # fmt: skip
