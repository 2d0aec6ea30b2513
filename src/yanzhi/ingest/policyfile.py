"""Read and validate a policy rule file (YAML)."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from yanzhi.core.issues import InputRejected
from yanzhi.core.policy import RuleSet, ruleset_from_document, validate_rules
from yanzhi.ingest.planfile import read_yaml_file


def builtin_rules_path() -> Path:
    return Path(str(resources.files("yanzhi.data").joinpath("policy/ningbo-policy.yaml")))


def read_rules(path: str | Path | None = None) -> RuleSet:
    """The rule set of ``path`` (default: the built-in Ningbo rules), read once while the
    file is unchanged (same size and modification time): a page that weighs several
    policies reads the YAML once, not once per policy."""
    p = Path(path) if path else builtin_rules_path()
    try:
        st = p.stat()
    except OSError:
        return _read(p, -1, -1)  # the error in Chinese and English comes from the read
    return _read(p.resolve(), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=16)
def _read(p: Path, mtime_ns: int, size: int) -> RuleSet:
    doc = read_yaml_file(p, "规则文件", "rule file")
    issues = validate_rules(doc, file=p.name)
    if issues:
        raise InputRejected(issues, what=p.name)
    return ruleset_from_document(doc)
