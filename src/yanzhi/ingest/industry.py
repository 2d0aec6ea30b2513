"""Read the built-in GB/T 4754-2017 class list (``data/industry/gbt4754-2017.csv``) and the
names of its divisions (``data/industry/gbt4754-2017-divisions.csv``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

MANUFACTURING_DIVISIONS = range(13, 44)
"""Divisions (大类) 13–43 form section C 制造业."""


@dataclass(frozen=True)
class IndustryClass:
    code: str
    name: str
    division: str
    section: str


def builtin_industry_path() -> Path:
    return Path(str(resources.files("yanzhi.data").joinpath("industry/gbt4754-2017.csv")))


def load_industry_classes(path: str | Path | None = None) -> dict[str, IndustryClass]:
    """Code → class for every 4-digit class (the built-in list unless ``path`` is given)."""
    if path is None:
        return dict(_builtin())
    return _read(Path(path))


@cache
def _builtin() -> dict[str, IndustryClass]:
    return _read(builtin_industry_path())


def _read(path: Path) -> dict[str, IndustryClass]:
    text = path.read_bytes().decode("utf-8-sig")
    return {
        row["code"].strip(): IndustryClass(
            row["code"].strip(), row["name"].strip(), row["division"].strip(), row["section"]
        )
        for row in csv.DictReader(io.StringIO(text))
    }


@cache
def division_names() -> dict[str, str]:
    """Division (大类, two digits) → its name, e.g. ``38`` → 电气机械和器材制造业."""
    path = builtin_industry_path().with_name("gbt4754-2017-divisions.csv")
    text = path.read_bytes().decode("utf-8-sig")
    return {
        row["division"].strip(): row["name"].strip() for row in csv.DictReader(io.StringIO(text))
    }


def is_manufacturing(code: str) -> bool:
    """True for a class or division code in divisions 13–43 (section C 制造业)."""
    code = code.strip()
    return len(code) >= 2 and code[:2].isdigit() and int(code[:2]) in MANUFACTURING_DIVISIONS
