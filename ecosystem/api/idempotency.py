"""``Idempotency-Key`` on POSTs that create things: a retry gets the first answer, never a second object.

Apply it with one decorator on the viewset method that creates (``create`` or an ``@action``)::

    @idempotent
    def create(self, request, *args, **kwargs): ...

The contract, for integrators (docs/integrator.md):

* No header: the request runs as usual.
* A key (1-255 printable characters) is remembered per tenant and caller (the user, or the API
  key) for 24 hours, with a SHA-256 of the method, the path and the JSON body.
* The same key and the same body again: the first answer, status and body, replayed (with the
  header ``Idempotent-Replayed: true``); nothing runs twice.
* The same key with another body or path: ``422`` ``idempotency_key_reused``.
* Two requests with the same key at once: the unique index on (tenant, caller, key) decides. The
  first inserts the key row in its transaction before it runs; the second's insert waits for that
  transaction and then replays the first's answer. If the first fails (any error answer), its
  transaction, key row included, rolls back: errors are not remembered, so a corrected retry with
  the same key runs.
* After 24 hours a key is forgotten and may be used again (its old row is replaced on reuse;
  :func:`idempotency_keys_purge` removes old rows in bulk).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from ecosystem.tenancy.models import Tenant

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_LIFETIME = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _("This Idempotency-Key was used with another request body or path; use a new key for a new request.")


class IdempotencyKeyInvalid(exceptions.ValidationError):
    default_code = "invalid_idempotency_key"


def _file_digest(upload: UploadedFile) -> str:
    """An uploaded file stands in the fingerprint by its content, not its name."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"file:sha256:{digest.hexdigest()}"


def request_fingerprint(*, method: str, path: str, data: Any) -> str:
    """SHA-256 of the method, the path and the body as canonical JSON (keys sorted), so key order never matters.

    Uploaded files count by their content: the same key with another file of the same name is a
    different request (422), not a replay.
    """
    if hasattr(data, "lists"):  # a QueryDict (form posts, multipart uploads): every value of every key
        data = {key: [_file_digest(v) if isinstance(v, UploadedFile) else v for v in values] for key, values in data.lists()}
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{method.upper()} {path}\n{body}".encode()).hexdigest()


def _caller(view) -> tuple[str, int | None]:
    if getattr(view, "api_key", None) is not None:
        return f"key:{view.api_key.pk}", None
    return f"user:{view.request.user.pk}", view.caller_partner_id


def _clean_key(raw: str) -> str:
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise IdempotencyKeyInvalid(
            {HEADER: [_("Send an Idempotency-Key of 1 to 255 printable characters, e.g. a UUID.")]},
            code="invalid_idempotency_key",
        )
    return key


def _replay(record: IdempotencyKey, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(method: Callable) -> Callable:
    """Honour ``Idempotency-Key`` on a ``TenantViewSet`` method that creates something (see the module doc)."""

    @functools.wraps(method)
    def wrapped(view, request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return method(view, request, *args, **kwargs)
        key = _clean_key(raw)
        tenant: Tenant = view.tenant
        caller, partner_id = _caller(view)
        fingerprint = request_fingerprint(method=request.method, path=request.path, data=request.data)
        mine = IdempotencyKey.objects.filter(tenant=tenant, caller=caller, key=key)
        mine.filter(created_at__lt=timezone.now() - KEY_LIFETIME).delete()  # expired: the key is new again
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    tenant=tenant,
                    key=key,
                    caller=caller,
                    partner_id=partner_id,
                    method=request.method,
                    path=request.path[:500],
                    request_hash=fingerprint,
                )
        except IntegrityError:
            # Another request holds (or held) this key: the insert waited for its transaction.
            earlier = mine.first()
            if earlier is None or earlier.response_status is None:  # pragma: no cover - rolled back between
                raise exceptions.APIException(code="idempotency_retry", detail=_("Retry the request.")) from None
            return _replay(earlier, fingerprint)
        response = method(view, request, *args, **kwargs)
        if response.status_code >= 400:  # an error answer is not remembered: a corrected retry may use the key
            if not (connection.in_atomic_block and connection.needs_rollback):
                record.delete()  # else the view rolled its transaction back (set_rollback), key row included
            return response
        record.response_status = response.status_code
        record.response_body = response.data
        record.save(update_fields=["response_status", "response_body"])
        return response

    wrapped.idempotent = True  # the OpenAPI document describes the header on this operation (ecosystem.api.schema)
    return wrapped


def idempotency_keys_purge(*, tenant: Tenant, now: datetime.datetime | None = None) -> int:
    """Forget the tenant's keys older than 24 hours. Returns how many."""
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    deleted, _by_model = IdempotencyKey.objects.filter(tenant=tenant, created_at__lt=cutoff).delete()
    return deleted
