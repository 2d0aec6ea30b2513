"""The plan as code: model, schema and validation."""

from yanzhi.core.plan.model import Plan, plan_from_document
from yanzhi.core.plan.validate import format_path, plan_schema, validate_plan

__all__ = ["Plan", "format_path", "plan_from_document", "plan_schema", "validate_plan"]
