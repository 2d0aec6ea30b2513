"""Where each evaluation indicator comes from, in Chinese: the plan indicator, statistic,
register or enterprise count named as a bureau reads it ("高新技术企业数（当年认定）")
instead of the framework file's field names (``hightech=True, hightech_cert_year=year``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yanzhi.core.dataformats import ENTERPRISES
from yanzhi.core.plan.model import Plan
from yanzhi.core.registers import REGISTER_KINDS

_FLAG_ZH = {f.code: f.zh for f in ENTERPRISES.fields}


def source_names(plan: Plan | None) -> dict[str, str]:
    """Code → Chinese name of every plan indicator, data element and register kind."""
    names = {k: v.zh for k, v in REGISTER_KINDS.items()}
    if plan is not None:
        names |= {e.code: e.name for e in plan.data_elements}
        names |= {i.code: i.name for i in plan.indicators}
    return names


def source_zh(kind: str, source: Any, names: Mapping[str, str]) -> str:
    """The source of an indicator in Chinese."""
    if isinstance(source, dict):
        return _count_zh(source)
    text = str(source)
    name = names.get(text, text)
    return f"{name}（登记簿）" if kind == "register" and "登记" not in name else name


def _count_zh(filters: Mapping[str, Any]) -> str:
    """An enterprise count's filters: the flags it requires, a minimum R&D intensity, the
    certificate year."""
    flags = [_enterprises(_FLAG_ZH.get(k, k)) for k, v in filters.items() if v is True]
    extra = []
    for k, v in filters.items():
        if k == "rd_intensity_min":
            extra.append(f"研发投入强度不低于{v}%")
        elif k.endswith("_cert_year") and v == "year":
            extra.append("当年认定")
    text = "、".join(flags) + "数" if flags else "企业数"
    text = text.replace("企业、", "、") if len(flags) > 1 else text
    return text + (f"（{'，'.join(extra)}）" if extra else "")


def _enterprises(flag: str) -> str:
    """A register flag as a kind of enterprise (规上工业 → 规上工业企业)."""
    return flag if flag.endswith("企业") else f"{flag}企业"
