"""Who is asking, from where: set once per request (or task) and read by the audit log."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None = None
    via: str = "portal"


_request: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)


def current_request_context() -> RequestContext | None:
    return _request.get()


def set_request_context(context: RequestContext | None):
    return _request.set(context)


def reset_request_context(token) -> None:
    _request.reset(token)
