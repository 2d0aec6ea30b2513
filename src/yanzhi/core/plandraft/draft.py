"""Assemble a plan-file draft from a document's text: every element keeps its span in the
normalised text, a confidence and, when it needs a person, the reason."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from yanzhi.core.plandraft.catalogue import Catalogue, match_key
from yanzhi.core.plandraft.markers import KINDS, blocks
from yanzhi.core.plandraft.normalise import normalise
from yanzhi.core.plandraft.structure import (
    Found,
    find_issuer,
    find_period,
    find_programmes,
    find_sections,
    find_title,
    find_units,
    first_clause,
)
from yanzhi.core.plandraft.targets import Target, find_landmarks, find_targets, stated_counts
from yanzhi.core.plandraft.tasktargets import task_targets

REVIEW_BELOW = 0.8
"""An element whose confidence is below this is flagged for review."""

KIND_ZH = {
    "plan": "规划信息",
    "indicator": "核心指标",
    "interim": "中期目标",
    "landmark": "标志性成果",
    "programme": "工程/行动",
    "task": "任务",
    "guarantee": "保障措施",
    "department": "责任单位",
    "structure": "结构核对",
    "task_target": "任务目标",
}


@dataclass(frozen=True)
class Element:
    """One extracted element: where it goes in the plan file, what it says, where it came
    from (span in the normalised text) and how sure the rules are."""

    kind: str
    path: str  # the plan-file path, e.g. programmes[0].tasks[2]
    label: str
    start: int
    end: int
    confidence: float
    reason: str = ""

    @property
    def flagged(self) -> bool:
        return self.confidence < REVIEW_BELOW


@dataclass
class Draft:
    """The draft plan document, the normalised text and the elements found."""

    document: dict[str, Any]
    text: str
    elements: list[Element] = field(default_factory=list)

    @property
    def flagged(self) -> list[Element]:
        return [e for e in self.elements if e.flagged]

    def counts(self) -> dict[str, int]:
        """Elements found per kind."""
        out: dict[str, int] = {}
        for e in self.elements:
            out[e.kind] = out.get(e.kind, 0) + 1
        return out

    def add(
        self,
        kind: str,
        path: str,
        label: str,
        span: tuple[int, int],
        confidence: float,
        reason: str = "",
    ) -> None:
        self.elements.append(
            Element(kind, path, label, span[0], span[1], round(confidence, 2), reason)
        )


def draft_plan(
    raw_text: str, catalogue: Catalogue, places: Mapping[str, str] | None = None
) -> Draft:
    """Draft a plan document from the text of a policy document. ``places`` maps place
    names (宁波市, 海曙区) to region codes."""
    text = normalise(raw_text)
    d = Draft({}, text)
    title = find_title(text)
    period = find_period(text, title)
    issuer = find_issuer(text, title)
    start, end = (period[0], period[1]) if period else (None, None)
    meta = _meta(d, text, title, period, issuer, places or {})
    sections = find_sections(text)
    programmes = _programmes(d, text, sections.tasks)
    guarantees = _guarantees(d, text, sections.guarantees)
    indicators, elements = _indicators(d, text, sections.objectives, end, catalogue, meta["title"])
    landmarks = _landmarks(d, text, programmes)
    _task_targets(d, text, programmes, landmarks, end)
    departments = _departments(programmes)
    d.document = {
        "schema_version": 1,
        "plan": meta,
        "data_elements": elements,
        "indicators": indicators,
        "landmarks": landmarks,
        "programmes": programmes,
        "guarantees": guarantees,
        "departments": departments,
        "functional_zones": [],
    }
    _check_counts(d, text, programmes)
    del start
    return d


def _meta(
    d: Draft,
    text: str,
    title: Found | None,
    period: Any,
    issuer: Found | None,
    places: Mapping[str, str],
) -> dict[str, Any]:
    for path, found, what in (("plan.title", title, "标题"), ("plan.issuer", issuer, "发文单位")):
        if found is None:
            d.add("plan", path, f"未找到{what}", (0, 0), 0.0, f"未找到{what}, 请填写")
        else:
            d.add(
                "plan", path, found.value, (found.start, found.end), found.confidence, found.reason
            )
    if period is None:
        d.add(
            "plan", "plan.start_year", "未找到规划期", (0, 0), 0.0, "未找到规划期, 请填写起止年份"
        )
        start = end = None
    else:
        start, end, f = period
        d.add(
            "plan", "plan.start_year", f"{start}–{end}年", (f.start, f.end), f.confidence, f.reason
        )
    region = None
    for name, code in sorted(places.items(), key=lambda x: -len(x[0])):
        for src in (title, issuer):
            if src is not None and src.value.startswith(name):
                region = region or (code, src, name)
    if region is None:
        d.add(
            "plan",
            "plan.region",
            "未识别区划",
            (0, 0),
            0.0,
            "未能由标题或发文单位识别区划代码, 请填写",
        )
    else:
        d.add(
            "plan",
            "plan.region",
            f"区划: {region[2]}",
            (region[1].start, region[1].start + len(region[2])),
            0.85,
        )
    code = "-".join(
        str(x) for x in ("plan", region[0] if region else "draft", start, end) if x is not None
    )
    return {
        "code": code,
        "title": title.value if title else "",
        "issuer": issuer.value if issuer else "",
        "status": "draft" if "征求意见稿" in text[:3000] else "issued",
        "region": region[0] if region else None,
        "start_year": start,
        "end_year": end,
        "baseline_year": start - 1 if start else None,
        "source": None,
        "synthetic": False,
        "note": "由 yanzhi plan draft 从文件文本自动起草, 经人工核对后使用。",
    }


def _programmes(d: Draft, text: str, span: tuple[int, int]) -> list[dict[str, Any]]:
    out = []
    for i, prog in enumerate(find_programmes(text, *span), 1):
        head_end = prog.tasks[0].marker.start if prog.tasks else prog.block.end
        intro = text[prog.block.marker.body : head_end].strip()
        title, whole = first_clause(intro, 30)
        title = re.sub(r"^实施(?=.{2,}(?:工程|行动)$)", "", title)
        p: dict[str, Any] = {"code": f"P{i}", "title": title, "weight": 1, "tasks": []}
        if prog.tasks and len(re.sub(r"^[^。,;:]*[。,;:]?", "", intro).strip()) > 5:
            p["text"] = intro
        d.add(
            "programme",
            f"programmes[{i - 1}]",
            title,
            (prog.block.marker.start, head_end),
            0.9 if whole and title else 0.6,
            "" if whole and title else "工程/行动名称可能被截断",
        )
        for j, blk in enumerate(prog.tasks, 1):
            body = blk.text(text)
            leads, cos, _ = find_units(body)
            ttitle, twhole = first_clause(body, 30)
            conf, reason = 0.9, ""
            if not twhole:
                conf, reason = 0.65, "任务标题超过30字, 已截断"
            elif not body.rstrip(")").endswith(("。", ";", "!")):
                conf, reason = 0.6, "任务文本结尾不完整, 可能与下文粘连或缺字(扫描件), 请核对"
            task = {
                "code": f"P{i}.T{j}",
                "title": ttitle,
                "text": body,
                "lead": leads[0] if leads else None,
                "co_units": leads[1:] + cos,
                "weight": 1,
                "targets": [],
            }
            p["tasks"].append(task)
            d.add(
                "task",
                f"programmes[{i - 1}].tasks[{j - 1}]",
                ttitle,
                (blk.marker.start, blk.end),
                conf,
                reason,
            )
        out.append(p)
    return out


def _guarantees(d: Draft, text: str, span: tuple[int, int] | None) -> list[dict[str, Any]]:
    if span is None:
        return []
    items = next((b for k in KINDS if (b := blocks(text, k, *span))), [])
    out = []
    for i, blk in enumerate(items, 1):
        body = blk.text(text)
        title, whole = first_clause(body, 30)
        g: dict[str, Any] = {"code": f"G{i}", "title": title, "text": body}
        rules = [t for t in find_targets(text, blk.marker.body, blk.end, None) if t.growth]
        if rules:
            g["rules"] = [
                {
                    "code": f"G{i}.R{k}",
                    "description": t.name + _written(t),
                    "kind": "growth",
                    "value": t.value,
                    "unit": t.unit or None,
                    "comparator": t.comparator,
                }
                for k, t in enumerate(rules, 1)
            ]
        out.append(g)
        d.add(
            "guarantee",
            f"guarantees[{i - 1}]",
            title,
            (blk.marker.start, blk.end),
            0.9 if whole else 0.65,
            "" if whole else "保障措施标题超过30字, 已截断",
        )
    return out


def _written(t: Target) -> str:
    verb = t.words.split("…")[0] if t.words and t.words != "以上" else ""
    verb = "" if verb and t.name.endswith(verb) else verb  # 年均增长 + 增长 15%
    tail = "以上" if "以上" in t.words else ""
    return f"{verb}{t.value:g}{t.unit}{tail}"


def _indicators(
    d: Draft, text: str, span: tuple[int, int] | None, end: int | None, cat: Catalogue, title: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if span is None:
        d.add(
            "structure",
            "indicators",
            "未找到主要目标",
            (0, 0),
            0.0,
            "未找到主要目标段落, 核心指标需人工填写",
        )
        return [], []
    by_code: dict[str, dict[str, Any]] = {}
    elements: dict[str, dict[str, Any]] = {}
    unknown = 0
    for t in find_targets(text, *span, end):
        year = t.year or end
        point: dict[str, Any] = {
            "year": year,
            "value": t.value,
            "comparator": t.comparator,
            "source": f"《{title}》主要目标: {text[t.start : t.end].strip()}",
        }
        if t.alternative is not None:
            point["note"] = f"力争/争取 {t.alternative:g}{t.unit}"
        m = cat.match(t.name)
        key = m.entry.code if m else "?" + match_key(t.name)
        if m is not None:
            code = m.entry.code
            spec = dict(m.entry.indicator)
            for e in m.entry.data_elements:
                elements.setdefault(e["code"], dict(e))
            conf, reason = (
                m.confidence,
                ""
                if m.confidence >= REVIEW_BELOW
                else f"指标名称与目录中“{spec['name']}”相近, 请确认",
            )
            unit = str(spec.get("unit", ""))
            if t.unit and not unit.startswith(t.unit.replace("个百分点", "%")):
                conf, reason = min(conf, 0.6), f"原文单位“{t.unit}”与目录单位“{unit}”不同, 请核对"
        else:
            if key not in by_code:
                unknown += 1
            code = by_code[key]["code"] if key in by_code else f"DRAFT_{unknown}"
            spec = {
                "code": code,
                "name": t.name,
                "unit": t.unit,
                "direction": "down" if t.comparator in ("<=", "<") else "up",
                "frequency": "annual",
                "source": "statistic",
            }
            conf, reason = 0.5, "指标不在指标目录中: 请补充计算公式(formula)和所需数据项, 或删去"
        if year is None:
            conf, reason = min(conf, 0.4), "未找到目标年份, 请填写"
        if key in by_code:  # a second year for the same indicator: the earlier one is interim
            ind = by_code[key]
            later, earlier = (
                (point, ind["target"])
                if (year or 0) >= ind["target"]["year"]
                else (ind["target"], point)
            )
            ind["target"] = later
            ind.setdefault("interim_targets", []).append(earlier)
            ind["interim_targets"].sort(key=lambda p: p["year"])
            if later is point:  # the indicator's element now points at its final target
                idx = next(
                    i
                    for i, e in enumerate(d.elements)
                    if e.path == f"indicators[{list(by_code).index(key)}]"
                )
                old = d.elements[idx]
                d.elements[idx] = Element(
                    old.kind,
                    old.path,
                    f"{t.name}: {_written(t)} ({year}年)",
                    t.start,
                    t.end,
                    old.confidence,
                    old.reason,
                )
            d.add(
                "interim",
                f"indicators[{list(by_code).index(key)}].interim_targets",
                f"{t.name} {earlier['year']}年 {earlier['value']}",
                (t.start, t.end),
                conf,
                reason,
            )
            continue
        ind = {
            **spec,
            "headline": True,
            "target": point,
            "references": [f"原文: {text[t.start : t.end].strip()}"],
        }
        by_code[key] = ind
        label = f"{t.name} → {spec['name'] if m else '(未知指标)'}: {_written(t)} ({year}年)"
        d.add("indicator", f"indicators[{len(by_code) - 1}]", label, (t.start, t.end), conf, reason)
    return list(by_code.values()), list(elements.values())


def _landmarks(d: Draft, text: str, programmes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    spans = {e.path: (e.start, e.end) for e in d.elements if e.kind == "task"}
    codes = {
        f"programmes[{i}].tasks[{j}]": t["code"]
        for i, p in enumerate(programmes)
        for j, t in enumerate(p["tasks"])
    }
    announced = bool(re.search(r"“十百千”|标志性成果", text))
    out: list[dict[str, Any]] = []
    seen = set()
    title_end = next((e.end for e in d.elements if e.path == "plan.title"), 0)
    for lm in find_landmarks(text, title_end, len(text)):
        if lm.title in seen:
            continue
        seen.add(lm.title)
        task = next((codes[p] for p, (a, b) in spans.items() if a <= lm.start < b), None)
        out.append(
            {
                "code": f"L{len(out) + 1}",
                "title": lm.title,
                "value": lm.value,
                "unit": lm.unit,
                "task": task,
            }
        )
        d.add(
            "landmark",
            f"landmarks[{len(out) - 1}]",
            f"{lm.title} ({lm.value}{lm.unit})",
            (lm.start, lm.end),
            0.85 if announced else 0.7,
            "" if announced else "文件未提标志性成果, 请确认这是否为标志性成果",
        )
    return out


def _departments(programmes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names: list[str] = []
    for p in programmes:
        for t in p["tasks"]:
            for n in [t["lead"], *t["co_units"]]:
                if n and n not in names:
                    names.append(n)
    codes = {n: f"D{i}" for i, n in enumerate(names, 1)}
    for p in programmes:
        for t in p["tasks"]:
            t["lead"] = codes.get(t["lead"]) if t["lead"] else None
            t["co_units"] = [codes[n] for n in t["co_units"]]
    return [{"code": c, "name": n} for n, c in codes.items()]


def _task_targets(
    d: Draft,
    text: str,
    programmes: list[dict[str, Any]],
    landmarks: list[dict[str, Any]],
    year: int | None,
) -> None:
    """Each task's quantitative targets and the landmarks it names; a landmark's metric is
    the metric of its task target."""
    title_end = next((e.end for e in d.elements if e.path == "plan.title"), 0)
    found = find_landmarks(text, title_end, len(text))
    by_title = {lm["title"]: lm for lm in landmarks}
    spans = {e.path: (e.start, e.end) for e in d.elements if e.kind == "task"}
    for i, p in enumerate(programmes):
        for j, task in enumerate(p["tasks"]):
            lo, hi = spans[f"programmes[{i}].tasks[{j}]"]
            mine = [lm for lm in found if by_title.get(lm.title, {}).get("task") == task["code"]]
            for k, tt in enumerate(task_targets(text, lo, hi, year, mine), 1):
                code = f"{task['code']}.Q{k}"
                metric = code.lower().replace(".", "_")
                landmark = next(
                    (
                        lm
                        for lm in mine
                        if tt.start <= lm.start < tt.end and lm.value == tt.target["value"]
                    ),
                    None,
                )
                if landmark is not None:
                    by_title[landmark.title]["metric"] = metric
                task["targets"].append({"code": code, **tt.target, "metric": metric})
                label = (
                    f"{tt.target['description']} ({tt.target['value']:g}{tt.target['unit'] or ''})"
                )
                d.add(
                    "task_target",
                    f"programmes[{i}].tasks[{j}].targets[{k - 1}]",
                    label,
                    (tt.start, tt.end),
                    tt.confidence,
                    tt.reason,
                )


def _check_counts(d: Draft, text: str, programmes: list[dict[str, Any]]) -> None:
    want_p, want_t = stated_counts(text)
    got_p, got_t = len(programmes), sum(len(p["tasks"]) for p in programmes)
    if not programmes:
        d.add(
            "structure",
            "programmes",
            "未找到工程/行动和任务",
            (0, 0),
            0.0,
            "未找到编号的工程/行动和任务, 请补充(计划文件至少需要1项)",
        )
    for want, got, what in ((want_p, got_p, "工程/行动"), (want_t, got_t, "任务")):
        if want is not None:
            ok = want == got
            d.add(
                "structure",
                "programmes",
                f"文件称{want}项{what}, 找到{got}项",
                (0, 0),
                0.95 if ok else 0.3,
                "" if ok else f"文件称{want}项{what}, 只找到{got}项, 请核对",
            )
