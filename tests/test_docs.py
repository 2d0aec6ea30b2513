"""The user docs keep up with the code."""

from pathlib import Path

from yanzhi.core.dataformats import DATA_KINDS

DOCS = Path(__file__).parents[1] / "docs"


def test_data_formats_doc_lists_every_field_of_every_template():
    doc = (DOCS / "data-formats.md").read_text("utf-8")
    missing = [
        f"{k.code}.{f.code}"
        for k in DATA_KINDS.values()
        for f in k.fields
        if f"| `{f.code}` | {f.zh} |" not in doc
    ]
    assert missing == []


def test_architecture_doc_names_every_services_and_views_package():
    doc = (DOCS / "architecture.md").read_text("utf-8")
    src = DOCS.parent / "src" / "yanzhi"
    packages = [
        str(init.parent.relative_to(src)).replace("\\", "/")
        for top in ("services", "views")
        for init in sorted((src / top).rglob("__init__.py"))
        if init.parent != src / top
    ]
    assert packages, "no packages found under services/ and views/"
    missing = [p for p in packages if f"`{p}/`" not in doc]
    assert missing == []


def test_data_formats_doc_and_the_check_catalogue_name_the_same_checks():
    import re

    from yanzhi.core.checkrules import CHECK_RULES

    doc = (DOCS / "data-formats.md").read_text("utf-8")
    table = doc.split("## Checks", 1)[1]
    documented = {
        c
        for row in table.splitlines()
        if row.startswith("| `")
        for c in re.findall(r"`([a-z_]+)`", row.split("|")[1])
    }
    assert documented == set(CHECK_RULES)
