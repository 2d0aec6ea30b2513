"""API: enterprises."""

from __future__ import annotations

from fastapi import APIRouter

from yanzhi.web.api.common import ERRORS

router = APIRouter(tags=["enterprises"], responses=ERRORS)
