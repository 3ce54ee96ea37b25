from __future__ import annotations

import django_filters
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Membership, Role
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from onboarding import learning, training_selectors, training_setup
from onboarding.models import Certification, Course, CourseModule, LearnerTrack, Track
from onboarding.training import certifications

from .training_serializers import (
    CertificationOutputSerializer,
    CertificationRevokeInputSerializer,
    CourseInputSerializer,
    CourseOutputSerializer,
    LearnerOutputSerializer,
    LearnerTracksInputSerializer,
)


class CourseFilter(django_filters.FilterSet):
    track = django_filters.ChoiceFilter(choices=Track.choices)
    is_published = django_filters.BooleanFilter()

    class Meta:
        model = Course
        fields = ["track", "is_published"]


_COURSE_EXAMPLE = OpenApiExample(
    "A partner sales course",
    value={
        "title": "Selling the platform",
        "summary": "Positioning, pricing and the first call.",
        "track": "sales",
        "pass_mark": 80,
        "validity_months": 24,
    },
    request_only=True,
)


class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The program's courses (drafts too) with their modules. Filters: ``track``, ``is_published``.

    Owners and partner managers (and write keys) create a draft, change its details (``PUT``), ``publish``
    it (refused with ``quiz_incomplete`` until its quiz can be passed) and ``unpublish`` it, as on the
    portal's course setup page (``onboarding.training_setup``). Modules and quiz questions stay portal-only.
    """

    model = Course
    serializer_class = CourseOutputSerializer
    filterset_class = CourseFilter
    ordering_fields = ["created_at", "title"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return (
            Course.objects.filter(tenant=self.tenant)
            .prefetch_related(Prefetch("modules", queryset=CourseModule.objects.order_by("position", "id")))
            .order_by("-created_at", "-id")
        )

    def _answer(self, course: Course, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(CourseOutputSerializer(self.get_queryset().get(pk=course.pk)).data, status=status_code)

    @extend_schema(request=CourseInputSerializer, responses={201: CourseOutputSerializer}, examples=[_COURSE_EXAMPLE])
    def create(self, request, *args, **kwargs):
        """A new draft course: partners see it once it has a quiz and is published."""
        payload = CourseInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        course = training_setup.course_create(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return self._answer(course, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=CourseInputSerializer, responses={200: CourseOutputSerializer}, examples=[_COURSE_EXAMPLE])
    def update(self, request, *args, **kwargs):
        """Change the course's details. ``400 on_learning_path`` when a course on a path would change track."""
        course = self.get_object()
        payload = CourseInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        course = training_setup.course_update(tenant=self.tenant, actor=self.actor, course=course, **payload.validated_data)
        return self._answer(course)

    @extend_schema(request=None, responses={200: CourseOutputSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        """Show the course to partners. ``400 quiz_incomplete`` names what its quiz still lacks."""
        return self._answer(training_setup.course_publish(tenant=self.tenant, actor=self.actor, course=self.get_object()))

    @extend_schema(request=None, responses={200: CourseOutputSerializer})
    @action(detail=True, methods=["post"])
    def unpublish(self, request, *args, **kwargs):
        """Hide the course from partners; completions and certifications already earned stay valid."""
        return self._answer(training_setup.course_unpublish(tenant=self.tenant, actor=self.actor, course=self.get_object()))


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
    ordering_fields = ["issued_at", "expires_on"]
    pagination_class = IssuedCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return training_selectors.certification_list(tenant=self.tenant).order_by("-issued_at", "-id")

    @extend_schema(
        request=CertificationRevokeInputSerializer,
        responses={200: CertificationOutputSerializer},
        examples=[OpenApiExample("Issued in error", value={"reason": "Issued to the wrong person."}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """Withdraw the certification (its number then verifies as a mismatch). ``400 already_revoked``."""
        certification = self.get_object()
        payload = CertificationRevokeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        revoked = certifications.certification_revoke(
            tenant=self.tenant, actor=self.actor, certification=certification, reason=payload.validated_data["reason"]
        )
        return Response(CertificationOutputSerializer(self.get_queryset().get(pk=revoked.pk)).data)


class LearnerFilter(django_filters.FilterSet):
    partner = django_filters.UUIDFilter(field_name="partner__public_id")
    track = django_filters.ChoiceFilter(choices=Track.choices, method="filter_track")

    class Meta:
        model = Membership
        fields = ["partner", "track"]

    def filter_track(self, queryset, name, value):
        return queryset.filter(user__in=LearnerTrack.objects.filter(track=value).values("user"))


class LearnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Partners' people (active partner admins and reps) with the tracks their partner admin assigned.

    The list is for vendor staff and API keys; filters: ``partner`` (id), ``track``. A partner
    admin reads and changes their own organisation's people one at a time (``POST …/tracks/``);
    a rep reads only themselves. Everybody else's people are "not found".
    """

    model = Membership
    serializer_class = LearnerOutputSerializer
    filterset_class = LearnerFilter
    read_roles = frozenset(STAFF_ROLES | PARTNER_ROLES)
    # Vendor editors pass the role gate so that a foreign person is "not found" for them as for
    # anybody; the action itself then lets only partner admins change anything.
    write_roles = frozenset({Role.PARTNER_ADMIN} | PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        queryset = (
            Membership.objects.filter(tenant=self.tenant, is_active=True, role__in=PARTNER_ROLES)
            .select_related("user", "partner")
            .annotate(tracks=ArraySubquery(LearnerTrack.objects.filter(user=OuterRef("user")).values("track")))
            .order_by("-created_at", "-id")
        )
        if self.membership is not None and self.membership.partner_id is not None:
            queryset = queryset.filter(partner_id=self.membership.partner_id)
            if self.membership.role != Role.PARTNER_ADMIN:
                queryset = queryset.filter(pk=self.membership.pk)
        return queryset

    def list(self, request, *args, **kwargs):
        if self.caller_partner_id is not None:
            raise exceptions.NotFound()  # partner users read one person at a time
        return super().list(request, *args, **kwargs)

    @extend_schema(request=LearnerTracksInputSerializer, responses={200: LearnerOutputSerializer})
    @action(detail=True, methods=["post"])
    def tracks(self, request, *args, **kwargs):
        """Set the person's tracks (partner admins, for their own organisation's people)."""
        person = self.get_object()
        if self.membership is None or self.membership.role != Role.PARTNER_ADMIN:
            raise exceptions.PermissionDenied(
                code="role_forbidden", detail=_("Only the person's own partner admins assign learning paths.")
            )
        payload = LearnerTracksInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        learning.learner_tracks_set(
            tenant=self.tenant,
            actor=self.actor,
            partner=self.membership.partner,
            user=person.user,
            tracks=payload.validated_data["tracks"],
        )
        return Response(self.get_serializer(self.get_object()).data)
