from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from rest_framework import mixins

from ecosystem.accounts.models import STAFF_ROLES
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from onboarding import training_selectors
from onboarding.models import Certification, Course, CourseModule, Track

from .training_serializers import CertificationOutputSerializer, CourseOutputSerializer


class CourseFilter(django_filters.FilterSet):
    track = django_filters.ChoiceFilter(choices=Track.choices)
    is_published = django_filters.BooleanFilter()

    class Meta:
        model = Course
        fields = ["track", "is_published"]


class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The program's courses (drafts too) with their modules. Filters: ``track``, ``is_published``."""

    model = Course
    serializer_class = CourseOutputSerializer
    filterset_class = CourseFilter
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return (
            Course.objects.filter(tenant=self.tenant)
            .prefetch_related(Prefetch("modules", queryset=CourseModule.objects.order_by("position", "id")))
            .order_by("-created_at", "-id")
        )


class IssuedCursorPagination(CreatedCursorPagination):
    ordering = ("-issued_at", "-id")


class CertificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Certifications issued to partners' people.

    Filters: ``q`` (number, holder or partner), ``course`` (id), ``status`` (valid, expired,
    revoked), ``expiring_within_days`` (valid ones expiring within that many days).
    """

    model = Certification
    serializer_class = CertificationOutputSerializer
    filterset_class = training_selectors.CertificationFilter
    pagination_class = IssuedCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return training_selectors.certification_list(tenant=self.tenant).order_by("-issued_at", "-id")
