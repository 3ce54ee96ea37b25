"""The API load bench's URLconf: the product's URLs plus ``bench/`` comparison views, for bench/api_load.py only.

The comparison views are what a hand-written Django view would do for the same page of the API's lists:
the same tenant lookup, the same API key authentication (``ApiKeyAuthentication``, the same query and
hash check) inside the same tenant scope (one transaction, row-level security settings first), then the
same rows (same columns, ordering, page size and cursor) read with ``.values()`` and returned with
``JsonResponse``. No DRF request, no serializer, no throttle, no filter backend.

Never part of the product's URLconf: only ``bench/load_settings.py`` points ``ROOT_URLCONF`` here.
"""

from __future__ import annotations

import base64
import datetime
from urllib.parse import parse_qs, urlencode

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse, JsonResponse
from django.urls import path
from rest_framework import exceptions

from deals.models import OPEN_FOR_DECISION, DealConflict, DealRegistration
from deals.registrations import engagement_rules
from ecosystem.api.authentication import ApiKeyAuthentication
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.selectors import tenant_by_slug
from ecosystem.urls import urlpatterns as product_urlpatterns
from partners.models import PartnerOrganization

PAGE_SIZE = 50  # REST_FRAMEWORK["PAGE_SIZE"]


def _cursor(request) -> tuple[int, str | None]:
    """(offset, position) of a DRF cursor (``?cursor=``, base64 of ``o=…&p=…``); forward cursors only."""
    encoded = request.GET.get("cursor")
    if not encoded:
        return 0, None
    tokens = parse_qs(base64.b64decode(encoded.encode()).decode(), keep_blank_values=True)
    return int(tokens.get("o", ["0"])[0]), tokens.get("p", [None])[0]


def _next_cursor(rows: list[dict], following: dict | None, key: str, offset: int, position: str | None) -> str | None:
    """The cursor of the next page, as DRF's CursorPagination writes it (position + offset into ties)."""
    if following is None:
        return None
    compare, skip = str(following[key]), 0
    for row in reversed(rows):
        if str(row[key]) != compare:  # the last row whose position differs from the one after it: the marker
            next_position = str(row[key])
            break
        compare = str(row[key])
        skip += 1
    else:  # the whole page shares one position
        next_position, skip = (None, PAGE_SIZE) if position is None and offset == 0 else (position, offset + PAGE_SIZE)
    tokens = {"o": skip} if skip else {}
    if next_position is not None:
        tokens["p"] = next_position
    return base64.b64encode(urlencode(tokens, doseq=True).encode()).decode()


def _page(request, queryset, *, key: str, descending: bool) -> tuple[list[dict], str | None]:
    offset, position = _cursor(request)
    if position is not None:
        queryset = queryset.filter(**{f"{key}__{'lt' if descending else 'gt'}": position})
    rows = list(queryset[offset : offset + PAGE_SIZE + 1])
    following = rows[PAGE_SIZE] if len(rows) > PAGE_SIZE else None
    rows = rows[:PAGE_SIZE]
    return rows, _next_cursor(rows, following, key, offset, position)


def _api_key_scoped(view):
    """The tenant from the URL, then the API key inside its scope, as TenantViewSet does; 404/401 otherwise."""

    def wrapped(request, tenant_slug: str):
        tenant = tenant_by_slug(tenant_slug)
        if tenant is None:
            return JsonResponse({"type": "client_error", "code": "not_found"}, status=404)
        with tenant_context(tenant.pk):
            try:
                if ApiKeyAuthentication().authenticate(request) is None:
                    return JsonResponse({"type": "client_error", "code": "not_authenticated"}, status=401)
            except exceptions.AuthenticationFailed as error:
                return JsonResponse({"type": "client_error", "code": error.get_codes()}, status=401)
            return view(request, tenant)

    return wrapped


def _link(request, cursor: str | None) -> str | None:
    return None if cursor is None else request.build_absolute_uri(f"{request.path}?{urlencode({'cursor': cursor})}")


@_api_key_scoped
def partner_list(request, tenant):
    """The API's ``partners/`` page: the same columns, newest first, 50 rows, DRF cursor."""
    queryset = (
        PartnerOrganization.objects.filter(tenant=tenant)
        .order_by("-created_at", "-id")
        .values("public_id", "name", "partner_type", "website_domain", "country", "status", "created_at", "updated_at")
    )
    rows, cursor = _page(request, queryset, key="created_at", descending=True)
    for row in rows:
        row["id"] = row.pop("public_id")
    return JsonResponse({"next": _link(request, cursor), "previous": None, "results": rows})


@_api_key_scoped
def registration_queue(request, tenant):
    """The API's ``deal-registrations/`` default page: waiting for a decision, oldest first, the same fields."""
    sla = datetime.timedelta(hours=engagement_rules(tenant=tenant).approval_sla_hours)
    conflicts = (
        DealConflict.objects.filter(tenant=tenant, registration=OuterRef("pk"))
        .order_by()
        .values("registration")
        .annotate(n=Count("id"))
        .values("n")
    )
    queryset = (
        DealRegistration.objects.filter(tenant=tenant, status__in=OPEN_FOR_DECISION)
        .annotate(
            sla_due=ExpressionWrapper(F("submitted_at") + Value(sla), output_field=DateTimeField()),
            conflict_count=Coalesce(Subquery(conflicts), 0),
        )
        .order_by("submitted_at", "id")
        .values(
            "public_id",
            "partner__public_id",
            "partner__name",
            "customer_name",
            "customer_domain",
            "contact_name",
            "contact_email",
            "product_lines",
            "solution",
            "value",
            "currency",
            "expected_close_date",
            "stage",
            "status",
            "submitted_at",
            "decided_at",
            "protected_until",
            "closed_amount",
            "closed_on",
            "sla_due",
            "conflict_count",
        )
    )
    rows, cursor = _page(request, queryset, key="submitted_at", descending=False)
    for row in rows:
        row["id"] = row.pop("public_id")
        row["partner"] = {"id": row.pop("partner__public_id"), "name": row.pop("partner__name")}
    return JsonResponse({"next": _link(request, cursor), "previous": None, "results": rows})


def ping(request):
    """No database, no authentication: the floor of a request through gunicorn and the middleware."""
    return HttpResponse(b'{"ok":true}', content_type="application/json")


urlpatterns = [
    path("bench/raw/t/<slug:tenant_slug>/partners/", partner_list, name="bench-raw-partners"),
    path("bench/raw/t/<slug:tenant_slug>/deal-registrations/", registration_queue, name="bench-raw-registrations"),
    path("bench/ping/", ping, name="bench-ping"),
    *product_urlpatterns,
]
