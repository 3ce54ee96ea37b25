"""Webhook pages (tenant owners): endpoints, their secrets and delivery logs; test events and resending."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import Role
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_queryset
from ecosystem.portal.base import back_to_tenant, roles_required

from . import selectors, services
from .delivery import EVENT_HEADER, EVENT_ID_HEADER, PREVIOUS_SIGNATURE_HEADER
from .forms import WebhookEndpointForm
from .models import EVENT_TYPES, DeliveryStatus

LOG_PAGE_SIZE = 50


@roles_required(Role.OWNER)
def endpoints(request: HttpRequest) -> HttpResponse:
    """The endpoints with their delivery counts, and a form to add one (its secret is shown once)."""
    form = WebhookEndpointForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.webhook_endpoint_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            form = WebhookEndpointForm()
    context = {
        "form": form,
        "created": created,
        "endpoints": selectors.endpoint_list(tenant=request.tenant),
        "event_labels": EVENT_TYPES,
    }
    return render(request, "webhooks/endpoints.html", context, status=400 if form.errors else 200)


def _detail(request: HttpRequest, endpoint, *, new_secret: str | None = None) -> HttpResponse:
    status = request.GET.get("status") or ""
    if new_secret is None and export_format(request):
        # the delivery log as filtered (never the secret or the payloads): one query
        return export_queryset(
            request,
            filename=f"webhook-deliveries-{endpoint.public_id}.csv",
            queryset=selectors.delivery_log(tenant=request.tenant, endpoint=endpoint, status=status),
            columns={
                "id": "public_id",
                "created_at": "created_at",
                "event": "event__event_type",
                "event_id": "event__public_id",
                "status": "status",
                "attempts": "attempts",
                "last_code": "last_status_code",
                "last_error": "last_error",
                "last_attempt_at": "last_attempt_at",
                "delivered_at": "delivered_at",
            },
        )
    page = Paginator(selectors.delivery_log(tenant=request.tenant, endpoint=endpoint, status=status), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "endpoint": endpoint,
        "page": page,
        "status": status,
        "status_query": f"status={status}" if status else "",
        "statuses": DeliveryStatus.choices,
        "new_secret": new_secret,
        "event_labels": EVENT_TYPES,
        "headers": {"event": EVENT_HEADER, "event_id": EVENT_ID_HEADER, "previous": PREVIOUS_SIGNATURE_HEADER},
    }
    return render(request, "webhooks/endpoint_detail.html", context)


@roles_required(Role.OWNER)
def endpoint_detail(request: HttpRequest, endpoint_id) -> HttpResponse:
    """One endpoint: its events, actions and its delivery log (50 a page, filter by status)."""
    return _detail(request, selectors.access_endpoint(tenant=request.tenant, endpoint_id=endpoint_id))


@require_POST
@roles_required(Role.OWNER)
def endpoint_rotate(request: HttpRequest, endpoint_id) -> HttpResponse:
    """A new secret, shown once on the page this answers with."""
    endpoint = selectors.access_endpoint(tenant=request.tenant, endpoint_id=endpoint_id)
    rotated = services.webhook_endpoint_rotate_secret(tenant=request.tenant, actor=request.user, endpoint=endpoint)
    return _detail(request, rotated, new_secret=rotated.secret)


@require_POST
@roles_required(Role.OWNER)
def endpoint_test(request: HttpRequest, endpoint_id) -> HttpResponse:
    endpoint = selectors.access_endpoint(tenant=request.tenant, endpoint_id=endpoint_id)
    delivery = services.webhook_send_test(tenant=request.tenant, actor=request.user, endpoint=endpoint)
    messages.success(request, _("A test event (%(id)s) is on its way.") % {"id": delivery.event.public_id})
    return back_to_tenant(request, "webhooks:endpoint", endpoint_id=endpoint.public_id)


@require_POST
@roles_required(Role.OWNER)
def endpoint_active(request: HttpRequest, endpoint_id) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate an endpoint."""
    endpoint = selectors.access_endpoint(tenant=request.tenant, endpoint_id=endpoint_id)
    active = request.POST.get("active") == "1"
    services.webhook_endpoint_update(tenant=request.tenant, actor=request.user, endpoint=endpoint, is_active=active)
    messages.success(request, _("The endpoint is active again.") if active else _("The endpoint was deactivated."))
    return back_to_tenant(request, "webhooks:endpoint", endpoint_id=endpoint.public_id)


@require_POST
@roles_required(Role.OWNER)
def delivery_resend(request: HttpRequest, delivery_id) -> HttpResponse:
    delivery = selectors.access_delivery(tenant=request.tenant, delivery_id=delivery_id)
    try:
        services.webhook_delivery_resend(tenant=request.tenant, actor=request.user, delivery=delivery)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The delivery will be sent again, with the same event id."))
    return back_to_tenant(request, "webhooks:endpoint", endpoint_id=delivery.endpoint.public_id)
