"""Read a division-code file (CSV: code, name, level, parent_code) into an org-unit tree."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

from yanzhi.core.issues import InputRejected, Issue
from yanzhi.core.orgtree import Level, OrgTree, OrgUnit

REQUIRED_COLUMNS = ("code", "name", "level", "parent_code")
BUILTIN_DIVISIONS = {"ningbo": "ningbo-330200.csv"}


def builtin_divisions_path(name: str = "ningbo") -> Path:
    return Path(
        str(resources.files("yanzhi.data").joinpath(f"divisions/{BUILTIN_DIVISIONS[name]}"))
    )


def read_divisions(path: str | Path) -> OrgTree:
    name = str(path)
    text = Path(path).read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputRejected(
            [
                Issue(
                    "missing_column",
                    f"缺少列: {', '.join(missing)}",
                    f"missing column(s): {', '.join(missing)}",
                    file=name,
                    row=1,
                )
            ],
            what=name,
        )
    units, issues = [], []
    for row_no, row in enumerate(reader, start=2):
        level = (row["level"] or "").strip()
        if level not in Level.__members__.values():
            issues.append(
                Issue(
                    "unknown_level",
                    f"未知层级 {level!r}",
                    f"unknown level {level!r}",
                    file=name,
                    row=row_no,
                    column="level",
                    value=level,
                )
            )
            continue
        units.append(
            OrgUnit.make(
                row["code"].strip(),
                row["name"].strip(),
                level,
                (row["parent_code"] or "").strip() or None,
            )
        )
    if issues:
        raise InputRejected(issues, what=name)
    return OrgTree(units, source=name, first_row=2)
