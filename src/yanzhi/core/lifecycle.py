"""The lifecycle of an item on the three lists (三张清单), declared as data: the stages of
each list in order, the moves allowed between them and what a stage needs recorded.

- 卡点清单 (a bottleneck): 已识别 → 攻关中 (a 攻关 project, by its code in the key R&D
  project register) → 已突破 (evidence of the breakthrough);
- 推广清单 (a new technology or product): 已发布 → 推广应用中 (how many enterprises adopt it)
  → 已规模应用;
- 转化清单 (an achievement): 成果登记 → 已签约 (a transfer contract and its value, 万元) →
  已产业化 (in production).

Any stage but the last may end in 已终止. An item may move to another list only into that
list's first stage (a bottleneck broken through becomes a technology to promote). Moving
back, or skipping a stage, is refused with the reason. An item recorded before stages were
kept has none: its first recorded stage may be any.

Pure: standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

STOPPED = "已终止"


@dataclass(frozen=True)
class Lifecycle:
    """A list's stages in order (the last is its goal), and the fields a stage needs."""

    list_code: str
    stages: tuple[str, ...]
    needs: Mapping[str, tuple[str, ...]]

    def allowed(self, stage: str) -> tuple[str, ...]:
        """The stages an item at ``stage`` may move to (besides staying)."""
        if stage == STOPPED or stage == self.stages[-1]:
            return ()
        i = self.stages.index(stage)
        return (self.stages[i + 1], STOPPED)

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.stages, STOPPED)


LIFECYCLES: Mapping[str, Lifecycle] = MappingProxyType(
    {
        "blocking": Lifecycle(
            "blocking",
            ("已识别", "攻关中", "已突破"),
            {"攻关中": ("project",), "已突破": ("evidence",)},
        ),
        "promotion": Lifecycle(
            "promotion",
            ("已发布", "推广应用中", "已规模应用"),
            {"推广应用中": ("adopters",), "已规模应用": ("adopters", "evidence")},
        ),
        "transfer": Lifecycle(
            "transfer",
            ("成果登记", "已签约", "已产业化"),
            {"已签约": ("contract_value",), "已产业化": ("contract_value", "evidence")},
        ),
    }
)
"""Every list's lifecycle, by list code (``core.registers.LISTS``)."""

ALL_STAGES: tuple[str, ...] = tuple(dict.fromkeys(s for lc in LIFECYCLES.values() for s in lc.all))

FIELD_NAMES = {
    "project": "攻关项目编号",
    "evidence": "佐证材料",
    "adopters": "应用企业数",
    "contract_value": "合同金额",
}


def check_stage(
    list_code: str,
    stage: str | None,
    fields: Mapping[str, object],
    *,
    before: tuple[str, str | None] | None = None,
) -> list[tuple[str, str, str]]:
    """What is wrong with an item on ``list_code`` at ``stage`` with ``fields``, given its
    list and stage ``before`` (None: a new item): (rule, Chinese, English) for each
    problem; empty when the item may be recorded so."""
    lc = LIFECYCLES[list_code]
    if stage is None:
        return []
    if stage not in lc.all:
        return [
            (
                "stage",
                f"“{stage}”不是该清单的阶段(可选: {'、'.join(lc.all)})",
                f"{stage!r} is not a stage of this list ({', '.join(lc.all)})",
            )
        ]
    out = [
        ("stage_needs", f"阶段“{stage}”须填写{FIELD_NAMES[f]}", f"stage {stage!r} needs {f}")
        for f in lc.needs.get(stage, ())
        if fields.get(f) in (None, "")
    ]
    if before is None:
        return out
    old_list, old_stage = before
    if old_stage is None or old_stage not in LIFECYCLES[old_list].all:
        return out
    if old_list != list_code:
        if stage != lc.stages[0]:
            out.append(
                (
                    "stage_move",
                    f"转入其他清单时须从“{lc.stages[0]}”开始",
                    f"an item moved to another list starts at {lc.stages[0]!r}",
                )
            )
        return out
    old = LIFECYCLES[old_list]
    if stage != old_stage and stage not in old.allowed(old_stage):
        nxt = "、".join(old.allowed(old_stage)) or "无(已是最终阶段)"
        out.append(
            (
                "stage_move",
                f"不能从“{old_stage}”改为“{stage}”(可改为: {nxt})",
                f"cannot move from {old_stage!r} to {stage!r}",
            )
        )
    return out


@dataclass(frozen=True)
class StageCount:
    """Items of a list at a stage, with the adopters and contract value they record (None
    when no item at the stage records it: not zero)."""

    list_code: str
    stage: str
    count: int
    adopters: int | None
    contract_value: float | None  # 万元


def stage_counts(items: list[tuple[str, str | None, Mapping[str, object]]]) -> list[StageCount]:
    """Per list and stage (in lifecycle order; 未登记阶段 for items without one): how many
    items, their adopters and contract value. ``items``: (list code, stage, fields)."""
    out: list[StageCount] = []
    for code, lc in LIFECYCLES.items():
        mine = [(s, f) for c, s, f in items if c == code]
        for stage in (*lc.all, None):
            at = [f for s, f in mine if s == stage]
            if stage is None and not at:
                continue
            adopters = [int(str(f["adopters"])) for f in at if f.get("adopters") not in (None, "")]
            values = [
                float(str(f["contract_value"]))
                for f in at
                if f.get("contract_value") not in (None, "")
            ]
            out.append(
                StageCount(
                    code,
                    stage or "未登记阶段",
                    len(at),
                    sum(adopters) if adopters else None,
                    round(sum(values), 2) if values else None,
                )
            )
    return out
