"""Friendly error pages. API paths get the JSON error envelope instead of HTML."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _api(request) -> bool:
    return request.path_info.startswith("/api/")


def _json(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(
        {"type": "server_error" if status >= 500 else "client_error", "code": code, "detail": detail, "attr": None}, status=status
    )


def permission_denied(request, exception=None):
    if _api(request):
        return _json(403, "permission_denied", _("You do not have permission to perform this action."))
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if _api(request):
        return _json(404, "not_found", _("Not found."))
    return render(request, "404.html", status=404)


def server_error(request):
    if _api(request):
        return _json(500, "error", _("A server error occurred."))
    return render(request, "500.html", status=500)
