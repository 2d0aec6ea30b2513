"""Read a plan file (YAML) and check it; errors name the file, the line, the document path
and the reason in Chinese and English."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from yanzhi.core.issues import InputRejected, Issue
from yanzhi.core.plan import Plan, plan_from_document, validate_plan

BUILTIN_PLANS = {
    "ningbo": "ningbo-315-2023-2027.yaml",
    "example": "example-city.yaml",
}
MAX_PLAN_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class PlanFile:
    plan: Plan
    document: dict[str, Any]
    name: str
    sha256: str


def builtin_plan_path(name: str = "ningbo") -> Path:
    ref = resources.files("yanzhi.data").joinpath(f"plans/{BUILTIN_PLANS[name]}")
    return Path(str(ref))


def read_plan(path: str | Path, *, known_units: Iterable[str] | None = None) -> PlanFile:
    """Parse and validate; raise :class:`InputRejected` with every issue found."""
    path = Path(path)
    name = str(path)
    raw = _read_bytes(path, name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputRejected(
            [
                Issue(
                    "encoding",
                    "计划文件应为 UTF-8 编码",
                    f"a plan file must be UTF-8 ({exc.reason} at byte {exc.start})",
                    file=name,
                )
            ],
            what=name,
        ) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputRejected(
            [
                Issue(
                    "yaml_syntax",
                    f"YAML 语法错误: {exc}",
                    f"YAML syntax error: {exc}",
                    file=name,
                    row=line,
                )
            ],
            what=name,
        ) from None
    doc = plain_yaml(doc)
    issues = validate_plan(doc, file=name, known_units=known_units)
    if issues:
        raise InputRejected([_with_line(i, node) for i in issues], what=name)
    return PlanFile(plan_from_document(doc), doc, name, hashlib.sha256(raw).hexdigest())


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_PLAN_BYTES:
            raise InputRejected(
                [
                    Issue(
                        "file_too_large",
                        f"文件过大({size} 字节)",
                        f"file too large ({size} bytes; at most {MAX_PLAN_BYTES})",
                        file=name,
                    )
                ],
                what=name,
            )
        return path.read_bytes()
    except OSError as exc:
        raise InputRejected(
            [
                Issue(
                    "file_unreadable",
                    f"无法读取文件: {exc.strerror}",
                    f"cannot read file: {exc.strerror}",
                    file=name,
                )
            ],
            what=name,
        ) from None


def plain_yaml(x: Any) -> Any:
    """YAML dates become ISO strings so the schema sees the text the author wrote."""
    if isinstance(x, dict):
        return {str(k): plain_yaml(v) for k, v in x.items()}
    if isinstance(x, list):
        return [plain_yaml(v) for v in x]
    if isinstance(x, dt.date):
        return x.isoformat()
    return x


def read_yaml_file(p: Path, what_zh: str, what_en: str) -> Any:
    """A YAML file's document as :func:`plain_yaml` gives it; a file that cannot be read or
    parsed is refused (InputRejected) naming the file, in Chinese and English."""
    try:
        return plain_yaml(yaml.safe_load(p.read_text("utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputRejected(
            [
                Issue(
                    "unreadable",
                    f"无法读取{what_zh}: {exc}",
                    f"cannot read the {what_en}: {exc}",
                    file=p.name,
                )
            ],
            what=p.name,
        ) from None


def _with_line(issue: Issue, root: yaml.Node | None) -> Issue:
    node = _node_at(root, issue.path or "")
    if node is None:
        return issue
    return dataclasses.replace(issue, row=node.start_mark.line + 1)


def _node_at(root: yaml.Node | None, path: str) -> yaml.Node | None:
    """The deepest YAML node on a ``a[1].b`` path (for the line number of an issue)."""
    node = root
    for part in _split(path):
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            child = next((v for k, v in node.value if k.value == part), None)
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            child = node.value[part]
        if child is None:
            break
        node = child
    return node


def _split(path: str) -> list[str | int]:
    out: list[str | int] = []
    for chunk in path.replace("]", "").split("."):
        name, *idx = chunk.split("[")
        if name:
            out.append(name)
        out.extend(int(i) for i in idx)
    return out
