"""Co-selling pages: a partner's invitations, the deals it co-sells and its own deal's team; the vendor's team page.

Every page reads through ``deals.cosell`` (the API does too): a co-selling partner gets a
:class:`~deals.cosell.CoSellDeal`, never the registration, so the registering partner's value,
notes and contacts cannot reach a template by accident.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from partners.models import PartnerType

from . import cosell
from .models import ACTIVE_STATUSES, CoSellRole

PAGE_SIZE = 25
ROLE_CHOICES = [(role.value, role.label) for role in CoSellRole if role != CoSellRole.SOURCING]


class PartnerChoiceField(forms.ChoiceField):
    """A select of the program's partners; the service checks the choice (the list shown is capped and searchable)."""

    def valid_value(self, value) -> bool:
        return True


class TeamInviteForm(forms.Form):
    """A partner of the program and its role; ``partner`` choices are filled per request."""

    partner = PartnerChoiceField(label=gettext_lazy("Partner"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)
    message = forms.CharField(
        label=gettext_lazy("Message"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, partners: list[dict], with_message: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "—")] + [
            (str(p["public_id"]), f"{p['name']} ({PartnerType(p['partner_type']).label})") for p in partners
        ]
        if not with_message:
            del self.fields["message"]


def _partner_id(request: HttpRequest) -> int:
    return request.membership.partner_id


# --- partner portal --------------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def invitations(request: HttpRequest) -> HttpResponse:
    found = cosell.invitations_for_partner(tenant=request.tenant, partner_id=_partner_id(request))
    return render(
        request,
        "deals/cosell/invitations.html",
        {"invitations": found, "can_answer": request.membership.role == Role.PARTNER_ADMIN},
    )


def _respond(request: HttpRequest, participant_id, *, accept: bool) -> HttpResponse:
    participant = cosell.access_invitation(tenant=request.tenant, public_id=participant_id, partner_id=_partner_id(request))
    try:
        cosell.cosell_respond(
            tenant=request.tenant, actor=request.user, partner_id=_partner_id(request), participant=participant, accept=accept
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return back_to_tenant(request, "partner_cosell:invitations")
    if accept:
        messages.success(request, _("You are on the team of this deal."))
        return back_to_tenant(request, "partner_cosell:deal", registration_id=participant.registration.public_id)
    messages.success(request, _("Invitation declined."))
    return back_to_tenant(request, "partner_cosell:invitations")


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def invitation_accept(request: HttpRequest, participant_id) -> HttpResponse:
    return _respond(request, participant_id, accept=True)


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def invitation_decline(request: HttpRequest, participant_id) -> HttpResponse:
    return _respond(request, participant_id, accept=False)


@roles_required(*PARTNER_ROLES)
def deal_list(request: HttpRequest) -> HttpResponse:
    queryset = cosell.cosell_deals_for_partner(tenant=request.tenant, partner_id=_partner_id(request))
    if export_format(request):
        # the columns the page shows (the fields the selector reads): one query
        return export_response(
            request,
            filename="deals-we-cosell.csv",
            header=["registration_id", "customer", "our_role", "stage", "expected_close", "product_lines"],
            rows=(
                (*row[:5], " ".join(row[5]))
                for row in queryset.values_list(
                    "registration__public_id",
                    "registration__customer_name",
                    "role",
                    "registration__stage",
                    "registration__expected_close_date",
                    "registration__product_lines",
                ).iterator()
            ),
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "deals/cosell/deal_list.html", {"page": page})


@roles_required(*PARTNER_ROLES)
def deal_detail(request: HttpRequest, registration_id) -> HttpResponse:
    deal = cosell.access_cosell_deal(tenant=request.tenant, registration_id=registration_id, partner_id=_partner_id(request))
    return render(request, "deals/cosell/deal_detail.html", {"deal": deal})


@roles_required(*PARTNER_ROLES)
def team(request: HttpRequest, registration_id) -> HttpResponse:
    """The registering partner's own deal: its team, and the form to invite a partner of the program."""
    registration = cosell.access_own_registration(
        tenant=request.tenant, registration_id=registration_id, partner_id=_partner_id(request)
    )
    search = request.GET.get("q", "")
    partners = cosell.invitable_partners(tenant=request.tenant, registration=registration, search=search)
    form = TeamInviteForm(request.POST or None, partners=partners)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitee = cosell.invitable_partner(tenant=request.tenant, public_id=form.cleaned_data["partner"])
                cosell.cosell_invite(
                    tenant=request.tenant,
                    actor=request.user,
                    partner_id=_partner_id(request),
                    registration=registration,
                    invitee=invitee,
                    role=form.cleaned_data["role"],
                    message=form.cleaned_data["message"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Invitation sent to %(name)s.") % {"name": invitee.name})
                return back_to_tenant(request, "partner_cosell:team", registration_id=registration.public_id)
        status = 400
    context = {
        "registration": registration,
        "team": cosell.cosell_team(tenant=request.tenant, registration=registration, partner_id=_partner_id(request)),
        "form": form,
        "search": search,
        "can_invite": registration.is_active,
        "can_remove": request.membership.role == Role.PARTNER_ADMIN,
    }
    return render(request, "deals/cosell/team.html", context, status=status)


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def team_remove(request: HttpRequest, registration_id, participant_id) -> HttpResponse:
    registration = cosell.access_own_registration(
        tenant=request.tenant, registration_id=registration_id, partner_id=_partner_id(request)
    )
    participant = cosell.access_participant(tenant=request.tenant, registration=registration, participant_id=participant_id)
    try:
        cosell.cosell_remove(
            tenant=request.tenant,
            actor=request.user,
            participant=participant,
            reason=request.POST.get("reason", ""),
            partner_id=_partner_id(request),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The partner is off the team."))
    return back_to_tenant(request, "partner_cosell:team", registration_id=registration.public_id)


# --- vendor portal ---------------------------------------------------------------------------------


def _vendor_team_page(request: HttpRequest, registration, form: TeamInviteForm, *, status: int = 200) -> HttpResponse:
    context = {
        "registration": registration,
        "team": cosell.cosell_team(tenant=request.tenant, registration=registration, history=True),
        "form": form,
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES,
        "can_assign": registration.status in ACTIVE_STATUSES,
    }
    return render(request, "deals/cosell/manage_team.html", context, status=status)


@roles_required(*STAFF_ROLES)
def manage_team(request: HttpRequest, registration_id) -> HttpResponse:
    registration = cosell.access_own_registration(tenant=request.tenant, registration_id=registration_id, partner_id=None)
    partners = cosell.invitable_partners(tenant=request.tenant, registration=registration, search=request.GET.get("q", ""))
    return _vendor_team_page(request, registration, TeamInviteForm(partners=partners, with_message=False))


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def manage_assign(request: HttpRequest, registration_id) -> HttpResponse:
    registration = cosell.access_own_registration(tenant=request.tenant, registration_id=registration_id, partner_id=None)
    partners = cosell.invitable_partners(tenant=request.tenant, registration=registration)
    form = TeamInviteForm(request.POST, partners=partners, with_message=False)
    if form.is_valid():
        try:
            partner = cosell.invitable_partner(tenant=request.tenant, public_id=form.cleaned_data["partner"])
            cosell.cosell_assign(
                tenant=request.tenant,
                actor=request.user,
                registration=registration,
                partner=partner,
                role=form.cleaned_data["role"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("%(name)s is on the team.") % {"name": partner.name})
            return back_to_tenant(request, "cosell:team", registration_id=registration.public_id)
    return _vendor_team_page(request, registration, form, status=400)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def manage_remove(request: HttpRequest, registration_id, participant_id) -> HttpResponse:
    registration = cosell.access_own_registration(tenant=request.tenant, registration_id=registration_id, partner_id=None)
    participant = cosell.access_participant(tenant=request.tenant, registration=registration, participant_id=participant_id)
    try:
        cosell.cosell_remove(
            tenant=request.tenant, actor=request.user, participant=participant, reason=request.POST.get("reason", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The partner is off the team."))
    return back_to_tenant(request, "cosell:team", registration_id=registration.public_id)
