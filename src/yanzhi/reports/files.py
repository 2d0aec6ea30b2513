"""Report files for downloading (the web's /reports): the same writers as ``yanzhi report …``
and ``yanzhi enterprise diagnose --out``, into memory. Who may have which file is decided by
:func:`yanzhi.views.reports.catalogue.resolve`; :func:`load` reads a resolved request's data
with the kind's entry of ``WRITERS`` (one loader per kind of ``catalogue.KINDS``), once for
every format: :func:`build` writes the file, :func:`document` gives its content for the
web's preview."""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from yanzhi.core.errors import NotFound
from yanzhi.core.periods import label_zh
from yanzhi.reports.document import Document
from yanzhi.services.access.scope import Scope
from yanzhi.services.evaluation.evaluate import EvaluationResult, evaluate
from yanzhi.views import enterprises as enterprise_views
from yanzhi.views import evaluation as evaluation_views
from yanzhi.views import supervision as supervision_views
from yanzhi.views.reports import bulletin
from yanzhi.views.reports import catalogue as downloads
from yanzhi.views.reports.catalogue import ReportRequest

EvaluationLoader = Callable[[str, int], EvaluationResult]
Args = dict[str, Any]


@dataclass(frozen=True)
class Job:
    """What a loader gets: the request's scope, its resolved arguments and (for the
    evaluation) the loader of a cached evaluation."""

    engine: Engine
    scope: Scope
    args: Args
    evaluation: EvaluationLoader | None = None


@dataclass(frozen=True)
class Loaded:
    """A request's data, read once for every format and the preview: the file's (Chinese)
    name without its extension, the data the report module writes, and that module
    (``yanzhi.reports.<module>``: its ``document(data)`` is the content, its
    ``WRITERS[fmt](data, path)`` the file)."""

    stem: str
    data: Any
    module: str


Loader = Callable[[Job], Loaded]


def load(
    engine: Engine,
    scope: Scope,
    request: ReportRequest,
    *,
    evaluation: EvaluationLoader | None = None,
) -> Loaded:
    """The data of a request checked by :func:`yanzhi.views.reports.catalogue.resolve` (its
    format aside). ``evaluation`` gives the evaluation of (level, year), e.g. a cached one;
    by default it is run here with the resolved number of draws."""
    return WRITERS[request.kind](Job(engine, scope, request.arguments(), evaluation))


def build(loaded: Loaded, fmt: str) -> tuple[str, bytes]:
    """The file of ``loaded`` in ``fmt``: (file name, bytes)."""
    with tempfile.TemporaryDirectory(prefix="yanzhi-report-") as tmp:
        name = f"{loaded.stem}.{fmt}"
        path = _module(loaded).WRITERS[fmt](loaded.data, Path(tmp) / name)
        return name, Path(path).read_bytes()


def document(loaded: Loaded) -> Document:
    """The content of ``loaded`` (the web's preview shows it as HTML): the same
    :class:`~yanzhi.reports.document.Document` every format of the file is written from."""
    made: Document = _module(loaded).document(loaded.data)
    return made


def _module(loaded: Loaded) -> Any:
    return importlib.import_module(f"yanzhi.reports.{loaded.module}")


def _monthly(job: Job) -> Loaded:
    data = bulletin.monthly(job.engine, period=job.args["period"])
    return Loaded(f"科技创新监测月报-{label_zh(data.period)}", data, "bulletin")


def _evaluation(job: Job) -> Loaded:
    level, year = job.args["level"], job.args["year"]
    if job.evaluation is not None:
        result = job.evaluation(level, year)
    else:
        result = evaluate(
            job.engine,
            level=level,
            year=year,
            uncertainty=job.args["draws"],
            seed=evaluation_views.SEED,
        )
    what = "乡镇(街道)" if level == "township" else "区(县、市)"
    return Loaded(f"{year}年度{what}科技创新评价报告", result, "evaluation")


def _district(job: Job) -> Loaded:
    from yanzhi.views.reports.district import district_report

    args = job.args
    data = district_report(
        job.engine,
        code=args["code"],
        year=args["year"],
        uncertainty=args["draws"],
        seed=evaluation_views.SEED,
    )
    return Loaded(f"{data.unit['name']}{args['year']}年度科技创新工作述职材料", data, "district")


def _supervision(job: Job) -> Loaded:
    args = job.args
    data = downloads.supervision_data(
        job.engine, job.scope, unit=args["unit"], period=args["period"]
    )
    if not data.units:
        raise NotFound("nothing to supervise in your scope", "权限范围内无待督办事项")
    who = f"-{data.units[0].unit_name}" if args["unit"] else ""
    stem = f"督办清单-{label_zh(data.period)}{who}"
    payload = data.model_dump(exclude_unset=True)
    if not args["unit"]:  # the whole list: the guarantee measures close it
        payload |= supervision_views.closing_sections(job.engine, job.scope).model_dump()
    return Loaded(stem, payload, "supervision")


def _diagnosis(job: Job) -> Loaded:
    data = enterprise_views.diagnosis(job.engine, job.scope, job.args["uscc"])
    return Loaded(f"企业研发诊断报告-{job.args['uscc']}", data, "diagnosis")


WRITERS: dict[str, Loader] = {
    "monthly": _monthly,
    "evaluation": _evaluation,
    "district": _district,
    "supervision": _supervision,
    "diagnosis": _diagnosis,
}
"""The loader of every report kind of :data:`yanzhi.views.reports.catalogue.KINDS`."""
