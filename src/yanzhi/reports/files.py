"""Report files for downloading (the web's /reports): the same writers as ``yanzhi report …``
and ``yanzhi enterprise diagnose --out``, into memory. Who may have which file is decided by
:func:`yanzhi.views.reports.catalogue.resolve`; :func:`build` writes a resolved request."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from yanzhi.core.orgtree import OrgTree
from yanzhi.services.access.principal import Principal
from yanzhi.services.evaluation.evaluate import EvaluationResult, evaluate
from yanzhi.views import enterprises as enterprise_views
from yanzhi.views import evaluation as evaluation_views
from yanzhi.views.reports import bulletin
from yanzhi.views.reports import catalogue as downloads

EvaluationLoader = Callable[[str, int], EvaluationResult]
Resolved = downloads.Resolved


def build(
    engine: Engine,
    principal: Principal,
    tree: OrgTree,
    resolved: Resolved,
    *,
    evaluation: EvaluationLoader | None = None,
) -> tuple[str, bytes]:
    """The file of a request checked by :func:`yanzhi.views.reports.catalogue.resolve`: (file
    name, bytes). ``evaluation`` gives the evaluation of (level, year), e.g. a cached one;
    by default it is run here with the resolved number of draws."""
    kind, fmt, items = resolved
    args = dict(items)
    with tempfile.TemporaryDirectory(prefix="yanzhi-report-") as tmp:
        name, path = _write(engine, principal, tree, kind, fmt, args, Path(tmp), evaluation)
        return name, path.read_bytes()


def _write(
    engine: Engine,
    principal: Principal,
    tree: OrgTree,
    kind: str,
    fmt: str,
    args: dict[str, Any],
    tmp: Path,
    evaluation: EvaluationLoader | None,
) -> tuple[str, Path]:
    if kind == "monthly":
        from yanzhi.reports import bulletin as doc

        data = bulletin.monthly(engine, period=args["period"])
        name = f"monthly-{data['period']}.{fmt}"
        return name, doc.WRITERS[fmt](data, tmp / name)
    if kind == "evaluation":
        return _evaluation(engine, fmt, args, tmp, evaluation)
    if kind == "district":
        from yanzhi.reports import district as district_doc
        from yanzhi.views.reports.district import district_report

        data = district_report(
            engine,
            code=args["code"],
            year=args["year"],
            uncertainty=args["draws"],
            seed=evaluation_views.SEED,
        )
        name = f"district-{args['code']}-{args['year']}.{fmt}"
        writer = district_doc.write_docx if fmt == "docx" else district_doc.write_pdf
        return name, writer(data, tmp / name)
    if kind == "supervision":
        return _supervision(engine, principal, tree, fmt, args, tmp)
    from yanzhi.reports import diagnosis as diagnosis_doc

    data = enterprise_views.diagnosis(engine, principal, args["uscc"])
    name = f"diagnosis-{args['uscc']}.{fmt}"
    return name, diagnosis_doc.write(data, tmp / name)


def _evaluation(
    engine: Engine, fmt: str, args: dict[str, Any], tmp: Path, loader: EvaluationLoader | None
) -> tuple[str, Path]:
    from yanzhi.reports import evaluation as doc
    from yanzhi.reports.evaluation_workbook import write_workbook

    level, year = args["level"], args["year"]
    if loader is not None:
        result = loader(level, year)
    else:
        result = evaluate(
            engine, level=level, year=year, uncertainty=args["draws"], seed=evaluation_views.SEED
        )
    writers = {"docx": doc.write_docx, "pdf": doc.write_pdf, "xlsx": write_workbook}
    name = f"evaluation-{level}-{year}.{fmt}"
    return name, Path(writers[fmt](result, tmp / name))


def _supervision(
    engine: Engine,
    principal: Principal,
    tree: OrgTree,
    fmt: str,
    args: dict[str, Any],
    tmp: Path,
) -> tuple[str, Path]:
    from yanzhi.reports import supervision as doc

    data = downloads.supervision_data(
        engine, principal, tree, unit=args["unit"], period=args["period"]
    )
    if not data["units"]:
        raise LookupError("nothing to supervise in your scope / 权限范围内无待督办事项")
    suffix = f"-{args['unit']}" if args["unit"] else ""
    name = f"supervision-{data['period']}{suffix}.{fmt}"
    return name, doc.WRITERS[fmt](data, tmp / name)
