"""Read an assessment scheme (考核方案, YAML; docs/assessment.md): every problem named by
the file and the key, in Chinese and English, and nothing half-read."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from yanzhi.core.assessment import Item, Part, Scheme
from yanzhi.core.issues import InputRejected, Issue
from yanzhi.ingest.planfile import read_yaml_file

SOURCES = ("index", "self")


def builtin_scheme_path() -> Path:
    return Path(str(resources.files("yanzhi.data").joinpath("assessment/ningbo-district.yaml")))


def _items(doc: Any, key: str, issues: list[Issue], file: str) -> tuple[tuple[Item, ...], float]:
    block = doc.get(key) or {}
    items = []
    for n, it in enumerate(block.get("items") or []):
        try:
            items.append(Item(str(it["code"]), str(it["name"]), float(it["points"])))
        except (KeyError, TypeError, ValueError):
            issues.append(
                Issue(
                    "scheme_item",
                    f"{key}.items[{n}] 须有 code、name 和数值 points",
                    f"{key}.items[{n}] needs code, name and a numeric points",
                    file=file,
                )
            )
    try:
        cap = float(block.get("cap", 0))
    except (TypeError, ValueError):
        issues.append(
            Issue("scheme_cap", f"{key}.cap 须为数值", f"{key}.cap must be a number", file=file)
        )
        cap = 0.0
    return tuple(items), cap


def read_scheme(path: str | Path | None = None) -> Scheme:
    p = Path(path) if path else builtin_scheme_path()
    doc = read_yaml_file(p, "考核方案", "scheme")
    issues: list[Issue] = []
    parts = []
    for n, part in enumerate(doc.get("parts") or []):
        try:
            source = str(part["source"])
            if source not in SOURCES:
                raise ValueError(source)
            base = float(part.get("base", 0) or 0)
            if not 0 <= base < 1:
                raise ValueError(base)
            parts.append(
                Part(str(part["code"]), str(part["name"]), float(part["points"]), source, base)
            )
        except (KeyError, TypeError, ValueError):
            issues.append(
                Issue(
                    "scheme_part",
                    f"parts[{n}] 须有 code、name、数值 points 和 source(index 或 self),"
                    "基础分比例 base 须在 0 与 1 之间(不含 1)",
                    f"parts[{n}] needs code, name, numeric points, a source (index or self) "
                    "and a base share from 0 to below 1",
                    file=p.name,
                )
            )
    if not parts and not issues:
        issues.append(Issue("scheme_parts", "考核方案没有考核内容(parts)", "no parts", file=p.name))
    bonus, bonus_cap = _items(doc, "bonus", issues, p.name)
    penalty, penalty_cap = _items(doc, "penalty", issues, p.name)
    if issues:
        raise InputRejected(issues, what=p.name)
    return Scheme(
        str(doc.get("code") or p.stem),
        str(doc.get("name") or p.stem),
        str(doc.get("level") or "district"),
        doc.get("assumption"),
        tuple(parts),
        bonus,
        bonus_cap,
        penalty,
        penalty_cap,
    )
