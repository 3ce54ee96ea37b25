"""Lead pages: the vendor's list, new-lead form and lead page (route, offer, withdraw); the partner's
"Leads for us", the lead page with accept / decline, and the form that converts it into a registration.

Every action calls the service in :mod:`deals.leads`, so the portal and the API refuse alike.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.exports import export_format, export_queryset
from ecosystem.portal.base import back_to_tenant, roles_required
from partners.mdf.selectors import registrable_campaigns
from partners.models import Capability, PartnerOrganization, Region
from partners.solutions.selectors import lead_solution_choices, registrable_solutions

from . import leads
from .lead_forms import LeadConvertForm, LeadForm
from .models import LeadStatus, ProductLine

PAGE_SIZE = 25
# column → field of the staff lead export
STAFF_LEAD_EXPORT = {
    "id": "public_id",
    "company": "company_name",
    "domain": "domain",
    "contact": "contact_name",
    "contact_email": "contact_email",
    "region": "region",
    "partner_type": "partner_type",
    "estimated_value": "estimated_value",
    "currency": "currency",
    "status": "status",
    "offered_to": "offered_to__name",
    "respond_by": "respond_by",
    "created_at": "created_at",
}


def _form_error(form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _product_line_choices(tenant) -> list[tuple[str, str]]:
    return list(ProductLine.objects.filter(tenant=tenant, is_active=True).order_by("name").values_list("slug", "name"))


# --- vendor portal -----------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def lead_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in LeadStatus.values else ""
    region = request.GET.get("region", "")
    region = region if region in Region.values else ""
    if export_format(request):
        return export_queryset(
            request,
            filename=f"leads-{request.tenant.slug}.csv",
            queryset=leads.leads_for_staff(tenant=request.tenant, status=status, region=region),
            columns=STAFF_LEAD_EXPORT,
        )
    page = Paginator(leads.leads_for_staff(tenant=request.tenant, status=status, region=region), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = QueryDict(mutable=True)
    if status:
        query["status"] = status
    if region:
        query["region"] = region
    context = {
        "page": page,
        "query": query.urlencode(),
        "status": status,
        "region": region,
        "statuses": LeadStatus.choices,
        "regions": Region.choices,
        "now": timezone.now(),
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "deals/leads/lead_list.html", context)


@roles_required(*PARTNER_EDITOR_ROLES)
def lead_create(request: HttpRequest) -> HttpResponse:
    form = LeadForm(
        request.POST or None,
        capabilities=Capability.objects.filter(tenant=request.tenant).order_by("name").values_list("slug", "name"),
        product_lines=_product_line_choices(request.tenant),
        solutions=lead_solution_choices(tenant=request.tenant),
    )
    if request.method == "POST" and form.is_valid():
        try:
            lead = leads.lead_create(tenant=request.tenant, actor=request.user, values=form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Lead %(name)s created. Route it or offer it to a partner.") % {"name": lead})
            return back_to_tenant(request, "leads:detail", lead_id=lead.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "deals/leads/lead_form.html", {"form": form}, status=status)


def _names(request: HttpRequest, lead) -> dict[str, str]:
    """The lead's product lines and capabilities as people call them (two small queries)."""
    from partners.models import Capability

    from .models import ProductLine

    lines = dict(ProductLine.objects.filter(tenant=request.tenant, slug__in=lead.product_lines).values_list("slug", "name"))
    capabilities = dict(Capability.objects.filter(tenant=request.tenant, slug__in=lead.capabilities).values_list("slug", "name"))
    return {
        "product_line_names": ", ".join(lines.get(slug, slug) for slug in lead.product_lines),
        "capability_names": ", ".join(capabilities.get(slug, slug) for slug in lead.capabilities),
    }


def _vendor_detail(
    request: HttpRequest,
    lead,
    *,
    status: int = 200,
    offer_error: str = "",
    chosen: str = "",
    campaign_error: str = "",
    campaign_chosen: str | None = None,
) -> HttpResponse:
    can_edit = request.membership.role in PARTNER_EDITOR_ROLES
    can_tag = can_edit and lead.offered_to_id is not None and lead.status != LeadStatus.WITHDRAWN
    context = {
        **_names(request, lead),
        "lead": lead,
        "offers": list(leads.lead_offers(lead=lead)),
        "unmatched_reason": leads.unmatched_reason(lead=lead),
        "can_edit": can_edit,
        "can_route": can_edit and lead.status in (LeadStatus.NEW, LeadStatus.UNMATCHED),
        "can_offer": can_edit and lead.status in leads.OFFERABLE,
        "can_withdraw": can_edit and lead.status not in (LeadStatus.CONVERTED, LeadStatus.WITHDRAWN),
        "solution_choices": lead_solution_choices(tenant=request.tenant)
        if can_edit and lead.status not in (LeadStatus.CONVERTED, LeadStatus.WITHDRAWN)
        else [],
        "partners": leads.partners_to_offer(tenant=request.tenant) if can_edit and lead.status in leads.OFFERABLE else [],
        "offer_error": offer_error,
        "chosen": chosen,
        **_campaign_context(
            request, lead, url_name="leads:campaign", can_tag=can_tag, error=campaign_error, chosen=campaign_chosen
        ),
        "now": timezone.now(),
    }
    return render(request, "deals/leads/lead_detail.html", context, status=status)


def _campaign_context(request: HttpRequest, lead, *, url_name: str, can_tag: bool, error: str, chosen: str | None) -> dict:
    """The MDF campaign form of a lead page: the lead's partner's approved campaigns (one query), what was chosen."""
    choices = registrable_campaigns(tenant=request.tenant, partner_id=lead.offered_to_id) if can_tag else []
    if chosen is None:
        chosen = str(lead.mdf_request.public_id) if lead.mdf_request_id and lead.mdf_request else ""
    return {
        "campaign_choices": choices,
        "can_tag": can_tag,
        "campaign_error": error,
        "campaign_chosen": chosen,
        "campaign_url": reverse(url_name, kwargs={"tenant_slug": request.tenant.slug, "lead_id": lead.public_id}),
    }


@roles_required(*STAFF_ROLES)
def lead_detail(request: HttpRequest, lead_id) -> HttpResponse:
    return _vendor_detail(request, leads.access_lead(tenant=request.tenant, public_id=lead_id))


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def lead_route(request: HttpRequest, lead_id) -> HttpResponse:
    lead = leads.access_lead(tenant=request.tenant, public_id=lead_id)
    try:
        offer = leads.lead_route(tenant=request.tenant, actor=request.user, lead=lead)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if offer is None:
            messages.warning(request, _("No partner fits this lead; it is marked unmatched."))
        else:
            messages.success(request, _("Offered to %(partner)s.") % {"partner": offer.partner.name})
    return back_to_tenant(request, "leads:detail", lead_id=lead.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def lead_offer(request: HttpRequest, lead_id) -> HttpResponse:
    lead = leads.access_lead(tenant=request.tenant, public_id=lead_id)
    chosen = request.POST.get("partner", "")
    try:
        partner = PartnerOrganization.objects.filter(tenant=request.tenant, public_id=chosen).first() if chosen else None
    except ValueError:
        partner = None
    if partner is None:
        return _vendor_detail(request, lead, status=400, offer_error=_("Choose a partner from the list."), chosen=chosen)
    try:
        leads.lead_offer_manual(
            tenant=request.tenant, actor=request.user, lead=lead, partner=partner, note=request.POST.get("note", "")
        )
    except ApplicationError as error:
        lead.refresh_from_db()
        return _vendor_detail(request, lead, status=400, offer_error=error.message, chosen=chosen)
    messages.success(request, _("Offered to %(partner)s.") % {"partner": partner.name})
    return back_to_tenant(request, "leads:detail", lead_id=lead.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def lead_campaign(request: HttpRequest, lead_id) -> HttpResponse:
    """Tag the lead with an approved MDF campaign of its partner, or clear the tag (empty)."""
    lead = leads.access_lead(tenant=request.tenant, public_id=lead_id)
    chosen = request.POST.get("mdf_request", "")
    try:
        leads.lead_campaign_set(tenant=request.tenant, actor=request.user, lead=lead, mdf_request=chosen)
    except ApplicationError as error:
        return _vendor_detail(request, lead, status=400, campaign_error=error.message, campaign_chosen=chosen)
    messages.success(request, _("MDF campaign saved.") if chosen else _("MDF campaign cleared."))
    return back_to_tenant(request, "leads:detail", lead_id=lead.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def lead_withdraw(request: HttpRequest, lead_id) -> HttpResponse:
    lead = leads.access_lead(tenant=request.tenant, public_id=lead_id)
    try:
        leads.lead_withdraw(tenant=request.tenant, actor=request.user, lead=lead, reason=request.POST.get("reason", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The lead was withdrawn."))
    return back_to_tenant(request, "leads:detail", lead_id=lead.public_id)


# --- partner portal ----------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def my_leads(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    partner_id = request.membership.partner_id
    if export_format(request):
        # what the list shows a partner: no contact details (those are on an accepted lead's own page)
        return export_queryset(
            request,
            filename="my-leads.csv",
            queryset=leads.leads_for_partner(tenant=request.tenant, partner_id=partner_id, status=status),
            columns={
                "id": "public_id",
                "company": "company_name",
                "region": "region",
                "estimated_value": "estimated_value",
                "currency": "currency",
                "status": "status",
                "respond_by": "respond_by",
                "updated_at": "updated_at",
            },
        )
    page = Paginator(leads.leads_for_partner(tenant=request.tenant, partner_id=partner_id, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "status": status if status in leads.PARTNER_VISIBLE else "",
        "statuses": [(s, LeadStatus(s).label) for s in leads.PARTNER_VISIBLE],
        "query": f"status={status}" if status in leads.PARTNER_VISIBLE else "",
        "now": timezone.now(),
    }
    return render(request, "deals/leads/my_leads.html", context)


def _partner_lead(request: HttpRequest, lead_id):
    return leads.access_lead(tenant=request.tenant, public_id=lead_id, partner_id=request.membership.partner_id)


def _partner_detail(
    request: HttpRequest,
    lead,
    *,
    status: int = 200,
    decline_error: str = "",
    reason: str = "",
    campaign_error: str = "",
    campaign_chosen: str | None = None,
) -> HttpResponse:
    partner_id = request.membership.partner_id
    offers = list(leads.lead_offers(lead=lead, partner_id=partner_id))
    context = {
        **_names(request, lead),
        "lead": lead,
        "offer": offers[0] if offers else None,
        "decline_error": decline_error,
        "reason": reason,
        **_campaign_context(
            request, lead, url_name="partner_leads:campaign", can_tag=True, error=campaign_error, chosen=campaign_chosen
        ),
        "now": timezone.now(),
    }
    return render(request, "deals/leads/my_lead.html", context, status=status)


@roles_required(*PARTNER_ROLES)
def my_lead(request: HttpRequest, lead_id) -> HttpResponse:
    return _partner_detail(request, _partner_lead(request, lead_id))


@require_POST
@roles_required(*PARTNER_ROLES)
def my_lead_accept(request: HttpRequest, lead_id) -> HttpResponse:
    lead = _partner_lead(request, lead_id)
    try:
        leads.lead_accept(tenant=request.tenant, actor=request.user, partner_id=request.membership.partner_id, lead=lead)
    except ApplicationError as error:
        messages.error(request, error.message)
        return back_to_tenant(request, "partner_leads:list")
    messages.success(request, _("Lead accepted. Register the deal when you are ready."))
    return back_to_tenant(request, "partner_leads:detail", lead_id=lead.public_id)


@require_POST
@roles_required(*PARTNER_ROLES)
def my_lead_decline(request: HttpRequest, lead_id) -> HttpResponse:
    lead = _partner_lead(request, lead_id)
    reason = request.POST.get("reason", "")
    try:
        leads.lead_decline(
            tenant=request.tenant, actor=request.user, partner_id=request.membership.partner_id, lead=lead, reason=reason
        )
    except ApplicationError as error:
        if error.field == "reason":
            return _partner_detail(request, lead, status=400, decline_error=error.message, reason=reason)
        messages.error(request, error.message)
    else:
        messages.success(request, _("You declined the lead %(name)s.") % {"name": lead.company_name})
    return back_to_tenant(request, "partner_leads:list")


@require_POST
@roles_required(*PARTNER_ROLES)
def my_lead_campaign(request: HttpRequest, lead_id) -> HttpResponse:
    """Tag a lead of ours with one of our approved MDF campaigns, or clear the tag (empty)."""
    lead = _partner_lead(request, lead_id)
    chosen = request.POST.get("mdf_request", "")
    try:
        leads.lead_campaign_set(
            tenant=request.tenant,
            actor=request.user,
            lead=lead,
            mdf_request=chosen,
            partner_id=request.membership.partner_id,
        )
    except ApplicationError as error:
        return _partner_detail(request, lead, status=400, campaign_error=error.message, campaign_chosen=chosen)
    messages.success(request, _("MDF campaign saved.") if chosen else _("MDF campaign cleared."))
    return back_to_tenant(request, "partner_leads:detail", lead_id=lead.public_id)


@roles_required(*PARTNER_ROLES)
def my_lead_convert(request: HttpRequest, lead_id) -> HttpResponse:
    lead = _partner_lead(request, lead_id)
    if lead.status != LeadStatus.ACCEPTED:
        raise NotFoundError()
    initial = {
        "customer_domain": lead.domain,
        "contact_name": lead.contact_name,
        "contact_email": lead.contact_email,
        "product_lines": lead.product_lines,
        "value": lead.estimated_value if lead.estimated_value is not None else "",
        "currency": lead.currency,
        "notes": lead.notes,
        "stage": "qualification",
    }
    solutions = registrable_solutions(tenant=request.tenant, partner_id=request.membership.partner_id)
    campaigns = registrable_campaigns(tenant=request.tenant, partner_id=request.membership.partner_id)
    if lead.mdf_request_id and lead.mdf_request and any(str(lead.mdf_request.public_id) == v for v, _t in campaigns):
        initial["mdf_request"] = str(lead.mdf_request.public_id)
    if lead.joint_solution and any(str(lead.joint_solution.public_id) == value for value, _name in solutions):
        initial["joint_solution"] = str(lead.joint_solution.public_id)
    form = LeadConvertForm(
        request.POST or None,
        initial=initial,
        product_lines=_product_line_choices(request.tenant),
        solutions=solutions,
        campaigns=campaigns,
    )
    if request.method == "POST" and form.is_valid():
        try:
            submitted = leads.lead_convert(
                tenant=request.tenant,
                actor=request.user,
                partner_id=request.membership.partner_id,
                lead=lead,
                values=form.cleaned_data,
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            if submitted.under_review:
                messages.warning(request, _("Registered. This customer may already be registered: a manager will review it."))
            else:
                messages.success(request, _("Registered: %(status)s.") % {"status": submitted.registration.get_status_display()})
            return back_to_tenant(request, "partner_leads:detail", lead_id=lead.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "deals/leads/my_lead_convert.html", {"lead": lead, "form": form}, status=status)
