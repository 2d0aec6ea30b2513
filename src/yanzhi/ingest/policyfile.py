"""Read and validate a policy rule file (YAML)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from yanzhi.core.issues import InputRejected, Issue
from yanzhi.core.policy import RuleSet, ruleset_from_document, validate_rules
from yanzhi.ingest.planfile import plain_yaml


def builtin_rules_path() -> Path:
    return Path(str(resources.files("yanzhi.data").joinpath("policy/ningbo-policy.yaml")))


def read_rules(path: str | Path | None = None) -> RuleSet:
    p = Path(path) if path else builtin_rules_path()
    try:
        doc = plain_yaml(yaml.safe_load(p.read_text("utf-8")))
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
