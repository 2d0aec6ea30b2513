"""Read and validate a policy rule file (YAML)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from yanzhi.core.issues import InputRejected, Issue
from yanzhi.core.policy import RuleSet, ruleset_from_document, validate_rules


def builtin_rules_path() -> Path:
    return Path(str(resources.files("yanzhi.data").joinpath("policy/ningbo-policy.yaml")))


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    if isinstance(x, dt.date):
        return x.isoformat()
    return x


def read_rules(path: str | Path | None = None) -> RuleSet:
    p = Path(path) if path else builtin_rules_path()
    try:
        doc = _plain(yaml.safe_load(p.read_text("utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputRejected(
            [
                Issue(
                    "unreadable",
                    f"无法读取规则文件: {exc}",
                    f"cannot read the rule file: {exc}",
                    file=p.name,
                )
            ],
            what=p.name,
        ) from None
    issues = validate_rules(doc, file=p.name)
    if issues:
        raise InputRejected(issues, what=p.name)
    return ruleset_from_document(doc)
