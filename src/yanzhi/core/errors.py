"""The named errors every layer raises, each with a Chinese and an English message.

Services raise these; each interface maps them once: ``web/errors.py`` to an HTTP status
and the ``{"error": {code, message, message_zh, message_en, details}}`` shape, ``cli/common.py``
to an exit code and a Chinese line on stderr. Every error a user can cause exits with 2
(a usage error, as for a wrong argument); 1 is left for a failure of yanzhi itself.
Nothing else decides what a failure means.

=====================  ====  =========  ================================================
error                  HTTP  CLI exit   when
=====================  ====  =========  ================================================
``InvalidInput``        400   2          a request or argument is malformed or out of range
``NotPermitted``        403   2          the principal may not see or do this
``NotFound``            404   2          the object does not exist
``Conflict``            409   2          the object's state forbids the change
``LockedPeriod``        409   2          the period is approved (locked): unlock it first
=====================  ====  =========  ================================================

``core.issues.InputRejected`` (a file or document with located problems) is an
``InvalidInput`` too, answered with 422 and its list of issues.
"""

from __future__ import annotations

from typing import Any, ClassVar


class YanzhiError(Exception):
    """A failure with a message in both languages; ``str()`` is ``"english / 中文"``."""

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 400
    exit_code: ClassVar[int] = 1

    def __init__(self, en: str, zh: str | None = None, *, details: Any = None) -> None:
        if zh is None:  # one bilingual text "english / 中文" (either order): keep it as is
            self.en, self.zh = split_bilingual(en)
            text = en
        else:
            self.en, self.zh = en, zh
            text = f"{en} / {zh}" if zh != en else en
        self.details = details
        super().__init__(text)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese character."""
    return any("\u3400" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


def split_bilingual(text: str) -> tuple[str, str]:
    """``"english / 中文"`` (or ``"中文 / english"``) → ``(english, 中文)``; a text in one
    language only is both."""
    head, sep, tail = text.rpartition(" / ")
    if not sep:
        return text, text
    if has_cjk(tail) and not has_cjk(head):
        return head, tail
    if has_cjk(head) and not has_cjk(tail):
        return tail, head
    head, sep, tail = text.partition(" / ")
    if has_cjk(tail) and not has_cjk(head):
        return head, tail
    if has_cjk(head) and not has_cjk(tail):
        return tail, head
    return text, text


class InvalidInput(YanzhiError, ValueError):
    """A request, argument or value that is malformed or out of range."""

    code = "bad_request"  # the API's code for a 400 since v0.1
    http_status = 400
    exit_code = 2


class NotPermitted(YanzhiError, PermissionError):
    """The principal may not see or change this object."""

    code = "forbidden"
    http_status = 403
    exit_code = 2


class NotFound(YanzhiError, LookupError):
    """The object asked for does not exist."""

    code = "not_found"
    http_status = 404
    exit_code = 2


class Conflict(YanzhiError):
    """The object's current state forbids the change (e.g. approving what is not submitted)."""

    code = "conflict"
    http_status = 409
    exit_code = 2


class LockedPeriod(Conflict):
    """The unit-period is approved and therefore locked; unlock it (with a reason) first."""

    code = "locked_period"
