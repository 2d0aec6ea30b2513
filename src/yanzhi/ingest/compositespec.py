"""Files of the composite-index commands: the build spec (YAML), weight files (CSV), the
uncertain-inputs file (YAML) and the iData / iMeta pair (COINr CSVs).

Problems become :class:`yanzhi.core.composite.CompositeInputError` issues (table ``spec``,
``weights``, ``uncertain``, ``iData`` or ``iMeta``) so that the caller reports every input
error the same way. The formats are described in docs/evaluation.md, "Command line".
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import yaml

from yanzhi.core.composite import CompositeInputError
from yanzhi.core.composite.errors import issue
from yanzhi.core.composite.robustness import Uncertain
from yanzhi.ingest.coinr import read_coinr_csv

WEIGHT_KEYWORDS = ("original", "equal")


def _fail(table: str, row: int | None, column: str, rule: str, zh: str, en: str) -> NoReturn:
    raise CompositeInputError([issue(table, row, column, rule, zh, en)])


def _load_yaml(path: Path, table: str) -> Any:
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError:
        _fail(
            table,
            None,
            "",
            "encoding",
            f"{path}: 文件应为 UTF-8 编码",
            f"{path}: the file must be UTF-8",
        )
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        where = "" if line is None else f" (line {line})"
        _fail(
            table,
            line,
            "",
            "yaml_syntax",
            f"{path}: YAML 语法错误{where}",
            f"{path}: YAML syntax error{where}: {getattr(exc, 'problem', exc)}",
        )


def read_inputs(idata: str | Path, imeta: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read (iData, iMeta); an unreadable CSV becomes an ``unreadable_file`` issue."""
    out = []
    for table, path in (("iData", idata), ("iMeta", imeta)):
        try:
            out.append(read_coinr_csv(path))
        except (ValueError, pd.errors.ParserError) as exc:  # includes UnicodeDecodeError
            _fail(
                table,
                None,
                "",
                "unreadable_file",
                f"{path}: 无法读取 CSV 文件: {exc}",
                f"{path}: cannot read the CSV file: {exc}",
            )
    return out[0], out[1]


def read_weights(path: str | Path) -> dict[str, float]:
    """A weights CSV with columns ``iCode,Weight`` -> ``{iCode: weight}``."""
    p = Path(path)
    if not p.is_file():
        _fail(
            "weights",
            None,
            "",
            "file_not_found",
            f"权重文件 {p} 不存在",
            f"weights file {p} does not exist",
        )
    try:
        df = pd.read_csv(p, dtype={"iCode": str})
    except (ValueError, pd.errors.ParserError) as exc:
        _fail(
            "weights",
            None,
            "",
            "unreadable_file",
            f"{p}: 无法读取权重文件: {exc}",
            f"{p}: cannot read the weights file: {exc}",
        )
    missing = [c for c in ("iCode", "Weight") if c not in df.columns]
    if missing:
        _fail(
            "weights",
            None,
            missing[0],
            "missing_column",
            f"权重文件缺少列 {missing}",
            f"the weights file lacks column(s) {missing}",
        )
    issues = []
    out: dict[str, float] = {}
    for n, (code, w) in enumerate(zip(df["iCode"], df["Weight"], strict=True), start=1):
        value = pd.to_numeric(pd.Series([w]), errors="coerce").iloc[0]
        if not isinstance(code, str) or not code.strip():
            issues.append(
                issue("weights", n, "iCode", "blank_icode", "iCode 为空", "iCode is empty")
            )
        elif code in out:
            issues.append(
                issue(
                    "weights", n, "iCode", "duplicate_icode", f"{code} 重复", f"{code} is repeated"
                )
            )
        elif not np.isfinite(value):
            issues.append(
                issue(
                    "weights",
                    n,
                    "Weight",
                    "non_numeric",
                    f"权重 {w!r} 不是数",
                    f"weight {w!r} is not a number",
                )
            )
        else:
            out[code.strip()] = float(value)
    if issues:
        raise CompositeInputError(issues)
    return out


def _weights(value: Any, base: Path) -> Any:
    """A weights entry: "original" / "equal" / a mapping stay; another string is a CSV file
    (relative to ``base``)."""
    if isinstance(value, str) and value not in WEIGHT_KEYWORDS:
        return read_weights(base / value)
    return value


def read_spec(path: str | Path | None) -> dict[str, Any]:
    """The build spec of a YAML file ({} = all defaults, also for ``None``). ``weights`` may
    name a CSV file of weights (relative to the spec file)."""
    if path is None:
        return {}
    p = Path(path)
    doc = _load_yaml(p, "spec")
    if doc is None:
        return {}
    if not isinstance(doc, Mapping):
        _fail(
            "spec",
            None,
            "",
            "invalid_type",
            f"{p}: 配置文件应为 键: 值 映射",
            f"{p}: the spec file must be a mapping of key: value",
        )
    spec = {str(k): v for k, v in doc.items()}
    if "weights" in spec:
        spec["weights"] = _weights(spec["weights"], p.parent)
    return spec


def _plain(value: Any) -> Any:
    """Numpy scalars and tuples -> plain Python, for YAML."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def spec_to_yaml(spec: Mapping[str, Any]) -> str:
    """YAML text of a (resolved) spec; :func:`read_spec` reads it back to the same dict."""
    return yaml.safe_dump(_plain(spec), allow_unicode=True, sort_keys=False)


def read_uncertain(path: str | Path) -> Uncertain:
    """The uncertain-inputs file: a YAML list whose items are either
    ``{path: <spec path>, alternatives: [v1, v2, ...]}`` or
    ``{weights_noise: f, levels: [1, 2]}`` (``levels`` may be one integer)."""
    p = Path(path)
    doc = _load_yaml(p, "uncertain")
    if isinstance(doc, Mapping) and "uncertain" in doc:
        doc = doc["uncertain"]
    if not isinstance(doc, list) or not doc:
        _fail(
            "uncertain",
            None,
            "",
            "invalid_type",
            f"{p}: 不确定输入文件应为非空列表",
            f"{p}: the uncertain-inputs file must be a non-empty list",
        )
    out = Uncertain()
    issues = []
    for n, item in enumerate(doc, start=1):
        try:
            _uncertain_item(n, item, out, p.parent)
        except CompositeInputError as exc:
            issues.extend(exc.issues)
    if issues:
        raise CompositeInputError(issues)
    return out


def _uncertain_item(n: int, item: Any, out: Uncertain, base: Path) -> None:
    if isinstance(item, Mapping) and "path" in item:
        extra = set(item) - {"path", "alternatives"}
        alts = item.get("alternatives")
        if extra:
            _fail(
                "uncertain",
                n,
                sorted(extra)[0],
                "unknown_key",
                f"未知的键 {sorted(extra)}",
                f"unknown key(s) {sorted(extra)}",
            )
        if not isinstance(item["path"], str) or not item["path"]:
            _fail(
                "uncertain",
                n,
                "path",
                "invalid_type",
                "path 应为配置路径 (如 normalise)",
                "path must be a spec path such as normalise",
            )
        if not isinstance(alts, list) or not alts:
            _fail(
                "uncertain",
                n,
                "alternatives",
                "empty_alternatives",
                "alternatives 应为非空列表",
                "alternatives must be a non-empty list",
            )
        if item["path"] in out.alternatives:
            _fail(
                "uncertain",
                n,
                "path",
                "duplicate_path",
                f"{item['path']} 重复",
                f"{item['path']} is given twice",
            )
        if item["path"] == "weights":
            alts = [_weights(a, base) for a in alts]
        out.alternatives[item["path"]] = list(alts)
    elif isinstance(item, Mapping) and "weights_noise" in item:
        extra = set(item) - {"weights_noise", "levels"}
        f, levels = item["weights_noise"], item.get("levels", [1])
        levels = [levels] if isinstance(levels, int) else levels
        if extra:
            _fail(
                "uncertain",
                n,
                sorted(extra)[0],
                "unknown_key",
                f"未知的键 {sorted(extra)}",
                f"unknown key(s) {sorted(extra)}",
            )
        if isinstance(f, bool) or not isinstance(f, int | float) or not 0 <= f <= 1:
            _fail(
                "uncertain",
                n,
                "weights_noise",
                "invalid_noise",
                "weights_noise 应为 0 到 1 之间的数",
                "weights_noise must be a number in [0, 1]",
            )
        if (
            not isinstance(levels, list)
            or not levels
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in levels)
        ):
            _fail(
                "uncertain",
                n,
                "levels",
                "invalid_level",
                "levels 应为正整数列表",
                "levels must be a list of positive integers",
            )
        for lev in levels:
            out.weight_noise[int(lev)] = float(f)
    else:
        _fail(
            "uncertain",
            n,
            "",
            "invalid_item",
            "每项应为 {path, alternatives} 或 {weights_noise, levels}",
            "each item must be {path, alternatives} or {weights_noise, levels}",
        )
