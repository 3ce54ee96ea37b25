"""Partner list filters, shared by the portal and the API so both answer the same question the same way."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import PartnerOrganization, PartnerStatus, PartnerType


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    partner_type = django_filters.ChoiceFilter(label=_("Type"), choices=PartnerType.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PartnerStatus.choices)
    country = django_filters.ChoiceFilter(label=_("Country"), choices=list(countries))

    class Meta:
        model = PartnerOrganization
        fields = ["q", "partner_type", "status", "country"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(website_domain__icontains=value.lower()))
