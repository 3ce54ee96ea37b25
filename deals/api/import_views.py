"""CRM imports and the pipeline figures in the API: ``deal-imports/``, ``pipeline/`` and ``my-pipeline/``.

The same steps as the portal's import pages (:mod:`deals.import_views`), in one request: the file
is read, a replay of an earlier file is answered at once (``200``, nothing runs), the columns are
recognised (or the ``mapping`` sent is checked and saved), *every* row is checked, and only a clean
file is staged and imported by the same job as the portal's (``202`` with the job and the id the
import will have). A file with bad rows answers ``400`` with each one in ``rows`` (as a screening
list does) and nothing is written. Progress is read at ``jobs/<id>/``. Owners and partner managers
import; analysts and API keys read (write keys import). Partner users get 404.

``pipeline/`` gives staff the portal's figures with its filters, from the same selector
(:func:`deals.pipeline.pipeline_figures`, three queries whatever the number of registrations);
``my-pipeline/`` gives a partner user its own organisation's, and is 404 to staff and API keys.
"""

from __future__ import annotations

import uuid
from typing import Any

import django_filters
from django.db import transaction
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from deals import imports
from deals.import_tasks import JOB_KIND, deal_import_task
from deals.models import DealRegistration, ImportBatch, ImportKind
from deals.pipeline import PipelineFigures, PipelineFilters, pipeline_figures
from deals.registrations import engagement_rules
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.accounts.selectors import person_of
from ecosystem.api.datetime_filters import IsoDateTimeFilter
from ecosystem.api.errors import envelope
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.jobs.services import job_create
from ecosystem.jobs.tasks import enqueue_on_commit
from partners.models import PartnerOrganization, Tier

from .import_serializers import (
    DealImportInputSerializer,
    DealImportInvalidSerializer,
    DealImportOutputSerializer,
    DealImportStartedSerializer,
    MyPipelineQuerySerializer,
    PipelineOutputSerializer,
    PipelineQuerySerializer,
)

ROWS_INVALID_EXAMPLE = {
    "type": "validation_error",
    "code": "rows_invalid",
    "detail": "2 problems in the file; nothing was imported.",
    "attr": "file",
    "errors": [
        {"code": "rows_invalid", "detail": "2 problems in the file; nothing was imported.", "attr": "file"},
        {"code": "required", "detail": "Row 4, Account Name: This row has no name.", "attr": "file"},
        {"code": "invalid_domain", "detail": "Row 4, Website: Enter a website domain such as example.com.", "attr": "file"},
    ],
    "rows": [
        {"row": 4, "column": "Account Name", "code": "required", "message": "This row has no name."},
        {"row": 4, "column": "Website", "code": "invalid_domain", "message": "Enter a website domain such as example.com."},
    ],
}
STARTED_EXAMPLE = {
    "replay": False,
    "job": "7727bf1e-6047-46a6-bd87-45aeef3b7ead",
    "batch": "3f0c2b1e-9d4a-4d1b-8a55-0c6f1f7f2e10",
    "kind": "accounts",
    "source": "salesforce_account",
    "summary": {"rows": 2, "accounts": 2, "accounts_new": 2, "opportunities": 0, "opportunities_new": 0},
    "imported_at": None,
}


def _invalid(
    *, code: str, detail: str, row_errors: list[imports.RowError] | None = None, columns: list[str] | None = None
) -> Response:
    """The 400 envelope of a refused file: the summary first, one error per bad row, and ``rows`` (or ``columns``)."""
    errors = [{"code": code, "detail": detail, "attr": "mapping" if columns is not None else "file"}]
    body: dict[str, Any] = {}
    if row_errors is not None:
        errors += [
            {"code": e.code, "detail": f"Row {e.row}, {e.column or 'row'}: {e.message}", "attr": "file"} for e in row_errors
        ]
        body["rows"] = [e.as_dict() for e in row_errors]
    if columns is not None:
        body["columns"] = columns
    transaction.set_rollback(True)  # a saved mapping, the idempotency key: nothing of this request stays
    return Response({**envelope(error_type="validation_error", errors=errors), **body}, status=status.HTTP_400_BAD_REQUEST)


def _started(*, batch_id, job_id, kind: str, source: str | None, summary: dict | None, imported_at=None, replay=False):
    return {
        "replay": replay,
        "job": job_id,
        "batch": batch_id,
        "kind": kind,
        "source": source,
        "summary": summary,
        "imported_at": imported_at,
    }


class ImportedCursorPagination(CreatedCursorPagination):
    ordering = ("-imported_at", "-id")


class DealImportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ImportKind.choices)
    imported_after = IsoDateTimeFilter(field_name="imported_at", lookup_expr="gte")
    imported_before = IsoDateTimeFilter(field_name="imported_at", lookup_expr="lt")

    class Meta:
        model = ImportBatch
        fields = ["kind", "imported_after", "imported_before"]


class DealImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Imports of customer accounts and opportunities from a CRM export, newest first. Upload with POST."""

    model = ImportBatch
    serializer_class = DealImportOutputSerializer
    pagination_class = ImportedCursorPagination
    filterset_class = DealImportFilter
    ordering_fields = ["imported_at", "rows"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return ImportBatch.objects.filter(tenant=self.tenant).select_related("job", "imported_by").order_by("-imported_at", "-id")

    @extend_schema(
        request={"multipart/form-data": DealImportInputSerializer},
        responses={
            202: OpenApiResponse(
                DealImportStartedSerializer,
                description="Every row is fine: the import runs as a job. Poll `jobs/<job>/`; then read `deal-imports/<batch>/`.",
                examples=[OpenApiExample("A Salesforce account export", value=STARTED_EXAMPLE)],
            ),
            200: OpenApiResponse(
                DealImportStartedSerializer,
                description="This exact file (its SHA-256) was imported before: nothing runs, the earlier import is named.",
            ),
            400: OpenApiResponse(
                DealImportInvalidSerializer,
                description="Nothing was imported: bad rows (`rows` lists every one), columns not recognised "
                "(`mapping_required`, `columns` lists the headers), a bad mapping, or a file that is not a CSV.",
                examples=[OpenApiExample("Two bad cells in row 4", value=ROWS_INVALID_EXAMPLE)],
            ),
        },
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Upload a CRM export: checked at once, every row; a clean file is imported by a background job.

        Honours ``Idempotency-Key``.
        """
        payload = DealImportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        if upload.size > imports.MAX_FILE_BYTES:
            raise ApplicationError(
                "The file is larger than 50 MB. Split it and import the parts.", code="file_too_large", field="file"
            )
        data = upload.read()
        try:
            csv_file = imports.read_csv(data)
        except imports.ImportFileInvalid as invalid:
            raise ApplicationError(invalid.message, code=invalid.code, field="file") from None
        earlier = imports.import_replay_of(tenant=self.tenant, sha256=csv_file.sha256)
        if earlier is not None:
            return Response(
                DealImportStartedSerializer(
                    _started(
                        replay=True,
                        batch_id=str(earlier.public_id),
                        job_id=str(earlier.job.public_id) if earlier.job_id else None,
                        kind=earlier.kind,
                        source=None,
                        summary=None,
                        imported_at=earlier.imported_at,
                    )
                ).data,
                status=status.HTTP_200_OK,
            )
        kind = payload.validated_data.get("kind", "")
        chosen = payload.validated_data.get("mapping")
        if chosen is not None:
            try:
                mapping = imports.clean_mapping(kind=kind, headers=csv_file.headers, chosen=chosen)
            except ApplicationError as error:
                field = error.field if error.field == "kind" else (f"mapping.{error.field}" if error.field else "mapping")
                raise ApplicationError(error.message, code=error.code, field=field) from None
            source, label = "mapping", upload.name
        else:
            recognised = imports.recognise(tenant=self.tenant, headers=csv_file.headers)
            if recognised is None:
                return _invalid(
                    code="mapping_required",
                    detail="The columns of this file are not a known export: send `kind` and a `mapping` of its columns.",
                    columns=csv_file.headers,
                )
            if kind and kind != recognised.kind:
                raise ApplicationError(
                    f"This file was recognised as {recognised.label} ({recognised.kind}).", code="kind_mismatch", field="kind"
                )
            kind, mapping, source, label = recognised.kind, recognised.mapping, recognised.source, recognised.label
        validation = imports.import_validate(
            tenant=self.tenant,
            csv_file=csv_file,
            kind=kind,
            mapping=mapping,
            default_currency=engagement_rules(tenant=self.tenant).currency,
        )
        if not validation.ok:
            rejected = imports.ImportRejected(validation.errors)
            return _invalid(code=rejected.code, detail=rejected.message, row_errors=validation.errors)
        if chosen is not None:  # proposed for the next file with the same headers, as in the portal
            imports.import_mapping_save(
                tenant=self.tenant, actor=self.actor, kind=kind, headers=csv_file.headers, mapping=mapping, name=label
            )
        person = person_of(self.actor)
        token = imports.staged_put(tenant=self.tenant, data=data, file_name=upload.name, user_id=person.pk if person else None)
        batch_id = uuid.uuid4()
        imports.staged_update(
            tenant=self.tenant,
            token=token,
            kind=kind,
            mapping=mapping,
            label=label,
            batch_id=str(batch_id),
            api_key_id=self.api_key.pk if self.api_key is not None else None,
            report={"summary": validation.summary(), "errors": [], "replay_of": "", "replay_at": ""},
        )
        job = job_create(tenant=self.tenant, actor=self.actor, kind=JOB_KIND)
        enqueue_on_commit(deal_import_task, self.tenant.pk, job.pk, token)
        body = _started(batch_id=str(batch_id), job_id=str(job.public_id), kind=kind, source=source, summary=validation.summary())
        return Response(DealImportStartedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


# --- pipeline --------------------------------------------------------------------------------------


def _figures_body(figures: PipelineFigures, *, tier: Tier | None, partner_public_id) -> dict[str, Any]:
    filters = figures.filters
    return {
        "currency": figures.currency,
        "filters": {
            "start": filters.start,
            "end": filters.end,
            "partner_type": filters.partner_type,
            "tier": tier.public_id if tier else None,
            "partner": partner_public_id,
        },
        "stages": figures.stages,
        "other_currencies": figures.other_currencies,
        "open_count": figures.open_count,
        "open_total": figures.open_total,
        "won_count": figures.won_count,
        "won_total": figures.won_total,
        "lost_count": figures.lost_count,
        "win_rate": figures.win_rate,
        "closed": figures.closed,
    }


def _period(values: dict) -> tuple:
    """The period asked for; by default the 90 days up to ``end`` (today when not given), as on the portal."""
    base = PipelineFilters.default(today=values.get("end"))
    start, end = values.get("start") or base.start, values.get("end") or base.end
    if start > end:
        raise ApplicationError("The period starts after it ends.", code="invalid_period", field="start")
    return start, end


class PipelineViewSet(TenantViewSet):
    """``pipeline/``: the partner-sourced pipeline, as on the portal's Pipeline page (staff)."""

    model = DealRegistration
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return DealRegistration.objects.filter(tenant=self.tenant)

    @extend_schema(
        parameters=[PipelineQuerySerializer], responses={200: PipelineOutputSerializer}, operation_id="pipeline_retrieve"
    )
    def retrieve(self, request, *args, **kwargs):
        """Open pipeline by stage, won and lost in the period, velocity. Filters: period, partner type, tier, partner."""
        query = PipelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        tier = partner = None
        if values.get("tier"):
            tier = Tier.objects.filter(tenant=self.tenant, public_id=values["tier"]).first()
            if tier is None:
                raise ApplicationError("Choose a tier of this program.", code="invalid_choice", field="tier")
        if values.get("partner"):
            partner = PartnerOrganization.objects.filter(tenant=self.tenant, public_id=values["partner"]).only("pk").first()
            if partner is None:
                raise ApplicationError("Choose a partner of this program.", code="invalid_choice", field="partner")
        start, end = _period(values)
        filters = PipelineFilters(
            start=start,
            end=end,
            partner_type=values.get("partner_type", ""),
            tier_id=tier.pk if tier else None,
            partner_id=partner.pk if partner else None,
        )
        figures = pipeline_figures(tenant=self.tenant, filters=filters, currency=engagement_rules(tenant=self.tenant).currency)
        body = _figures_body(figures, tier=tier, partner_public_id=values.get("partner"))
        return Response(PipelineOutputSerializer(body).data)


class MyPipelineViewSet(TenantViewSet):
    """``my-pipeline/``: the caller's own organisation's registrations (not deals it co-sells). Partner users only."""

    model = DealRegistration
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return DealRegistration.objects.filter(tenant=self.tenant, partner_id=self.caller_partner_id)

    @extend_schema(
        parameters=[MyPipelineQuerySerializer], responses={200: PipelineOutputSerializer}, operation_id="my_pipeline_retrieve"
    )
    def retrieve(self, request, *args, **kwargs):
        """Your organisation's pipeline: open by stage, won and lost in the period, velocity."""
        if self.caller_partner_id is None:  # an API key acts for the vendor, which has no pipeline of its own
            raise NotFoundError()
        query = MyPipelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = _period(query.validated_data)
        filters = PipelineFilters(start=start, end=end, partner_id=self.caller_partner_id)
        figures = pipeline_figures(tenant=self.tenant, filters=filters, currency=engagement_rules(tenant=self.tenant).currency)
        body = _figures_body(figures, tier=None, partner_public_id=self.membership.partner.public_id)
        return Response(PipelineOutputSerializer(body).data)
