"""Vendor portal: the program's customer accounts — search them, see who holds what, add one by hand.

Accounts also come from registrations (the first registration of a customer creates it) and from
CRM imports. Everyone on the vendor staff reads; owners and partner managers add. Partner users
never see this list: which customers the vendor has, and who registered them, is the vendor's.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_queryset
from ecosystem.portal.base import back_to_tenant, roles_required
from partners.models import Region

from .accounts import account_list, customer_account_create
from .models import AccountOwner

PAGE_SIZE = 25


class AccountForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Company name"), max_length=200)
    domain = forms.CharField(label=gettext_lazy("Website domain"), max_length=253, required=False)
    industry = forms.CharField(label=gettext_lazy("Industry"), max_length=80, required=False)
    region = forms.ChoiceField(label=gettext_lazy("Region"), choices=[("", "—"), *Region.choices], required=False)
    owner_kind = forms.ChoiceField(label=gettext_lazy("Owner"), choices=AccountOwner.choices, initial=AccountOwner.NONE)


def _query(search: str) -> str:
    """Only the search itself goes into pagination links: nothing else from the address is echoed back."""
    query = QueryDict(mutable=True)
    if search:
        query["q"] = search
    return query.urlencode()


@roles_required(*STAFF_ROLES)
def accounts(request: HttpRequest) -> HttpResponse:
    can_edit = request.membership.role in PARTNER_EDITOR_ROLES
    if request.method == "POST" and not can_edit:
        return render(request, "403.html", status=403)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = customer_account_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": account.name})
            return back_to_tenant(request, "customer_accounts:list")
    query = request.GET.get("q", "")
    if request.method == "GET" and export_format(request):
        return export_queryset(
            request,
            filename=f"customer-accounts-{request.tenant.slug}.csv",
            queryset=account_list(tenant=request.tenant, query=query),
            columns={
                "id": "public_id",
                "name": "name",
                "domain": "domain",
                "industry": "industry",
                "region": "region",
                "owner": "owner_kind",
                "active_registrations": "active_registrations",
                "open_direct_opportunities": "open_direct",
            },
        )
    page = Paginator(account_list(tenant=request.tenant, query=query), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "query": _query(query),
        "form": form,
        "can_edit": can_edit,
    }
    return render(request, "deals/accounts/list.html", context, status=400 if request.method == "POST" else 200)
