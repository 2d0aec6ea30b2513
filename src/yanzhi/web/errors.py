"""One shape for every API error: ``{"error": {"code", "message", "message_zh", "message_en",
"details"}}``; pages get the same facts as an HTML page. Exceptions map to HTTP statuses here
and only here: a named error (``core.errors.YanzhiError``) brings its own ``http_status`` and
``code``; the few others (database, bare Python errors from libraries) are listed below."""

from __future__ import annotations

from typing import Any

import pydantic
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
    if isinstance(exc, OverflowError):  # e.g. an id past 2**63 − 1 sent to SQLite
        too_large = "a number in the request is too large / 请求中的数值超出范围"
        return ApiError(400, "bad_request", too_large)
    # bare Python errors that library code (and core's own ValueErrors) raise
    if isinstance(exc, PermissionError):
        return ApiError(403, "forbidden", str(exc))
    if isinstance(exc, LookupError):
        return ApiError(404, "not_found", str(exc).strip("'\""))
    if isinstance(exc, ValueError) and not isinstance(exc, pydantic.ValidationError):
        return ApiError(400, "bad_request", str(exc))
    # a response model the server itself failed to build is its own fault, not the request's
    return ApiError(500, "internal_error", "internal error / 服务器内部错误")


FIELD_NAMES = {
    "year": "年份",
    "period": "报告期",
    "level": "层级",
    "code": "代码",
    "unit": "单位",
    "org_unit": "单位",
    "page": "页码",
    "size": "每页条数",
    "format": "格式",
    "uscc": "统一社会信用代码",
    "q": "查询词",
    "name": "名称",
    "username": "用户名",
    "password": "密码",
    "role": "角色",
    "indicator": "指标",
    "kind": "类别",
    "reason": "原因",
    "text": "内容",
    "status": "状态",
    "as_of": "日期",
    "body": "请求体",
}


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    return f"「{FIELD_NAMES[name]}」" if name in FIELD_NAMES else (f"「{name}」" if name else "")


def validation_zh(error: dict[str, Any]) -> str:
    """One validation error of FastAPI / pydantic in Chinese, naming the parameter and the
    valid range or form: "参数「年份」应不小于 2000(收到 1990)"."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    got = error.get("input")
    rule = {
        "greater_than_equal": f"应不小于 {ctx.get('ge')}",
        "greater_than": f"应大于 {ctx.get('gt')}",
        "less_than_equal": f"应不大于 {ctx.get('le')}",
        "less_than": f"应小于 {ctx.get('lt')}",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "float_parsing": "应为数字",
        "float_type": "应为数字",
        "bool_parsing": "应为是或否(true / false)",
        "string_too_long": f"长度不超过 {ctx.get('max_length')} 个字符",
        "string_too_short": f"长度至少 {ctx.get('min_length')} 个字符",
        "too_long": f"不超过 {ctx.get('max_length')} 项",
        "string_pattern_mismatch": "格式不符",
        "literal_error": f"应为以下之一: {ctx.get('expected', '')}".replace(" or ", ", "),
        "enum": f"应为以下之一: {ctx.get('expected', '')}".replace(" or ", ", "),
        "missing": "不能为空(缺少该项)",
        "json_invalid": "不是有效的 JSON",
        "dict_type": "应为 JSON 对象",
        "model_attributes_type": "应为 JSON 对象",
        "list_type": "应为列表",
        "string_type": "应为文字",
        "extra_forbidden": "不接受该项",
        "date_from_datetime_parsing": "应为日期(如 2026-01-31)",
        "date_parsing": "应为日期(如 2026-01-31)",
    }.get(kind, "取值无效")
    shown = "" if got is None or kind == "missing" or isinstance(got, dict | list) else got
    received = f"(收到 {str(shown)[:40]})" if shown != "" else ""
    return f"参数{_field(error.get('loc', ()))}{rule}{received}"


def invalid_request(errors: Any) -> ApiError:
    """A request that failed validation: 422 with each error located, in English (the
    library's words) and Chinese."""
    details = [
        {
            "where": ".".join(str(p) for p in e.get("loc", ())),
            "message": e.get("msg"),
            "message_zh": validation_zh(e),
        }
        for e in errors
    ]
    zh = "请求参数有误: " + "；".join(d["message_zh"] for d in details[:5])
    return ApiError(422, "invalid_request", "invalid request / 请求参数有误", details, zh=zh)


HTTP_ZH = {
    400: "请求有误",
    401: "请先登录",
    403: "无权访问该页面",
    404: "页面不存在",
    405: "不支持该操作方式",
    413: "上传的内容过大",
    429: "请求过于频繁, 请稍后再试",
}


def http_message(exc: StarletteHTTPException) -> str:
    """A framework HTTP error's text for a page: its detail when it is already Chinese,
    else the Chinese phrase of its status (the English detail is for the API)."""
    detail = str(exc.detail)
    _, zh = split_bilingual(detail)
    if any("\u4e00" <= ch <= "\u9fff" for ch in zh):
        return zh
    return HTTP_ZH.get(exc.status_code, "请求未能完成")


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


KNOWN = (
    ApiError,
    YanzhiError,
    InputRejected,
    DataError,
    OverflowError,
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
        return json_error(invalid_request(exc.errors()))

    for cls in KNOWN:
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
