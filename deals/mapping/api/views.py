"""Account mapping in the API: one's own list, the partnerships, and what each pair lets the caller see.

* ``my-account-list/`` — the caller's side's own list (the vendor's for staff and API keys, the
  partner's for its users): list, ``summary``, ``upload`` (CSV, replaces the populations in the file),
  ``sync`` (JSON, ``replace`` or ``upsert`` by external id), ``crm-sync`` (vendor: from its CRM data).
* ``mapping-partnerships/`` — the side's partnerships: list, retrieve (with the counts it may see),
  create (invite), ``accept``, ``decline``, ``revoke``, ``sharing``; per pair ``overlaps`` (records,
  only as far as the other side shares them), ``recommendations``, ``shared-list`` (the other side's
  whole population, only when it shares *all*) and ``lead`` (vendor: offer an overlap as a lead).

Everything reads through :mod:`deals.mapping.selectors` and writes through the services, like the
portal: a counts-only population yields counts, and no endpoint, filter or error names a record.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.api.filters import OrderingChoices
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import KeyedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError, NotFoundError

from .. import lists, selectors, services
from ..models import MappingAccount, MappingPartnership, MappingPopulation

_EVERYONE = frozenset(STAFF_ROLES | PARTNER_ROLES)
_EDITORS = frozenset(PARTNER_EDITOR_ROLES | {Role.PARTNER_ADMIN})
POPULATION_HELP = "customer, prospect or open_opportunity."
LEVEL_HELP = "none, counts, overlaps or all."


# --- serializers (shapes only) ---------------------------------------------------------------------


class MappingAccountOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    population = serializers.CharField(help_text=POPULATION_HELP)
    domain = serializers.CharField()
    name = serializers.CharField()
    external_id = serializers.CharField()


class MappingAccountInputSerializer(serializers.Serializer):
    population = serializers.CharField(max_length=40, help_text=POPULATION_HELP)
    domain = serializers.CharField(max_length=2000, help_text="A website or domain; kept as its registrable domain.")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class MappingListSyncInputSerializer(serializers.Serializer):
    accounts = MappingAccountInputSerializer(many=True, allow_empty=True)
    mode = serializers.CharField(
        default="replace", help_text="replace (the populations sent, or `populations`) or upsert (by external id)."
    )
    populations = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="replace: the populations to replace (default: those sent).",
    )


class MappingListUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV: population, domain (or website), name, external id.")
    population = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="For a file without a population column."
    )


class MappingListWrittenOutputSerializer(serializers.Serializer):
    populations = serializers.ListField(child=serializers.CharField())
    deleted = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class MappingListProblemSerializer(serializers.Serializer):
    """A field problem (``code``, ``detail``, ``attr``) or a bad line of the list (``line``, ``column``, ``message``)."""

    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)
    attr = serializers.CharField(required=False, allow_null=True)
    line = serializers.IntegerField(required=False, help_text="The account's line: 1 is the first account (or the CSV header).")
    column = serializers.CharField(required=False)
    message = serializers.CharField(required=False)


class MappingListRejectedSerializer(serializers.Serializer):
    """The 400 answer of ``upload`` and ``sync``: nothing was changed. ``rows_invalid`` lists every bad line in ``errors``."""

    type = serializers.CharField(help_text="`validation_error`.")
    code = serializers.CharField(help_text="`rows_invalid`, or a field code.")
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)
    errors = MappingListProblemSerializer(many=True, required=False, help_text="Absent when the body is not JSON at all.")


class MappingListSummaryOutputSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    prospect = serializers.IntegerField()
    open_opportunity = serializers.IntegerField()


class MappingSharingSerializer(serializers.Serializer):
    customer = serializers.CharField(required=False, help_text=LEVEL_HELP)
    prospect = serializers.CharField(required=False, help_text=LEVEL_HELP)
    open_opportunity = serializers.CharField(required=False, help_text=LEVEL_HELP)


class MappingCountOutputSerializer(serializers.Serializer):
    my_population = serializers.CharField()
    their_population = serializers.CharField(source="other_population")
    overlaps = serializers.IntegerField()


class MappingPartnershipOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField(help_text="invited, active, declined or revoked.")
    counterpart = serializers.CharField(source="other_name", help_text="The other side's name.")
    counterpart_partner = serializers.UUIDField(source="other_public_id", allow_null=True, help_text="Null: the vendor.")
    awaiting_you = serializers.BooleanField(source="awaiting_me")
    my_sharing = MappingSharingSerializer()
    their_sharing = MappingSharingSerializer(source="other_sharing")
    invited_at = serializers.DateTimeField(source="partnership.invited_at")
    matched_at = serializers.DateTimeField(source="partnership.matched_at", allow_null=True)
    counts = serializers.SerializerMethodField(help_text="Overlap counts the other side shares (never the others).")

    def get_counts(self, view) -> list[dict]:
        tenant = self.context["tenant"]
        counts = self.context.get("counts", {}).get(view.partnership.pk)
        cells = [
            c for row in selectors.overlap_matrix(view=view, tenant=tenant, counts=counts) for c in row if c.overlaps is not None
        ]
        return MappingCountOutputSerializer(cells, many=True).data


class MappingInviteInputSerializer(serializers.Serializer):
    counterpart = serializers.CharField(help_text='A partner\'s id, or "vendor" (partner callers inviting the vendor).')
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    sharing = MappingSharingSerializer(
        required=False, help_text="What they may see of your list (default: counts for each population)."
    )


class MappingOverlapOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    my_population = serializers.CharField()
    my_name = serializers.CharField()
    my_domain = serializers.CharField()
    their_population = serializers.CharField(source="other_population")
    their_name = serializers.CharField(source="other_name")
    their_domain = serializers.CharField(source="other_domain")


class MappingRecommendationOutputSerializer(serializers.Serializer):
    partnership = serializers.UUIDField(source="pair.public_id")
    my_population = serializers.CharField()
    their_population = serializers.CharField(source="other_population")
    overlaps = serializers.IntegerField()
    sentence = serializers.CharField()
    action = serializers.CharField(help_text="lead (vendor: offer overlaps as leads), collaborate (ask the partner), or empty.")
    collaboration_url = serializers.CharField(allow_null=True)


class MappingSharedAccountOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    domain = serializers.CharField()


class MappingLeadInputSerializer(serializers.Serializer):
    overlap = serializers.UUIDField(help_text="An overlap id from overlaps/.")


class MappingLeadOutputSerializer(serializers.Serializer):
    lead = serializers.UUIDField(source="public_id")
    company_name = serializers.CharField()
    status = serializers.CharField()


class IdCursorPagination(CursorPagination):
    ordering = ("id",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class OverlapCursorPagination(KeyedCursorPagination):
    """A pair's overlaps in the order asked with ``?ordering=`` (:data:`~deals.mapping.selectors.OVERLAP_SORT_KEYS`,
    ``-`` for descending, comma-separated; oldest match first when none), ending in the record's public id
    (in the direction of the last term) so that rows with equal names or domains keep one place and a
    cursor holds only what the caller was shown."""

    page_size = 50
    max_page_size = 500

    def order_for(self, terms: tuple[str, ...]) -> tuple[str, ...]:
        order: list[str] = []
        for term in terms:  # a field named twice sorts by its first mention
            if term.removeprefix("-") not in {o.removeprefix("-") for o in order}:
                order.append(term)
        if not order:
            return ("id",)
        return (*order, "-public_id" if order[-1].startswith("-") else "public_id")


# --- my list ---------------------------------------------------------------------------------------


class MyAccountListViewSet(TenantViewSet):
    """The caller's side's own account list: private to that side."""

    model = MappingAccount
    read_roles = _EVERYONE
    write_roles = _EDITORS
    pagination_class = IdCursorPagination
    ordering_fields = ["name", "domain", "created_at"]
    parser_classes = (JSONParser, MultiPartParser, FormParser)

    def scoped_queryset(self) -> QuerySet:
        return lists.own_accounts(
            tenant=self.tenant,
            partner_id=self.caller_partner_id,
            population=self.request.query_params.get("population", ""),
            search=self.request.query_params.get("q", ""),
        ).order_by("id")

    @extend_schema(
        parameters=[
            OpenApiParameter("population", OpenApiTypes.STR, description=POPULATION_HELP),
            OpenApiParameter("q", OpenApiTypes.STR, description="Name or domain contains."),
        ],
        responses={200: MappingAccountOutputSerializer(many=True)},
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MappingAccountOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: MappingListSummaryOutputSerializer})
    @action(detail=False, methods=["get"])
    def summary(self, request, *args, **kwargs):
        """How many accounts of each population the list holds."""
        return Response(lists.own_counts(tenant=self.tenant, partner_id=self.caller_partner_id))

    def _written(self, written: lists.ListWritten) -> Response:
        return Response(MappingListWrittenOutputSerializer(written).data)

    def _rejected(self, rejected: lists.ListRejected) -> Response:
        return Response(
            {
                "type": "validation_error",
                "code": rejected.code,
                "detail": rejected.message,
                "attr": None,
                "errors": [e.as_dict() for e in rejected.errors[:1000]],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )

    @extend_schema(
        request={"multipart/form-data": MappingListUploadInputSerializer},
        responses={200: MappingListWrittenOutputSerializer, 400: MappingListRejectedSerializer},
    )
    @action(detail=False, methods=["post"])
    def upload(self, request, *args, **kwargs):
        """A CSV file: every line checked, then the populations in it replaced, all or nothing (400 lists every bad line)."""
        payload = MappingListUploadInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        population = payload.validated_data["population"] or None
        if population is not None and population not in MappingPopulation.values:
            raise ApplicationError("Use customer, prospect or open_opportunity.", code="invalid_choice", field="population")
        try:
            rows = lists.rows_from_csv(payload.validated_data["file"].read(), default_population=population)
        except lists.ListRejected as rejected:
            return self._rejected(rejected)
        return self._written(
            lists.account_list_replace(
                tenant=self.tenant, actor=self.actor, partner_id=self.caller_partner_id, rows=rows, source="api"
            )
        )

    @extend_schema(
        request=MappingListSyncInputSerializer,
        responses={200: MappingListWrittenOutputSerializer, 400: MappingListRejectedSerializer},
    )
    @action(detail=False, methods=["post"])
    def sync(self, request, *args, **kwargs):
        """JSON accounts: ``replace`` the populations sent (or ``populations``), or ``upsert`` by external id. All or nothing."""
        payload = MappingListSyncInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if len(data["accounts"]) > lists.MAX_ROWS:
            raise ApplicationError(f"Send at most {lists.MAX_ROWS:,} accounts at once.", code="too_many_rows", field="accounts")
        rows, errors = lists.clean_rows(data["accounts"], first_line=1)
        if errors:
            return self._rejected(lists.ListRejected(errors))
        if data["mode"] == "upsert":
            written = lists.account_list_upsert(
                tenant=self.tenant, actor=self.actor, partner_id=self.caller_partner_id, rows=rows
            )
        elif data["mode"] == "replace":
            written = lists.account_list_replace(
                tenant=self.tenant,
                actor=self.actor,
                partner_id=self.caller_partner_id,
                rows=rows,
                populations=data.get("populations") or None,
                source="api",
            )
        else:
            raise ApplicationError("Use mode replace or upsert.", code="invalid_choice", field="mode")
        return self._written(written)

    @extend_schema(request=None, responses={200: MappingListWrittenOutputSerializer})
    @action(detail=False, methods=["post"], url_path="crm-sync")
    def crm_sync(self, request, *args, **kwargs):
        """Vendor: customers and open opportunities from the platform's own CRM data (prospects stay)."""
        if self.caller_partner_id is not None:
            raise exceptions.PermissionDenied(code="vendor_only", detail="Only the vendor's list syncs from its CRM data.")
        return self._written(lists.vendor_list_sync_from_crm(tenant=self.tenant, actor=self.actor))


# --- partnerships ----------------------------------------------------------------------------------


class MappingPartnershipViewSet(TenantViewSet):
    """The caller's side's partnerships, and what each lets it see of the other side."""

    model = MappingPartnership
    read_roles = _EVERYONE
    write_roles = _EDITORS
    pagination_class = None  # a side's partnerships: a handful
    ordering_fields = None  # set per action (overlaps)

    def scoped_queryset(self) -> QuerySet:
        return selectors.partnerships_for(tenant=self.tenant, partner_id=self.caller_partner_id)

    def _view(self) -> selectors.PairView:
        pair = self.get_object()
        return selectors.pair_views(tenant=self.tenant, partner_id=self.caller_partner_id, pairs=[pair])[0]

    def _out(self, view: selectors.PairView, code: int = 200) -> Response:
        return Response(MappingPartnershipOutputSerializer(view, context={"tenant": self.tenant}).data, status=code)

    @extend_schema(responses={200: MappingPartnershipOutputSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        views = selectors.pair_views(tenant=self.tenant, partner_id=self.caller_partner_id, pairs=self.get_queryset()[:200])
        counts = selectors.stored_counts(tenant=self.tenant, pairs=[v.partnership for v in views])
        return Response(
            MappingPartnershipOutputSerializer(views, many=True, context={"tenant": self.tenant, "counts": counts}).data
        )

    @extend_schema(responses={200: MappingPartnershipOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        return self._out(self._view())

    @extend_schema(request=MappingInviteInputSerializer, responses={201: MappingPartnershipOutputSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Invite a partner (or, as a partner, the vendor) to compare lists. Nothing is compared until they accept."""
        payload = MappingInviteInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        chosen = payload.validated_data["counterpart"]
        counterpart = None
        if chosen != "vendor":
            counterpart = selectors.counterpart_by_public_id(tenant=self.tenant, public_id=chosen)
            if counterpart is None:
                raise ApplicationError("Choose an active partner of this program.", code="invalid_choice", field="counterpart")
        elif self.caller_partner_id is None:
            raise ApplicationError("Choose a partner to compare lists with.", code="invalid_choice", field="counterpart")
        pair = services.partnership_invite(
            tenant=self.tenant,
            actor=self.actor,
            partner_id=self.caller_partner_id,
            counterpart=counterpart,
            message=payload.validated_data["message"],
            sharing=payload.validated_data.get("sharing"),
        )
        return self._out(selectors.pair_views(tenant=self.tenant, partner_id=self.caller_partner_id, pairs=[pair])[0], 201)

    def _act(self, service, **extra) -> Response:
        view = self._view()
        pair = service(
            tenant=self.tenant, actor=self.actor, partner_id=self.caller_partner_id, partnership=view.partnership, **extra
        )
        return self._out(selectors.pair_views(tenant=self.tenant, partner_id=self.caller_partner_id, pairs=[pair])[0])

    @extend_schema(request=None, responses={200: MappingPartnershipOutputSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """The invited side opts in; matching starts in the background."""
        return self._act(services.partnership_accept)

    @extend_schema(request=None, responses={200: MappingPartnershipOutputSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        return self._act(services.partnership_decline)

    @extend_schema(request=None, responses={200: MappingPartnershipOutputSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """Either side ends it at once: every overlap and count of the pair is deleted, and its secret."""
        return self._act(services.partnership_revoke)

    @extend_schema(request=MappingSharingSerializer, responses={200: MappingPartnershipOutputSerializer})
    @action(detail=True, methods=["post"])
    def sharing(self, request, *args, **kwargs):
        """What the other side may see of each population of your list: none, counts, overlaps or all."""
        payload = MappingSharingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._act(services.partnership_sharing_set, sharing=payload.validated_data)

    @extend_schema(
        parameters=[
            OpenApiParameter("mine", OpenApiTypes.STR, description="Your population: " + POPULATION_HELP),
            OpenApiParameter("theirs", OpenApiTypes.STR, description="Their population: " + POPULATION_HELP),
            OpenApiParameter("q", OpenApiTypes.STR, description="Name or domain contains."),
        ],
        responses={200: MappingOverlapOutputSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=OverlapCursorPagination,
        filter_backends=[OrderingChoices],  # the pair is looked up unordered; the paginator orders the overlaps
        ordering_fields=selectors.OVERLAP_SORT_KEYS,
    )
    def overlaps(self, request, *args, **kwargs):
        """Overlapping records of the populations the other side shares as records; none for counts-only.
        ``ordering`` sorts by a field the records show: yours (``my_name``, ``my_domain``) or the label the
        other side shares (``their_name``, ``their_domain``)."""
        view = self._view()
        rows = selectors.overlap_rows(
            tenant=self.tenant,
            view=view,
            my_population=request.query_params.get("mine", ""),
            other_population=request.query_params.get("theirs", ""),
            search=request.query_params.get("q", ""),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            MappingOverlapOutputSerializer([selectors.as_record(r, view=view) for r in page], many=True).data
        )

    @extend_schema(responses={200: MappingRecommendationOutputSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def recommendations(self, request, *args, **kwargs):
        view = self._view()
        found = selectors.recommendations_for(tenant=self.tenant, partner_id=self.caller_partner_id, view=view)
        return Response(MappingRecommendationOutputSerializer(found, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("population", OpenApiTypes.STR, description=POPULATION_HELP, required=True)],
        responses={200: MappingSharedAccountOutputSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="shared-list")
    def shared_list(self, request, *args, **kwargs):
        """The other side's whole list of one population, only while it shares all of it (else not found)."""
        view = self._view()
        population = request.query_params.get("population", "")
        if population not in MappingPopulation.values or view.other_sharing.get(population) != "all" or not view.is_active:
            raise NotFoundError()
        return Response(
            MappingSharedAccountOutputSerializer(
                selectors.shared_list(tenant=self.tenant, view=view, population=population), many=True
            ).data
        )

    @extend_schema(request=MappingLeadInputSerializer, responses={201: MappingLeadOutputSerializer})
    @action(detail=True, methods=["post"])
    def lead(self, request, *args, **kwargs):
        """Vendor: turn one overlap it may see into a lead offered to the partner of the pair."""
        view = self._view()
        if self.caller_partner_id is not None:
            raise NotFoundError()
        payload = MappingLeadInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        made = services.overlap_lead_create(
            tenant=self.tenant, actor=self.actor, partnership=view.partnership, overlap_id=payload.validated_data["overlap"]
        )
        return Response(MappingLeadOutputSerializer(made).data, status=status.HTTP_201_CREATED)
