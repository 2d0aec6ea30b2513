"""What the register views return (台账): typed results that are also the API's response
models. Field names are the JSON keys the API has always sent."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from yanzhi.views.task_models import Out


class RegisterSummary(Out):
    """A register, the plan metrics it counts and the entries the principal sees."""

    code: str
    name: str
    name_en: str
    metrics: list[str]
    metric_names: list[str] = Field(default_factory=list)  # the plan targets' descriptions
    metric_names_en: list[str] = Field(default_factory=list)
    entries: int


class RegisterSummaryPage(Out):
    """The registers, paginated."""

    items: list[RegisterSummary]
    total: int
    page: int
    size: int
    synthetic: bool = False  # the database holds generated (demo) data


class VisibleEntry(Out):
    """An entry of a register (its current version) as a principal sees it: with the name
    of its org unit."""

    code: str | None = None
    name: str
    org_unit_code: str
    org_unit_name: str | None = None
    valid_from: str
    valid_to: str | None = None
    list: str | None = None
    list_name: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    version: int
    synthetic: bool = False
    applicant_name: str | None = None  # the key R&D project register: the applicant's name
    priority: bool | None = None
    """Key R&D projects: the applicant is on the priority list (R&D above 5 % of revenue)
    of the year before it applied; None when unknown (no applicant, no full-year report
    of that year) and in the other registers."""

    def row(self) -> dict[str, Any]:
        """The entry as one flat table row, each field as ``f_<code>``: the register page's
        columns, which the page and the API sort and filter by."""
        flat = self.model_dump(exclude={"fields"})
        return flat | {f"f_{k}": v for k, v in self.fields.items()}


class RegisterField(Out):
    """A register's own field, with its labels."""

    code: str
    zh: str
    en: str


class DistrictCount(Out):
    """A district and its count of entries in force at the year's end."""

    code: str
    name: str
    count: int


class StageCount(Out):
    """Items of one of the three lists at a stage of its lifecycle (core/lifecycle.py)."""

    list_code: str
    list_name: str
    stage: str
    count: int
    adopters: int | None
    contract_value: float | None  # 万元


class Register(Out):
    """A register's entries inside the principal's scope, its fields and its district
    counts for ``year``."""

    code: str
    name: str
    name_en: str
    fields: list[RegisterField]
    list_field: bool = False
    metrics: list[str]
    metric_names: list[str] = Field(default_factory=list)  # the plan targets' descriptions
    metric_names_en: list[str] = Field(default_factory=list)
    year: int
    years: list[int] = Field(default_factory=list)  # the year picker, newest first
    districts: list[DistrictCount]
    stages: list[StageCount] = Field(default_factory=list)  # the three lists' lifecycles
    entries: list[VisibleEntry]
    may_import: bool
    marks_priority: bool = False  # the entries say whether the applicant is a priority one


class RegisterPage(Out):
    """A register in the API: its numbers, with the entries paginated as ``items``."""

    synthetic: bool = False  # the database holds generated (demo) data
    code: str
    name: str
    name_en: str
    fields: list[RegisterField]
    list_field: bool = False
    metrics: list[str]
    metric_names: list[str] = Field(default_factory=list)  # the plan targets' descriptions
    metric_names_en: list[str] = Field(default_factory=list)
    year: int
    years: list[int] = Field(default_factory=list)  # the year picker, newest first
    districts: list[DistrictCount]
    stages: list[StageCount] = Field(default_factory=list)  # the three lists' lifecycles
    may_import: bool
    marks_priority: bool = False  # the items say whether the applicant is a priority one
    items: list[VisibleEntry]
    total: int
    page: int
    size: int


class RegisterImport(Out):
    """The report of a register import: ``ok``, the counts, and the errors by row."""

    ok: bool
    file: str
    kind: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    sha256: str | None = None
    batch_id: int | None = None
    errors: list[dict[str, Any]] = Field(default_factory=list)
    warnings: list[dict[str, Any]] = Field(default_factory=list)
