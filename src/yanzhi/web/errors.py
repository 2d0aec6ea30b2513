"""One shape for every API error: ``{"error": {"code", "message", "message_zh", "message_en",
"details"}}``; pages get the same facts as an HTML page. Exceptions map to HTTP statuses here
and only here: a named error (``core.errors.YanzhiError``) brings its own ``http_status`` and
``code``; the few others (database, bare Python errors from libraries) are listed below."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from yanzhi.core.errors import YanzhiError, split_bilingual
from yanzhi.core.issues import InputRejected


class ApiError(Exception):
    """An HTTP error in the API's shape; ``message`` is ``"english / 中文"``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        *,
        zh: str | None = None,
        en: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        split_en, split_zh = split_bilingual(message)
        self.en, self.zh = en or split_en, zh or split_zh


class NotAuthenticated(ApiError):
    def __init__(self) -> None:
        super().__init__(401, "not_authenticated", "please log in / 请先登录")


def classify(exc: Exception) -> ApiError:
    """The HTTP status, code and details of an exception: the one mapping of the web."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, InputRejected):
        return ApiError(
            422,
            "input_rejected",
            str(exc) or "input rejected / 输入有误",
            [i.to_dict() for i in exc.issues],
        )
    if isinstance(exc, YanzhiError):
        return ApiError(exc.http_status, exc.code, str(exc), exc.details, zh=exc.zh, en=exc.en)
    if isinstance(exc, DataError):  # e.g. a NUL byte PostgreSQL cannot store in text
        return ApiError(400, "bad_request", "invalid value in the request / 请求中含无效字符")
    # bare Python errors that library code (and core's own ValueErrors) raise
    if isinstance(exc, PermissionError):
        return ApiError(403, "forbidden", str(exc))
    if isinstance(exc, LookupError):
        return ApiError(404, "not_found", str(exc).strip("'\""))
    if isinstance(exc, ValueError):
        return ApiError(400, "bad_request", str(exc))
    return ApiError(500, "internal_error", "internal error / 服务器内部错误")


def has_nul(scope: dict[str, Any]) -> bool:
    """A NUL character anywhere in the path or query (raw or %-encoded) — no valid
    request has one, and PostgreSQL cannot store it."""
    raw = scope.get("raw_path") or b""
    query = scope.get("query_string") or b""
    return b"\x00" in raw or b"\x00" in query or b"%00" in query or b"%00" in raw


def body(err: ApiError) -> dict[str, Any]:
    """The JSON body of an API error."""
    return {
        "error": {
            "code": err.code,
            "message": err.message,
            "message_zh": err.zh,
            "message_en": err.en,
            "details": err.details,
        }
    }


def json_error(err: ApiError) -> JSONResponse:
    headers = {}
    if err.status == 429 and isinstance(err.details, dict):
        headers["Retry-After"] = str(err.details.get("retry_after", 60))
    if err.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body(err), status_code=err.status, headers=headers)


_KNOWN = (
    ApiError,
    YanzhiError,
    InputRejected,
    DataError,
    PermissionError,
    LookupError,
    ValueError,
)


def install(app: Any) -> None:
    """Register the handlers on an API application."""

    async def known(_: Request, exc: Exception) -> JSONResponse:
        return json_error(classify(exc))

    async def http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return json_error(ApiError(exc.status_code, code, str(exc.detail)))

    async def invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
            for e in exc.errors()
        ]
        return json_error(
            ApiError(422, "invalid_request", "invalid request / 请求参数有误", details)
        )

    for cls in _KNOWN:
        app.add_exception_handler(cls, known)
    app.add_exception_handler(Exception, known)  # anything else: a 500 in the same shape
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, invalid)


class RejectNul:
    """ASGI middleware: a request with a NUL in its path or query gets a 400 in the usual
    error shape before any route sees it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and has_nul(scope):
            err = ApiError(400, "bad_request", "invalid character in the request / 请求含无效字符")
            await json_error(err)(scope, receive, send)
            return
        await self.app(scope, receive, send)
