"""API: units."""

from __future__ import annotations

from fastapi import APIRouter

from yanzhi.web.api.common import ERRORS

router = APIRouter(tags=["units"], responses=ERRORS)
