"""Report files for downloading (the web's /reports): the same writers as ``yanzhi report …``
and ``yanzhi enterprise diagnose --out``, into memory. Who may have which file is decided by
:func:`yanzhi.views.reports.catalogue.resolve`; :func:`build` writes a resolved request with
the kind's entry of ``WRITERS`` (one per kind of ``catalogue.KINDS``)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from yanzhi.core.errors import NotFound
from yanzhi.services.access.scope import Scope
from yanzhi.services.evaluation.evaluate import EvaluationResult, evaluate
from yanzhi.views import enterprises as enterprise_views
from yanzhi.views import evaluation as evaluation_views
from yanzhi.views.reports import bulletin
from yanzhi.views.reports import catalogue as downloads
from yanzhi.views.reports.catalogue import ReportRequest

EvaluationLoader = Callable[[str, int], EvaluationResult]
Args = dict[str, Any]


@dataclass(frozen=True)
class Job:
    """What a writer gets: the request's scope and format, its resolved arguments, a
    temporary folder and (for the evaluation) the loader of a cached evaluation."""

    engine: Engine
    scope: Scope
    fmt: str
    args: Args
    tmp: Path
    evaluation: EvaluationLoader | None = None


Writer = Callable[[Job], tuple[str, Path]]
"""A report kind's writer: the job → (file name, the file written in ``job.tmp``)."""


def build(
    engine: Engine,
    scope: Scope,
    request: ReportRequest,
    *,
    evaluation: EvaluationLoader | None = None,
) -> tuple[str, bytes]:
    """The file of a request checked by :func:`yanzhi.views.reports.catalogue.resolve`: (file
    name, bytes). ``evaluation`` gives the evaluation of (level, year), e.g. a cached one;
    by default it is run here with the resolved number of draws."""
    with tempfile.TemporaryDirectory(prefix="yanzhi-report-") as tmp:
        job = Job(engine, scope, request.fmt, request.arguments(), Path(tmp), evaluation)
        name, path = WRITERS[request.kind](job)
        return name, path.read_bytes()


def _monthly(job: Job) -> tuple[str, Path]:
    from yanzhi.reports import bulletin as doc

    data = bulletin.monthly(job.engine, period=job.args["period"])
    name = f"monthly-{data.period}.{job.fmt}"
    return name, doc.WRITERS[job.fmt](data, job.tmp / name)


def _evaluation(job: Job) -> tuple[str, Path]:
    from yanzhi.reports import evaluation as doc
    from yanzhi.reports.evaluation_workbook import write_workbook

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
    writers = {"docx": doc.write_docx, "pdf": doc.write_pdf, "xlsx": write_workbook}
    name = f"evaluation-{level}-{year}.{job.fmt}"
    return name, Path(writers[job.fmt](result, job.tmp / name))


def _district(job: Job) -> tuple[str, Path]:
    from yanzhi.reports import district as district_doc
    from yanzhi.views.reports.district import district_report

    args = job.args
    data = district_report(
        job.engine,
        code=args["code"],
        year=args["year"],
        uncertainty=args["draws"],
        seed=evaluation_views.SEED,
    )
    name = f"district-{args['code']}-{args['year']}.{job.fmt}"
    writer = district_doc.write_docx if job.fmt == "docx" else district_doc.write_pdf
    return name, writer(data, job.tmp / name)


def _supervision(job: Job) -> tuple[str, Path]:
    from yanzhi.reports import supervision as doc

    args = job.args
    data = downloads.supervision_data(
        job.engine, job.scope, unit=args["unit"], period=args["period"]
    )
    if not data.units:
        raise NotFound("nothing to supervise in your scope", "权限范围内无待督办事项")
    suffix = f"-{args['unit']}" if args["unit"] else ""
    name = f"supervision-{data.period}{suffix}.{job.fmt}"
    return name, doc.WRITERS[job.fmt](data.model_dump(exclude_unset=True), job.tmp / name)


def _diagnosis(job: Job) -> tuple[str, Path]:
    from yanzhi.reports import diagnosis as diagnosis_doc

    data = enterprise_views.diagnosis(job.engine, job.scope, job.args["uscc"])
    name = f"diagnosis-{job.args['uscc']}.{job.fmt}"
    return name, diagnosis_doc.write(data, job.tmp / name)


WRITERS: dict[str, Writer] = {
    "monthly": _monthly,
    "evaluation": _evaluation,
    "district": _district,
    "supervision": _supervision,
    "diagnosis": _diagnosis,
}
"""The writer of every report kind of :data:`yanzhi.views.reports.catalogue.KINDS`."""
