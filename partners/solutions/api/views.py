"""Joint solutions in the API.

Staff (``solutions/``): list (filters ``status``, ``industry``, ``region``, ``q``), read with components and
figures, create (``Idempotency-Key`` honoured), update, approve, decline with a reason, retire, and add or
remove components. Partner users (``my-solutions/``): their organisation's solutions in any state, the
catalogue of solutions in market (public fields only), open invitations, propose (``Idempotency-Key``
honoured), add or remove components and submit (managing partners, drafts), accept or decline an
invitation (partner admins). Every action calls :mod:`partners.solutions.services`, as the portal does.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import across_partners
from partners.models import Region
from partners.solutions import selectors, services
from partners.solutions.models import ComponentStatus, JointSolution, OrchestratorKind, SolutionComponent, SolutionStatus

from .serializers import (
    PartnerSolutionInputSerializer,
    SolutionAnswerInputSerializer,
    SolutionCatalogueEntrySerializer,
    SolutionComponentInputSerializer,
    SolutionComponentOutputSerializer,
    SolutionComponentRefInputSerializer,
    SolutionDetailOutputSerializer,
    SolutionOutputSerializer,
    SolutionProposeInputSerializer,
    SolutionReasonInputSerializer,
    StaffSolutionDetailOutputSerializer,
    StaffSolutionInputSerializer,
)

_EVERYONE = frozenset(STAFF_ROLES | PARTNER_ROLES)


class SolutionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SolutionStatus.choices)
    region = django_filters.ChoiceFilter(choices=Region.choices, method="filter_region")
    industry = django_filters.CharFilter(method="filter_industry", max_length=60)
    q = django_filters.CharFilter(method="filter_search", max_length=100, help_text="In the name or summary.")

    class Meta:
        model = JointSolution
        fields = ["status", "region", "industry", "q"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(regions__contains=[value]) if value else queryset

    def filter_industry(self, queryset, name, value):
        return queryset.filter(industries__icontains=value.strip()) if value.strip() else queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(summary__icontains=value)) if value else queryset


def _with_components(tenant, solution: JointSolution) -> JointSolution:
    solution.component_rows = selectors.solution_components(tenant=tenant, solution=solution)
    selectors.with_partner_names(tenant=tenant, solutions=[solution])
    return solution


# --- staff -----------------------------------------------------------------------------------------


class SolutionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The tenant's joint solutions, newest first. Filters: ``status``, ``industry``, ``region``, ``q``."""

    model = JointSolution
    serializer_class = SolutionOutputSerializer
    filterset_class = SolutionFilter
    pagination_class = CreatedCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        return JointSolution.objects.filter(tenant=self.tenant)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        selectors.with_partner_names(tenant=self.tenant, solutions=page)
        return self.get_paginated_response(SolutionOutputSerializer(page, many=True).data)

    def _detail(self, solution: JointSolution, *, status_code: int = status.HTTP_200_OK) -> Response:
        solution = selectors.access_solution(tenant=self.tenant, public_id=solution.public_id)
        _with_components(self.tenant, solution)
        solution.figures = selectors.solution_figures(tenant=self.tenant, solution=solution)
        return Response(StaffSolutionDetailOutputSerializer(solution).data, status=status_code)

    def _orchestrator(self, data: dict):
        kind = data.get("orchestrator") or OrchestratorKind.VENDOR
        partner = None
        if kind == OrchestratorKind.PARTNER:
            if not data.get("orchestrator_partner"):
                raise ApplicationError("Choose the orchestrating partner.", code="required", field="orchestrator_partner")
            partner = selectors.partner_by_public_id(
                tenant=self.tenant, public_id=data["orchestrator_partner"], field="orchestrator_partner"
            )
        return kind, partner

    @extend_schema(responses={200: StaffSolutionDetailOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One solution with its components and figures (pipeline, won revenue, per component partner)."""
        return self._detail(self.get_object())

    @extend_schema(request=StaffSolutionInputSerializer, responses={201: StaffSolutionDetailOutputSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Create a draft. ``orchestrator``: ``vendor`` (you lead it) or ``partner`` with ``orchestrator_partner``."""
        payload = StaffSolutionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        _kind, partner = self._orchestrator(payload.validated_data)
        solution = services.solution_create(
            tenant=self.tenant,
            actor=self.actor,
            values=payload.validated_data,
            orchestrator_partner=partner,
            orchestrator_user=None if self.api_key is not None else request.user,
        )
        return self._detail(solution, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=StaffSolutionInputSerializer, responses={200: StaffSolutionDetailOutputSerializer})
    def update(self, request, *args, **kwargs):
        """Change the details and the orchestrator (send every field). Refused once retired (``solution_retired``)."""
        solution = self.get_object()
        payload = StaffSolutionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        kind, partner = self._orchestrator(payload.validated_data)
        services.solution_update(
            tenant=self.tenant,
            actor=self.actor,
            solution=solution,
            values=payload.validated_data,
            orchestrator=kind,
            orchestrator_partner=partner,
            orchestrator_user=None if self.api_key is not None else request.user,
        )
        return self._detail(solution)

    @extend_schema(request=None, responses={200: StaffSolutionDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Put a proposed (or draft) solution in market. ``409`` ``invitations_open`` or ``no_confirmed_component``."""
        solution = services.solution_approve(tenant=self.tenant, actor=self.actor, solution=self.get_object())
        return self._detail(solution)

    @extend_schema(request=SolutionReasonInputSerializer, responses={200: StaffSolutionDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        """Send a proposal back to draft with a ``reason`` (required) the proposing partner reads."""
        solution = self.get_object()
        payload = SolutionReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.solution_decline(
            tenant=self.tenant, actor=self.actor, solution=solution, reason=payload.validated_data["reason"]
        )
        return self._detail(solution)

    @extend_schema(request=SolutionReasonInputSerializer, responses={200: StaffSolutionDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request, *args, **kwargs):
        """Retire it: out of the catalogue, and no new deal or lead may reference it."""
        solution = self.get_object()
        payload = SolutionReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.solution_retire(tenant=self.tenant, actor=self.actor, solution=solution, reason=payload.validated_data["reason"])
        return self._detail(solution)

    @extend_schema(request=SolutionComponentInputSerializer, responses={201: StaffSolutionDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def components(self, request, *args, **kwargs):
        """Invite a partner in a role; its admins accept or decline. ``409`` ``component_exists``."""
        solution = self.get_object()
        payload = SolutionComponentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        partner = selectors.partner_by_public_id(tenant=self.tenant, public_id=payload.validated_data["partner"])
        services.component_add(
            tenant=self.tenant,
            actor=self.actor,
            solution=solution,
            partner=partner,
            role=payload.validated_data["role"],
            description=payload.validated_data["description"],
        )
        return self._detail(solution, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=SolutionComponentRefInputSerializer, responses={200: StaffSolutionDetailOutputSerializer})
    @action(detail=True, methods=["post"], url_path="remove-component")
    def remove_component(self, request, *args, **kwargs):
        """Remove a component (``component``: its id). A solution in market keeps one confirmed component."""
        solution = self.get_object()
        payload = SolutionComponentRefInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        component = selectors.access_component(
            tenant=self.tenant, solution=solution, component_id=payload.validated_data["component"]
        )
        services.component_remove(tenant=self.tenant, actor=self.actor, component=component)
        return self._detail(solution)


# --- partners --------------------------------------------------------------------------------------


class _PartnerSolutionPagination(CreatedCursorPagination):
    ordering = ("name", "id")


class MySolutionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Your organisation's joint solutions (any state), the catalogue of solutions in market, your invitations."""

    model = JointSolution
    serializer_class = SolutionOutputSerializer
    filterset_class = SolutionFilter
    pagination_class = _PartnerSolutionPagination
    read_roles = _EVERYONE
    write_roles = _EVERYONE  # staff reach the lookup (404 for any id) rather than a bare role error

    def _partner_id(self) -> int:
        if self.caller_partner_id is None:
            raise exceptions.PermissionDenied(
                code="partner_only",
                detail="Only a partner's own users work its solutions. Staff and API keys use solutions/.",
            )
        return self.caller_partner_id

    def _admin(self) -> int:
        partner_id = self._partner_id()
        if self.membership.role != Role.PARTNER_ADMIN:
            raise exceptions.PermissionDenied(code="role_forbidden", detail="Your partner admin does this.")
        return partner_id

    def scoped_queryset(self) -> QuerySet:
        if self.caller_partner_id is None:
            return JointSolution.objects.none()
        return selectors.solutions_for_partner(tenant=self.tenant, partner_id=self.caller_partner_id)

    def _detail(self, solution: JointSolution, *, status_code: int = status.HTTP_200_OK) -> Response:
        solution = selectors.access_solution(tenant=self.tenant, public_id=solution.public_id, partner_id=self._partner_id())
        _with_components(self.tenant, solution)
        return Response(SolutionDetailOutputSerializer(solution).data, status=status_code)

    def list(self, request, *args, **kwargs):
        """Solutions your organisation proposed, orchestrates or has a component in (invited included), by name."""
        self._partner_id()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        selectors.with_partner_names(tenant=self.tenant, solutions=page)
        return self.get_paginated_response(SolutionOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: SolutionDetailOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One of your solutions with its components."""
        solution = self.get_object()  # first: a foreign id is 404 for everyone
        self._partner_id()
        return self._detail(solution)

    @extend_schema(request=PartnerSolutionInputSerializer, responses={200: SolutionDetailOutputSerializer})
    def update(self, request, *args, **kwargs):
        """Change your draft's details and which partner orchestrates it (every field; partner admins of the
        proposing or orchestrating partner, while it is a draft). Never the vendor: the managers decide that."""
        solution = self.get_object()  # first: a foreign id is 404 for everyone
        partner_id = self._admin()
        payload = PartnerSolutionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        orchestrator = selectors.partner_by_public_id(
            tenant=self.tenant, public_id=data["orchestrator_partner"], field="orchestrator_partner"
        )
        services.solution_update(
            tenant=self.tenant,
            actor=self.actor,
            solution=solution,
            values=data,
            partner_id=partner_id,
            orchestrator=OrchestratorKind.PARTNER,
            orchestrator_partner=orchestrator,
        )
        return self._detail(solution)

    @extend_schema(request=SolutionProposeInputSerializer, responses={201: SolutionDetailOutputSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Propose a draft with your own component (accepted at once); invite others with ``components``."""
        partner_id = self._admin()
        payload = SolutionProposeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        orchestrator = None
        if data.get("orchestrator_partner"):
            orchestrator = selectors.partner_by_public_id(
                tenant=self.tenant, public_id=data["orchestrator_partner"], field="orchestrator_partner"
            )
        solution = services.solution_propose(
            tenant=self.tenant,
            actor=self.actor,
            partner_id=partner_id,
            values=data,
            role=data["role"],
            description=data["description"],
            orchestrator_partner=orchestrator,
        )
        return self._detail(solution, status_code=status.HTTP_201_CREATED)

    @extend_schema(responses={200: SolutionCatalogueEntrySerializer(many=True)})
    @action(detail=False, methods=["get"])
    def catalogue(self, request, *args, **kwargs):
        """Every solution in market, by name, public fields only. Filters: ``industry``, ``region``, ``q``."""
        self._partner_id()
        with across_partners(reason="solutions API: the catalogue of solutions in market, public fields only"):
            queryset = JointSolution.objects.filter(tenant=self.tenant, status=SolutionStatus.IN_MARKET)
            queryset = self.filter_queryset(queryset)
            page = self.paginate_queryset(queryset)
            entries = selectors.catalogue_entries(tenant=self.tenant, solutions=list(page))
        return self.get_paginated_response(SolutionCatalogueEntrySerializer(entries, many=True).data)

    @extend_schema(responses={200: SolutionComponentOutputSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)  # answers the whole (short) list, unpaged
    def invitations(self, request, *args, **kwargs):
        """Your open invitations to deliver a component, newest first (each names its solution)."""
        partner_id = self._partner_id()
        rows = selectors.invitations_for_partner(tenant=self.tenant, partner_id=partner_id)
        return Response(
            [
                {
                    **SolutionComponentOutputSerializer(
                        {
                            "public_id": c.public_id,
                            "partner_name": self.membership.partner.name,
                            "role": c.role,
                            "description": c.description,
                            "status": c.status,
                        }
                    ).data,
                    "solution": str(c.solution.public_id),
                    "solution_name": c.solution.name,
                }
                for c in rows
            ]
        )

    def _answer(self, *, accept: bool) -> Response:
        solution = self.get_object()
        partner_id = self._admin()
        payload = SolutionAnswerInputSerializer(data=request_data(self.request))
        payload.is_valid(raise_exception=True)
        open_ones = SolutionComponent.objects.filter(
            tenant=self.tenant, solution=solution, partner_id=partner_id, status=ComponentStatus.INVITED
        ).order_by("id")
        if payload.validated_data.get("component"):
            open_ones = open_ones.filter(public_id=payload.validated_data["component"])
        rows = list(open_ones)
        if not rows:
            raise ApplicationError("You have no open invitation in this solution.", code="invitation_closed")
        for component in rows:
            services.component_respond(
                tenant=self.tenant, actor=self.actor, partner_id=partner_id, component=component, accept=accept
            )
        if accept:
            return self._detail(solution)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SolutionAnswerInputSerializer, responses={200: SolutionDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """Accept your invitation (``component``, or all of yours in this solution): your part is confirmed."""
        return self._answer(accept=True)

    @extend_schema(request=SolutionAnswerInputSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        """Decline your invitation: you no longer read the solution."""
        return self._answer(accept=False)

    @extend_schema(request=SolutionComponentInputSerializer, responses={201: SolutionDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def components(self, request, *args, **kwargs):
        """Invite a partner in a role (managing partners, drafts). Your own organisation's component is accepted at once."""
        solution = self.get_object()
        partner_id = self._admin()
        payload = SolutionComponentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        partner = selectors.partner_by_public_id(tenant=self.tenant, public_id=payload.validated_data["partner"])
        services.component_add(
            tenant=self.tenant,
            actor=self.actor,
            solution=solution,
            partner=partner,
            role=payload.validated_data["role"],
            description=payload.validated_data["description"],
            partner_id=partner_id,
        )
        return self._detail(solution, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=SolutionComponentRefInputSerializer, responses={200: SolutionDetailOutputSerializer})
    @action(detail=True, methods=["post"], url_path="remove-component")
    def remove_component(self, request, *args, **kwargs):
        """Remove a component (managing partners, drafts)."""
        solution = self.get_object()
        partner_id = self._admin()
        payload = SolutionComponentRefInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        component = selectors.access_component(
            tenant=self.tenant, solution=solution, component_id=payload.validated_data["component"]
        )
        services.component_remove(tenant=self.tenant, actor=self.actor, component=component, partner_id=partner_id)
        return self._detail(solution)

    @extend_schema(request=None, responses={200: SolutionDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """Submit a draft for approval. ``409`` ``invitations_open`` or ``no_confirmed_component``."""
        solution = self.get_object()
        partner_id = self._admin()
        services.solution_submit(tenant=self.tenant, actor=self.actor, solution=solution, partner_id=partner_id)
        return self._detail(solution)


def request_data(request) -> dict:
    """The body as a dict (an empty body, or a form, reads as {})."""
    data = request.data
    return data if hasattr(data, "get") else {}
