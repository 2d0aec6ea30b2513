"""Read and validate a policy rule file (YAML)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from yanzhi.core.issues import InputRejected
from yanzhi.core.policy import RuleSet, ruleset_from_document, validate_rules
from yanzhi.ingest.planfile import read_yaml_file


def builtin_rules_path() -> Path:
    return Path(str(resources.files("yanzhi.data").joinpath("policy/ningbo-policy.yaml")))


def read_rules(path: str | Path | None = None) -> RuleSet:
    p = Path(path) if path else builtin_rules_path()
    doc = read_yaml_file(p, "规则文件", "rule file")
    issues = validate_rules(doc, file=p.name)
    if issues:
        raise InputRejected(issues, what=p.name)
    return ruleset_from_document(doc)
