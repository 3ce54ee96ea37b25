"""One error envelope for the whole API: ``{type, code, detail, attr}``.

``type`` is ``validation_error`` (400 with field problems), ``client_error`` (any other 4xx) or
``server_error``. Validation errors also list every problem in ``errors`` (the top-level fields
repeat the first one), so a client can show all of them at once.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ecosystem.errors import ApplicationError, NotFoundError

logger = logging.getLogger(__name__)


def _flatten(detail: Any, attr: str | None = None) -> list[dict[str, Any]]:
    if isinstance(detail, dict):
        items: list[dict[str, Any]] = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else (f"{attr}.{key}" if attr else str(key))
            items.extend(_flatten(value, name if name is not None else attr))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            nested = isinstance(value, (dict, list))
            items.extend(_flatten(value, f"{attr}.{index}" if nested and attr else attr))
        return items
    return [{"code": getattr(detail, "code", "invalid"), "detail": str(detail), "attr": attr}]


def _rollback_open_transactions() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            connection.set_rollback(True)


def envelope(*, error_type: str, errors: list[dict[str, Any]]) -> dict[str, Any]:
    first = errors[0]
    body = {"type": error_type, "code": first["code"], "detail": first["detail"], "attr": first["attr"]}
    if error_type == "validation_error":
        body["errors"] = errors
    return body


def rows_invalid_response(row_errors: list[Any]) -> Response:
    """The 400 of a CSV import refused row by row (``deals.imports.RowError``s): ``rows_invalid`` with the
    count first, one error per bad row (``attr`` ``file``), and ``rows`` listing them as data. Whatever
    the request wrote (an idempotency key) is rolled back: a corrected file may be sent with the same key."""
    count = len(row_errors)
    summary = ngettext(
        "%(n)s problem in the file; nothing was imported.", "%(n)s problems in the file; nothing was imported.", count
    ) % {"n": f"{count:,}"}
    errors = [{"code": "rows_invalid", "detail": summary, "attr": "file"}]
    errors += [{"code": e.code, "detail": f"Row {e.row}, {e.column or 'row'}: {e.message}", "attr": "file"} for e in row_errors]
    _rollback_open_transactions()
    body = {**envelope(error_type="validation_error", errors=errors), "rows": [e.as_dict() for e in row_errors]}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, (NotFoundError, Http404)):
        exc = exceptions.NotFound()
    elif isinstance(exc, ApplicationError):
        if exc.status_code in (status.HTTP_403_FORBIDDEN, status.HTTP_409_CONFLICT):
            return _respond(exc.status_code, "client_error", [{"code": exc.code, "detail": exc.message, "attr": exc.field}])
        exc = exceptions.ValidationError({exc.field or "non_field_errors": [exceptions.ErrorDetail(exc.message, exc.code)]})
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return _respond(500, "server_error", [{"code": "error", "detail": str(_("A server error occurred.")), "attr": None}])

    error_type = "validation_error" if isinstance(exc, exceptions.ValidationError) else "client_error"
    errors = (
        _flatten(exc.detail)
        if isinstance(exc, exceptions.ValidationError)
        else [{"code": getattr(exc.detail, "code", exc.default_code), "detail": str(exc.detail), "attr": None}]
    )
    if not errors:
        errors = [{"code": "invalid", "detail": str(_("Invalid input.")), "attr": None}]
    _rollback_open_transactions()
    response.data = envelope(error_type=error_type, errors=errors)
    return response


def _respond(status_code: int, error_type: str, errors: list[dict[str, Any]]) -> Response:
    _rollback_open_transactions()
    return Response(envelope(error_type=error_type, errors=errors), status=status_code)
