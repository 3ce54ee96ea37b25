"""Denied-party screening in the API, for staff: upload the list, read lists and matches, clear a match.

The same services as the portal's screening page (``onboarding.views.screening``): the upload is
all or nothing (``ScreeningListInvalid`` lists every bad row, and the 400 answer carries them in
``rows``), and a successful upload starts the same re-screen job. Partner users get 404.

A write by an API key names no person on the list or the match (``uploaded_by``, ``cleared_by``
stay empty); its audit entry names the key.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.errors import envelope
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.jobs.services import job_create
from ecosystem.jobs.tasks import enqueue_on_commit
from onboarding.models import MatchStatus, ScreeningList, ScreeningMatch
from onboarding.screening import ScreeningListInvalid
from onboarding.screening_services import screening_list_upload, screening_match_clear
from onboarding.tasks import rescreen_everyone_task

from .screening_serializers import (
    ClearMatchInputSerializer,
    ScreeningListInvalidSerializer,
    ScreeningListOutputSerializer,
    ScreeningMatchOutputSerializer,
    ScreeningUploadInputSerializer,
    ScreeningUploadOutputSerializer,
)

RESCREEN_JOB_KIND = "screening_rescreen"  # the portal's kind, so both show the same last run


def invalid_list_response(invalid: ScreeningListInvalid) -> Response:
    """The envelope for a rejected list: the summary first, then one error per problem, and ``rows``."""
    rows = [{"row": e.row, "column": e.column, "code": e.code, "detail": e.message} for e in invalid.errors]
    errors = [{"code": invalid.code, "detail": invalid.message, "attr": "file"}]
    errors += [{"code": e.code, "detail": str(e), "attr": "file"} for e in invalid.errors]
    transaction.set_rollback(True)  # the service wrote nothing; make sure the request does not either
    return Response({**envelope(error_type="validation_error", errors=errors), "rows": rows}, status=status.HTTP_400_BAD_REQUEST)


class UploadedCursorPagination(CreatedCursorPagination):
    ordering = ("-uploaded_at", "-id")


class ScreeningListViewSet(mixins.ListModelMixin, TenantViewSet):
    """The tenant's denied-party list uploads, newest (the one in force) first. Upload a new one with POST."""

    model = ScreeningList
    serializer_class = ScreeningListOutputSerializer
    pagination_class = UploadedCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return ScreeningList.objects.filter(tenant=self.tenant).order_by("-uploaded_at", "-id")

    @extend_schema(
        request={"multipart/form-data": ScreeningUploadInputSerializer},
        responses={
            201: ScreeningUploadOutputSerializer,
            400: OpenApiResponse(
                ScreeningListInvalidSerializer,
                description="No file, or a list with problems: nothing was imported, ``rows`` lists every problem.",
                examples=[
                    OpenApiExample(
                        "Two bad rows",
                        value={
                            "type": "validation_error",
                            "code": "screening_list_invalid",
                            "detail": "The screening list has 2 problems; nothing was imported.",
                            "attr": "file",
                            "errors": [
                                {
                                    "code": "screening_list_invalid",
                                    "detail": "The screening list has 2 problems; nothing was imported.",
                                    "attr": "file",
                                },
                                {"code": "name_required", "detail": "Line 2, name: A name is required.", "attr": "file"},
                                {"code": "unknown_country", "detail": "Line 3, country: Unknown country.", "attr": "file"},
                            ],
                            "rows": [
                                {"row": 2, "column": "name", "code": "name_required", "detail": "A name is required."},
                                {"row": 3, "column": "country", "code": "unknown_country", "detail": "Unknown country."},
                            ],
                        },
                    )
                ],
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Replace the list with this file (all or nothing), then screen every applicant and partner again in the background."""
        actor = self.actor
        payload = ScreeningUploadInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        try:
            screening_list = screening_list_upload(tenant=self.tenant, actor=actor, source=upload, file_name=upload.name)
        except ScreeningListInvalid as invalid:
            return invalid_list_response(invalid)
        job = job_create(tenant=self.tenant, actor=actor, kind=RESCREEN_JOB_KIND)
        enqueue_on_commit(rescreen_everyone_task, self.tenant.pk, job.pk)
        screening_list.rescreen_job = job.public_id
        return Response(ScreeningUploadOutputSerializer(screening_list).data, status=status.HTTP_201_CREATED)


class ScreeningMatchFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MatchStatus.choices)
    subject = django_filters.ChoiceFilter(
        choices=[("application", "An application"), ("partner", "A partner")], method="filter_subject", label="Who was screened"
    )
    application = django_filters.UUIDFilter(field_name="application__public_id", label="The application's id")
    partner = django_filters.UUIDFilter(field_name="partner__public_id", label="The partner's id")

    class Meta:
        model = ScreeningMatch
        fields = ["status", "subject", "application", "partner"]

    def filter_subject(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})


class ScreeningMatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Possible hits on the list, newest first. Filters: ``status``, ``subject``, ``application``, ``partner``."""

    model = ScreeningMatch
    serializer_class = ScreeningMatchOutputSerializer
    filterset_class = ScreeningMatchFilter
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return (
            ScreeningMatch.objects.filter(tenant=self.tenant)
            .select_related("application", "partner")
            .order_by("-created_at", "-id")
        )

    @extend_schema(
        request=ClearMatchInputSerializer,
        responses={200: ScreeningMatchOutputSerializer},
        examples=[
            OpenApiExample(
                "Not the listed party", value={"reason": "Different company: registry no. HRB 1234"}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def clear(self, request, *args, **kwargs):
        """Clear the match with a reason (kept in the record); it stops blocking approval. Clearing twice changes nothing."""
        match = self.get_object()
        actor = self.actor
        payload = ClearMatchInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        match = screening_match_clear(tenant=self.tenant, actor=actor, match=match, reason=payload.validated_data["reason"])
        return Response(ScreeningMatchOutputSerializer(match).data)
