"""API: admin."""

from __future__ import annotations

from fastapi import APIRouter

from yanzhi.web.api.common import ERRORS

router = APIRouter(tags=["admin"], responses=ERRORS)
