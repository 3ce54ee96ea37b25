from __future__ import annotations

import re
import uuid

from ecosystem.client_ip import client_ip

from .context import RequestContext, reset_request_context, set_request_context

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Give every request an id (honouring a sane ``X-Request-ID``) and remember the client address."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        path = request.path_info
        via = "api" if path.startswith("/api/") else "admin" if path.startswith("/admin/") else "portal"
        request.request_id = request_id
        token = set_request_context(RequestContext(request_id=request_id, ip=client_ip(request), via=via))
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = request_id
        return response
