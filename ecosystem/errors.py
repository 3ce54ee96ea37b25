"""The one application error family. Services raise these; the API and the portal render them."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule said no. ``code`` is stable and machine-readable; ``message`` is for people.

    ``field`` names the input the problem belongs to, when there is one, so a form can put the
    message next to that field and the API can report it as ``attr``.
    """

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.field = field


class ConflictError(ApplicationError):
    status_code = 409


class ForbiddenError(ApplicationError):
    """The caller is who they say and the object is theirs, but a rule bars the action for now (403)."""

    status_code = 403


class NotFoundError(ApplicationError):
    """Missing and not-yours are the same answer, so nothing leaks across tenants or partners."""

    status_code = 404

    def __init__(self, message: str = "Not found.", *, code: str = "not_found") -> None:
        super().__init__(message, code=code)
