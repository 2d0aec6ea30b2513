"""The org-unit tree: city → district (区县市) → township-level unit (乡镇街道).

Roll-up rule: a value of a unit is computed from the enterprises (or statistics) of
the unit and of all its descendants; ratios roll up as Σ numerator / Σ denominator of
the units below, never as an average of the children's ratios. A tree is checked when
it is built: duplicate codes, unknown parents, cycles and a child not one level below
its parent are rejected with every problem listed.

Codes are the national statistical division codes: 6 digits for a county-level unit,
9 for a township-level one. In a 9-digit code the 7th digit tells the township type
(NBS 统计用区划代码): 0 街道, 1 镇, 2–3 乡, 4–5 类似乡级单位 (development zones and
similar), so ``330206401`` (北仑 保税区) is a development zone, not a township.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum

from yanzhi.core.issues import InputRejected, Issue


class Level(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    TOWNSHIP = "township"

    @property
    def depth(self) -> int:
        return _DEPTH[self]


_DEPTH = {Level.PROVINCE: 0, Level.CITY: 1, Level.DISTRICT: 2, Level.TOWNSHIP: 3}


class Kind(StrEnum):
    """The kind of unit within its level (one English name per Chinese term)."""

    PROVINCE = "province"  # 省
    CITY = "city"  # 地级市
    DISTRICT = "district"  # 市辖区 区
    COUNTY = "county"  # 县
    COUNTY_CITY = "county_city"  # 县级市
    SUBDISTRICT = "subdistrict"  # 街道
    TOWN = "town"  # 镇
    XIANG = "xiang"  # 乡
    ZONE = "zone"  # 类似乡级单位: 开发区, 保税区, 产业园区 …


KIND_LABELS: dict[Kind, tuple[str, str]] = {
    Kind.PROVINCE: ("省", "province"),
    Kind.CITY: ("市", "city"),
    Kind.DISTRICT: ("区", "district"),
    Kind.COUNTY: ("县", "county"),
    Kind.COUNTY_CITY: ("县级市", "county-level city"),
    Kind.SUBDISTRICT: ("街道", "subdistrict"),
    Kind.TOWN: ("镇", "town"),
    Kind.XIANG: ("乡", "township (xiang)"),
    Kind.ZONE: ("开发区等", "development zone"),
}


def derive_kind(code: str, name: str, level: Level) -> Kind:
    """The kind of a unit from its code and name (NBS coding rules, then the name)."""
    if level is Level.PROVINCE:
        return Kind.PROVINCE
    if level is Level.CITY:
        return Kind.CITY
    if level is Level.DISTRICT:
        if name.endswith("县"):
            return Kind.COUNTY
        if name.endswith("市"):
            return Kind.COUNTY_CITY
        return Kind.DISTRICT
    if len(code) == 9 and code[6] in "45":
        return Kind.ZONE
    if name.endswith("街道"):
        return Kind.SUBDISTRICT
    if name.endswith("镇"):
        return Kind.TOWN
    if name.endswith("乡"):
        return Kind.XIANG
    by_code = {"0": Kind.SUBDISTRICT, "1": Kind.TOWN, "2": Kind.XIANG, "3": Kind.XIANG}
    return by_code.get(code[6:7], Kind.ZONE)


@dataclass(frozen=True, slots=True)
class OrgUnit:
    code: str
    name: str
    level: Level
    kind: Kind
    parent_code: str | None = None
    name_en: str | None = None

    @classmethod
    def make(
        cls, code: str, name: str, level: str | Level, parent_code: str | None = None
    ) -> OrgUnit:
        lvl = Level(level)
        return cls(code, name, lvl, derive_kind(code, name, lvl), parent_code or None)


class OrgTree:
    """An immutable, validated tree of org units."""

    def __init__(
        self, units: Iterable[OrgUnit], *, source: str = "org units", first_row: int = 1
    ) -> None:
        """``first_row`` is the row number of the first unit in its file (for messages)."""
        units = list(units)
        issues = _check(units, source, first_row)
        if issues:
            raise InputRejected(issues, what=source)
        self._units = {u.code: u for u in units}
        self._children: dict[str | None, list[str]] = {}
        for u in units:
            parent = u.parent_code if u.parent_code in self._units else None
            self._children.setdefault(parent, []).append(u.code)
        for kids in self._children.values():
            kids.sort()

    # -- lookup --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._units)

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def __iter__(self) -> Iterator[OrgUnit]:
        return iter(self.walk())

    def get(self, code: str) -> OrgUnit:
        try:
            return self._units[code]
        except KeyError:
            raise KeyError(f"unknown org unit {code!r} / 未知单位代码 {code!r}") from None

    def roots(self) -> list[OrgUnit]:
        return [self._units[c] for c in self._children.get(None, [])]

    def children(self, code: str) -> list[OrgUnit]:
        self.get(code)
        return [self._units[c] for c in self._children.get(code, [])]

    def parent(self, code: str) -> OrgUnit | None:
        p = self.get(code).parent_code
        return self._units.get(p) if p else None

    # -- traversal -----------------------------------------------------------------------
    def ancestors(self, code: str) -> list[OrgUnit]:
        """From the parent up to the root."""
        out: list[OrgUnit] = []
        node = self.parent(code)
        while node is not None:
            out.append(node)
            node = self.parent(node.code)
        return out

    def descendants(self, code: str, *, include_self: bool = False) -> list[OrgUnit]:
        """Depth-first, children in code order."""
        out = [self.get(code)] if include_self else []
        stack = list(reversed(self._children.get(code, [])))
        while stack:
            c = stack.pop()
            out.append(self._units[c])
            stack.extend(reversed(self._children.get(c, [])))
        return out

    def within(self, code: str, level: Level) -> list[str]:
        """The codes of the units at ``level`` in ``code``'s subtree (itself included),
        depth-first: a district's townships, say."""
        return [u.code for u in self.descendants(code, include_self=True) if u.level is level]

    def holder(self, code: str, level: Level) -> OrgUnit | None:
        """The unit at ``level`` that holds ``code`` (itself when it is at that level):
        a township's district, say; None when no unit above it is at that level."""
        return next((u for u in [self.get(code), *self.ancestors(code)] if u.level is level), None)

    def walk(self) -> list[OrgUnit]:
        return [u for r in self.roots() for u in self.descendants(r.code, include_self=True)]

    def by_level(self, level: Level | str) -> list[OrgUnit]:
        lvl = Level(level)
        return [u for u in self.walk() if u.level is lvl]

    def levels(self) -> Iterator[tuple[Level, list[OrgUnit]]]:
        """Level-wise iteration, top level first (for bottom-up roll-up, reverse it)."""
        for lvl in sorted(Level, key=lambda v: v.depth):
            units = self.by_level(lvl)
            if units:
                yield lvl, units

    def is_within(self, code: str, scope_code: str) -> bool:
        """True if ``code`` is ``scope_code`` or one of its descendants."""
        return code == scope_code or any(a.code == scope_code for a in self.ancestors(code))

    def with_names_en(self, names: dict[str, str]) -> OrgTree:
        return OrgTree(
            replace(u, name_en=names.get(u.code, u.name_en)) for u in self._units.values()
        )


def _issue(source: str, row: int, column: str, rule: str, zh: str, en: str, value: object) -> Issue:
    return Issue(rule, zh, en, file=source, row=row, column=column, value=value)


def _check(units: list[OrgUnit], source: str, first_row: int) -> list[Issue]:
    issues: list[Issue] = []
    seen_at: dict[str, int] = {}
    for i, u in enumerate(units, start=first_row):
        if not u.code or not u.code.isdigit():
            issues.append(
                _issue(
                    source,
                    i,
                    "code",
                    "code_format",
                    f"代码 {u.code!r} 应为数字",
                    f"code {u.code!r} must be digits",
                    u.code,
                )
            )
        if u.code in seen_at:
            issues.append(
                _issue(
                    source,
                    i,
                    "code",
                    "duplicate_code",
                    f"代码 {u.code} 重复(首次出现在第 {seen_at[u.code]} 行)",
                    f"duplicate code {u.code} (first at row {seen_at[u.code]})",
                    u.code,
                )
            )
        else:
            seen_at[u.code] = i
    by_code = {u.code: u for u in units}
    for i, u in enumerate(units, start=first_row):
        parent = by_code.get(u.parent_code) if u.parent_code else None
        top_level = u.level in (Level.PROVINCE, Level.CITY)
        if parent is None and not top_level:
            issues.append(
                _issue(
                    source,
                    i,
                    "parent_code",
                    "unknown_parent",
                    f"上级代码 {u.parent_code!r} 不存在",
                    f"unknown parent code {u.parent_code!r}",
                    u.parent_code,
                )
            )
        elif parent is not None and parent.level.depth != u.level.depth - 1:
            issues.append(
                _issue(
                    source,
                    i,
                    "level",
                    "level_mismatch",
                    f"{u.level} 级单位的上级应低一级, 但 {parent.code} 是 {parent.level}",
                    f"a {u.level} must sit one level below its parent, "
                    f"but {parent.code} is a {parent.level}",
                    u.level,
                )
            )
    issues.extend(_cycles(units, source, first_row))
    return issues


def _cycles(units: list[OrgUnit], source: str, first_row: int) -> list[Issue]:
    parent_of = {u.code: u.parent_code for u in units}
    row_of = {u.code: i for i, u in enumerate(units, start=first_row)}
    issues, reported = [], set()
    for start in parent_of:
        seen: list[str] = []
        node: str | None = start
        while node in parent_of and node not in seen:
            seen.append(node)
            node = parent_of[node]
        if node in seen and node not in reported:
            loop = seen[seen.index(node) :]
            reported.update(loop)
            issues.append(
                _issue(
                    source,
                    row_of[node],
                    "parent_code",
                    "cycle",
                    f"上下级关系成环: {' → '.join([*loop, node])}",
                    f"cycle in parents: {' → '.join([*loop, node])}",
                    node,
                )
            )
    return issues
