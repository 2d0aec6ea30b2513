"""Where the synthetic demo's innovation happens: a profile of every district and township of
Ningbo (kind, innovation factor, enterprise placement), so that districts and townships differ
as real ones do — industrial streets and development zones lead, mountain and island
townships trail — while the city totals stay calibrated (:mod:`yanzhi.core.demo`).

Every number here is an **assumption** (docs/demo-data.md, "Places"), guided by the published
district facts quoted there; none is a published district statistic. Pure data and
arithmetic; deterministic for a random generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Relative innovation level of each district (city average ≈ 1). Assumption guided by the
# published facts in docs/demo-data.md: the port-industrial 北仑 and the petrochemical and
# research district 镇海 (甬江科创区, 中科院宁波材料所) and 鄞州 (宁波高新区) lead; the southern
# counties 宁海 and 象山 trail.
DISTRICT_INNOVATION: dict[str, float] = {
    "330211": 1.30,  # 镇海区
    "330206": 1.35,  # 北仑区
    "330212": 1.25,  # 鄞州区 (incl. 宁波高新区)
    "330205": 1.10,  # 江北区
    "330281": 1.10,  # 余姚市
    "330282": 1.00,  # 慈溪市 (incl. 前湾新区)
    "330203": 0.90,  # 海曙区
    "330213": 0.85,  # 奉化区
    "330226": 0.80,  # 宁海县
    "330225": 0.70,  # 象山县
}
# Relative innovation level by kind of township-level unit.
KIND_INNOVATION = {"zone": 1.35, "街道": 1.05, "镇": 0.95, "乡": 0.60}
# Relative number of 规上工业 enterprises by kind (within a district).
KIND_PLACEMENT = {"zone": 1.2, "街道": 0.6, "镇": 1.0, "乡": 0.3}

# Industrial streets, development zones and science parks (assumption from their known role):
# more enterprises, larger ones, more R&D.
HUBS = frozenset({
    "新碶街道", "小港街道", "大碶街道", "保税区",  # 北仑 (port industry, 保税区)
    "蛟川街道", "庄市街道", "骆驼街道",  # 镇海 (炼化, 甬江科创区)
    "梅墟街道", "新明街道", "聚贤街道", "姜山镇",  # 鄞州 (宁波高新区)
    "洪塘街道", "甬江街道",  # 江北 (甬江科创区)
    "阳明街道", "兰江街道",  # 余姚 (光电)
    "高新技术产业园区", "环杭州湾创新中心", "滨海经济开发区", "宗汉街道",  # 慈溪 / 前湾
    "石碶街道",  # 海曙
    "桥头胡街道",  # 宁海 (经济开发区)
})  # fmt: skip
# Mountain townships (四明山区, 天台山余脉) and island townships: few enterprises, small ones.
REMOTE = frozenset({
    "四明山镇", "大岚镇", "鹿亭乡", "梁弄镇",  # 余姚, 四明山
    "章水镇", "龙观乡",  # 海曙, 四明山
    "塘溪镇",  # 鄞州
    "溪口镇", "大堰镇",  # 奉化
    "鹤浦镇", "高塘岛乡", "茅洋乡", "黄避岙乡",  # 象山: islands and coast
    "岔路镇", "桑洲镇", "黄坛镇", "胡陈乡", "茶院乡",  # 宁海 mountains
})  # fmt: skip
# Zones that are not industrial: farming and trade.
NON_INDUSTRIAL_ZONES = frozenset({"现代农业开发区", "长三角商贸园区"})
HUB_INNOVATION, REMOTE_INNOVATION, NON_INDUSTRIAL_INNOVATION = 1.5, 0.45, 0.5
HUB_PLACEMENT, REMOTE_PLACEMENT, NON_INDUSTRIAL_PLACEMENT = 1.8, 0.25, 0.3
# How much more likely a large (medium) enterprise is to sit in a hub or a zone, and how much
# less likely in a remote township, than a small one: placement × AFFINITY ** exponent.
SIZE_AFFINITY_EXPONENT = (1.0, 0.5, 0.0, 0.0)  # large, medium, small, micro
HUB_AFFINITY, ZONE_AFFINITY, REMOTE_AFFINITY, XIANG_AFFINITY = 3.0, 2.0, 0.1, 0.3
# Resident population weight by kind (within a district): urban streets are populous.
KIND_POPULATION = {"zone": 0.5, "街道": 1.3, "镇": 1.0, "乡": 0.35}
REMOTE_POPULATION = 0.45


def kind(code: str, name: str) -> str:
    """The kind of a township-level unit: ``zone`` (code x4xx), 街道, 乡 or 镇."""
    if len(code) == 9 and code[6] == "4":
        return "zone"
    if name.endswith("街道"):
        return "街道"
    return "乡" if name.endswith("乡") else "镇"


def role(name: str) -> str:
    """``hub``, ``remote``, ``non_industrial`` or ``ordinary`` (by the unit's name)."""
    if name in HUBS:
        return "hub"
    if name in REMOTE:
        return "remote"
    return "non_industrial" if name in NON_INDUSTRIAL_ZONES else "ordinary"


@dataclass(frozen=True)
class Places:
    """Per-township arrays (in the order of the townships given to :func:`profile`)."""

    district: np.ndarray  # district code of each township
    innovation: np.ndarray  # relative innovation factor (city mean ≈ 1)
    placement: np.ndarray  # relative enterprise weight within its district (before noise)
    affinity: np.ndarray  # large-enterprise affinity
    population: np.ndarray  # relative resident population weight within its district


def profile(rng: np.random.Generator, townships: Sequence[tuple[str, str, str]]) -> Places:
    """The profile of every township: district × kind × role, with a little persistent
    noise (log-normal σ 0.15) on the innovation factor."""
    kinds = [kind(code, name) for code, name, _ in townships]
    roles = [role(name) for _, name, _ in townships]
    district = np.array([t[2] for t in townships])
    role_inno = {"hub": HUB_INNOVATION, "remote": REMOTE_INNOVATION,
                 "non_industrial": NON_INDUSTRIAL_INNOVATION, "ordinary": 1.0}  # fmt: skip
    role_place = {"hub": HUB_PLACEMENT, "remote": REMOTE_PLACEMENT,
                  "non_industrial": NON_INDUSTRIAL_PLACEMENT, "ordinary": 1.0}  # fmt: skip
    innovation = np.array(
        [
            DISTRICT_INNOVATION.get(d, 1.0) * KIND_INNOVATION[k] * role_inno[r]
            for d, k, r in zip(district, kinds, roles, strict=True)
        ]
    ) * rng.lognormal(0.0, 0.15, len(townships))
    placement = np.array(
        [KIND_PLACEMENT[k] * role_place[r] for k, r in zip(kinds, roles, strict=True)]
    )
    affinity = np.array(
        [
            HUB_AFFINITY if r == "hub" else REMOTE_AFFINITY if r == "remote"
            else ZONE_AFFINITY if k == "zone" and r == "ordinary"
            else XIANG_AFFINITY if k == "乡" or r == "non_industrial" else 1.0
            for k, r in zip(kinds, roles, strict=True)
        ]
    )  # fmt: skip
    population = np.array(
        [
            KIND_POPULATION[k] * (REMOTE_POPULATION if r == "remote" else 1.0)
            for k, r in zip(kinds, roles, strict=True)
        ]
    )
    return Places(district, innovation, placement, affinity, population)
