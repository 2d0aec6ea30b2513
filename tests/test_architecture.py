"""The layers of docs/architecture.md hold, and every setting is documented."""

import ast
import subprocess
import sys
from pathlib import Path

from yanzhi.config import env_names

ROOT = Path(__file__).parents[1]
SRC = ROOT / "src" / "yanzhi"


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_core_imports_only_stdlib_and_numeric_libraries():
    # cn2an: Chinese numerals for the plan-drafting rules (core/plandraft), pure text
    allowed = {"numpy", "pandas", "polars", "scipy", "jsonschema", "cn2an", "yanzhi"}
    bad = []
    for path in (SRC / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in allowed and top not in sys.stdlib_module_names:
                    bad.append(f"{path.relative_to(ROOT)}: {name}")
                if name.startswith("yanzhi.") and not name.startswith("yanzhi.core"):
                    bad.append(f"{path.relative_to(ROOT)}: {name}")
    assert bad == []


def test_every_setting_is_documented():
    doc = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    missing = [name for name in env_names() if f"`{name}`" not in doc]
    assert missing == []


def test_modules_stay_small():
    big = {
        str(p.relative_to(ROOT)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text("utf-8").splitlines())) > 600
    }
    assert big == {}


def _public_functions(folder: Path):
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:
            if isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef
            ) and not node.name.startswith("_"):
                yield path, node


BARE = ("dict", "dict[str, Any]", "list[dict[str, Any]]", "Any", "dict[str, object]")
GENERIC = {"direct", "safe"}  # views.common: a memo pass-through and a JSON-safe converter


def test_no_public_service_or_view_function_returns_a_bare_dict():
    """Domain use cases and view models return typed results (dataclasses, pydantic
    models), never ``dict[str, Any]`` (issue #14)."""
    bare = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} -> {ast.unparse(node.returns)}"
        for folder in (SRC / "services", SRC / "views")
        for path, node in _public_functions(folder)
        if node.returns is not None
        and ast.unparse(node.returns) in BARE
        and node.name not in GENERIC
    ]
    assert bare == []


def test_every_public_service_and_view_function_has_a_docstring():
    missing = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for folder in (SRC / "services", SRC / "views")
        for path, node in _public_functions(folder)
        if ast.get_docstring(node) is None
    ]
    assert missing == []


def test_every_spreadsheet_and_csv_is_written_by_the_export_writer():
    """Issue #16: text from outside must never reach a bureau's Excel as a formula, so no
    module but yanzhi/export makes a ``Workbook()``, saves one, or calls ``.to_csv``."""
    writer = SRC / "export" / "sheets.py"
    bad = []
    for path in SRC.rglob("*.py"):
        if path == writer:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            owner = getattr(f.value, "id", "") if isinstance(f, ast.Attribute) else ""
            if name in ("Workbook", "to_csv", "ExcelWriter", "to_excel") or (
                name == "save" and owner in ("wb", "workbook", "book")
            ):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert bad == []
