"""Business plans in the API. Staff (``business-plans/``): list with filters, read (goals with actuals, source and
pace; initiatives; reviews; the monthly series), create (``Idempotency-Key`` honoured), change, close, and the
status, goal, initiative and review actions. Partner users (``my-business-plans/``): their organisation's plans
and the solution plans it is on, read, and — partner admins — the shared status and initiatives.

Every action calls the same service as the portal (:mod:`partners.plans.services`). A partner user reaches only
plans whose team holds its organisation (row-level security and the queryset): any other id is "not found".
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError
from partners.models import PartnerOrganization
from partners.solutions.models import JointSolution

from .. import figures, selectors, services
from ..models import BusinessPlan, PlanHealth, PlanState
from .serializers import (
    BusinessPlanCreateInputSerializer,
    BusinessPlanDetailOutputSerializer,
    BusinessPlanOutputSerializer,
    BusinessPlanUpdateInputSerializer,
    PartnerPlanInitiativeInputSerializer,
    PlanGoalInputSerializer,
    PlanGoalOutputSerializer,
    PlanGoalUpdateInputSerializer,
    PlanInitiativeInputSerializer,
    PlanInitiativeOutputSerializer,
    PlanReviewInputSerializer,
    PlanReviewOutputSerializer,
    PlanStatusInputSerializer,
)


class PlanFilter(django_filters.FilterSet):
    partner = django_filters.UUIDFilter(
        method="filter_partner", help_text="A partner's id: its plans and the solution plans it is on."
    )
    period = django_filters.CharFilter(method="filter_period", help_text="current, upcoming, past, or a quarter like 2026-Q3.")
    health = django_filters.ChoiceFilter(choices=PlanHealth.choices)
    state = django_filters.ChoiceFilter(choices=PlanState.choices)

    class Meta:
        model = BusinessPlan
        fields = ["partner", "period", "health", "state"]

    def filter_partner(self, queryset, name, value):
        # the tenant scope (application and database) keeps this lookup inside the caller's tenant
        partner_id = PartnerOrganization.objects.filter(public_id=value).values_list("pk", flat=True).first()
        return queryset.filter(team_partner_ids__contains=[partner_id or 0])

    def filter_period(self, queryset, name, value):
        return selectors.filter_plans(queryset, selectors.PlanFilters(period=value), timezone.localdate())


def _user(value, *, field: str):
    """The person an id names; an unknown id is a field error, None clears."""
    if value is None:
        return None
    user = selectors.user_by_public_id(value)
    if user is None:
        raise ApplicationError("No such person.", code="invalid_choice", field=field)
    return user


def _with_figures(plans: list[BusinessPlan], tenant) -> list[BusinessPlan]:
    by_plan = figures.plans_figures(tenant=tenant, plans=plans)
    for plan in plans:
        plan.figures = by_plan[plan.pk]
    return plans


def _detail(plan: BusinessPlan, tenant, *, status_code: int = status.HTTP_200_OK) -> Response:
    plan = BusinessPlan.objects.select_related("partner", "solution", "vendor_owner", "partner_owner", "status_updated_by").get(
        pk=plan.pk
    )
    prefetch_related_objects([plan], "goals")
    _with_figures([plan], tenant)
    plan.initiatives_list = list(selectors.plan_initiatives(plan=plan))
    plan.reviews_list = list(selectors.plan_reviews(plan=plan))
    plan.series = figures.plan_series(tenant=tenant, plan=plan)
    data = BusinessPlanDetailOutputSerializer(plan).data
    data["initiatives"] = PlanInitiativeOutputSerializer(plan.initiatives_list, many=True).data
    data["reviews"] = PlanReviewOutputSerializer(plan.reviews_list, many=True).data
    return Response(data, status=status_code)


class _PlanReading:
    """List and read, with the goals' figures computed for the page in two queries."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(BusinessPlanOutputSerializer(_with_figures(list(page), self.tenant), many=True).data)

    @extend_schema(responses={200: BusinessPlanDetailOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        return _detail(self.get_object(), self.tenant)


class BusinessPlanViewSet(_PlanReading, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Joint business plans (staff). Filters: ``partner``, ``period``, ``health``, ``state``. Newest first."""

    model = BusinessPlan
    serializer_class = BusinessPlanOutputSerializer
    filterset_class = PlanFilter
    pagination_class = CreatedCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        return selectors.plans_for_staff(tenant=self.tenant)

    @extend_schema(
        request=BusinessPlanCreateInputSerializer,
        responses={201: BusinessPlanDetailOutputSerializer},
        examples=[
            OpenApiExample(
                "A plan with a partner for a quarter",
                value={
                    "title": "Northwind Q3",
                    "partner": "6f1c2e4a-8b1d-4c3e-9f2a-1d5b7e9c0a11",
                    "period_start": "2026-07-01",
                    "period_end": "2026-09-30",
                },
                request_only=True,
            )
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Open a plan with a partner, or with a joint solution's confirmed partners. ``Idempotency-Key`` honoured."""
        payload = BusinessPlanCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        partner = solution = None
        if data.get("partner"):
            partner = PartnerOrganization.objects.filter(tenant=self.tenant, public_id=data["partner"]).first()
            if partner is None:
                raise ApplicationError("Choose a partner of this program.", code="invalid_choice", field="partner")
        if data.get("solution"):
            solution = JointSolution.objects.filter(tenant=self.tenant, public_id=data["solution"]).first()
            if solution is None:
                raise ApplicationError("Choose a joint solution of this program.", code="invalid_choice", field="solution")
        plan = services.plan_create(
            tenant=self.tenant,
            actor=self.actor,
            title=data["title"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            partner=partner,
            solution=solution,
            vendor_owner=_user(data.get("vendor_owner"), field="vendor_owner"),
            partner_owner=_user(data.get("partner_owner"), field="partner_owner"),
        )
        return _detail(plan, self.tenant, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=BusinessPlanUpdateInputSerializer, responses={200: BusinessPlanDetailOutputSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change the title, period or owners (the fields sent)."""
        plan = self.get_object()
        payload = BusinessPlanUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        for name in ("vendor_owner", "partner_owner"):
            if name in values:
                values[name] = _user(values[name], field=name)
        services.plan_update(tenant=self.tenant, actor=self.actor, plan=plan, values=values)
        return _detail(plan, self.tenant)

    @extend_schema(request=None, responses={200: BusinessPlanDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        """Close the plan: readable still, changed no more."""
        plan = self.get_object()
        services.plan_close(tenant=self.tenant, actor=self.actor, plan=plan)
        return _detail(plan, self.tenant)

    @extend_schema(request=PlanStatusInputSerializer, responses={200: BusinessPlanDetailOutputSerializer})
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request, *args, **kwargs):
        """Set the shared status (health and note); who and when are recorded."""
        plan = self.get_object()
        payload = PlanStatusInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.status_update(tenant=self.tenant, actor=self.actor, plan=plan, partner_id=None, **payload.validated_data)
        return _detail(plan, self.tenant)

    @extend_schema(request=PlanGoalInputSerializer, responses={201: PlanGoalOutputSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def goals(self, request, *args, **kwargs):
        """Add a goal (one per metric). ``manual_actual`` only for MDF spend and customer retention. ``Idempotency-Key`` honoured."""
        plan = self.get_object()
        payload = PlanGoalInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        goal = services.goal_add(tenant=self.tenant, actor=self.actor, plan=plan, **payload.validated_data)
        return Response(self._goal_figure(plan, goal.public_id), status=status.HTTP_201_CREATED)

    def _goal_figure(self, plan: BusinessPlan, goal_id) -> dict:
        plan = BusinessPlan.objects.get(pk=plan.pk)  # fresh: the goals prefetched with the lookup are stale now
        prefetch_related_objects([plan], "goals")
        figure = next(f for f in figures.plan_figures(tenant=self.tenant, plan=plan) if f.goal_id == goal_id)
        return PlanGoalOutputSerializer(figure).data

    @extend_schema(methods=["PATCH"], request=PlanGoalUpdateInputSerializer, responses={200: PlanGoalOutputSerializer})
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path="goals/<uuid:goal_id>", url_name="goal")
    def goal(self, request, *args, goal_id=None, **kwargs):
        """Change a goal's target (and, for the metrics the vendor enters, its actual), or remove it."""
        plan = self.get_object()
        goal = selectors.access_goal(plan=plan, public_id=goal_id)
        if request.method == "DELETE":
            services.goal_remove(tenant=self.tenant, actor=self.actor, goal=goal)
            return Response(status=status.HTTP_204_NO_CONTENT)
        payload = PlanGoalUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.goal_update(tenant=self.tenant, actor=self.actor, goal=goal, values=payload.validated_data)
        return Response(self._goal_figure(plan, goal.public_id))

    @extend_schema(request=PlanInitiativeInputSerializer, responses={201: PlanInitiativeOutputSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def initiatives(self, request, *args, **kwargs):
        """Add an initiative (``title`` required). ``Idempotency-Key`` honoured."""
        plan = self.get_object()
        return _initiative_create(self, plan, PlanInitiativeInputSerializer, partner_id=None)

    @extend_schema(methods=["PATCH"], request=PlanInitiativeInputSerializer, responses={200: PlanInitiativeOutputSerializer})
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path="initiatives/<uuid:initiative_id>", url_name="initiative")
    def initiative(self, request, *args, initiative_id=None, **kwargs):
        """Change an initiative (the fields sent; ``done`` sets ``completed_at``), or remove it."""
        plan = self.get_object()
        initiative = selectors.access_initiative(plan=plan, public_id=initiative_id)
        if request.method == "DELETE":
            services.initiative_remove(tenant=self.tenant, actor=self.actor, initiative=initiative)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return _initiative_update(self, initiative, PlanInitiativeInputSerializer, partner_id=None)

    @extend_schema(request=PlanReviewInputSerializer, responses={201: PlanReviewOutputSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def reviews(self, request, *args, **kwargs):
        """Record a quarterly review; the goals' figures of the moment are kept with it. ``Idempotency-Key`` honoured."""
        plan = self.get_object()
        payload = PlanReviewInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = services.review_record(tenant=self.tenant, actor=self.actor, plan=plan, **payload.validated_data)
        return Response(PlanReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED)


def _initiative_values(validated: dict) -> dict:
    values = dict(validated)
    for name in ("vendor_owner", "partner_owner"):
        if name in values:
            values[name] = _user(values[name], field=name)
    return values


def _initiative_create(view, plan, serializer_class, *, partner_id) -> Response:
    payload = serializer_class(data=view.request.data)
    payload.is_valid(raise_exception=True)
    initiative = services.initiative_create(
        tenant=view.tenant, actor=view.actor, plan=plan, partner_id=partner_id, values=_initiative_values(payload.validated_data)
    )
    initiative = selectors.plan_initiatives(plan=plan).get(pk=initiative.pk)
    return Response(PlanInitiativeOutputSerializer(initiative).data, status=status.HTTP_201_CREATED)


def _initiative_update(view, initiative, serializer_class, *, partner_id) -> Response:
    payload = serializer_class(data=view.request.data)
    payload.is_valid(raise_exception=True)
    services.initiative_update(
        tenant=view.tenant,
        actor=view.actor,
        initiative=initiative,
        partner_id=partner_id,
        values=_initiative_values(payload.validated_data),
    )
    fresh = selectors.plan_initiatives(plan=initiative.plan).get(pk=initiative.pk)
    return Response(PlanInitiativeOutputSerializer(fresh).data)


class MyBusinessPlanViewSet(_PlanReading, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The caller's organisation's plans and the solution plans it is on (partner users). Partner admins edit
    the shared status and the initiatives; targets, goals and reviews are the vendor's. Filters: ``period``,
    ``health``, ``state``."""

    model = BusinessPlan
    serializer_class = BusinessPlanOutputSerializer
    filterset_class = PlanFilter
    pagination_class = CreatedCursorPagination
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset({Role.PARTNER_ADMIN})

    def _partner_id(self) -> int:
        if self.caller_partner_id is None:
            raise exceptions.PermissionDenied(
                code="partner_only", detail="Only a partner's own users work here. Staff and API keys use business-plans/."
            )
        return self.caller_partner_id

    def scoped_queryset(self) -> QuerySet:
        return selectors.plans_for_partner(tenant=self.tenant, partner_id=self._partner_id())

    @extend_schema(request=PlanStatusInputSerializer, responses={200: BusinessPlanDetailOutputSerializer})
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request, *args, **kwargs):
        """Set the shared status (health and note), for your side; who and when are recorded."""
        plan = self.get_object()
        payload = PlanStatusInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.status_update(
            tenant=self.tenant, actor=self.actor, plan=plan, partner_id=self._partner_id(), **payload.validated_data
        )
        return _detail(plan, self.tenant)

    @extend_schema(request=PartnerPlanInitiativeInputSerializer, responses={201: PlanInitiativeOutputSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def initiatives(self, request, *args, **kwargs):
        """Add an initiative (``title`` required); its partner owner is a user of your organisation. ``Idempotency-Key`` honoured."""
        plan = self.get_object()
        return _initiative_create(self, plan, PartnerPlanInitiativeInputSerializer, partner_id=self._partner_id())

    @extend_schema(request=PartnerPlanInitiativeInputSerializer, responses={200: PlanInitiativeOutputSerializer})
    @action(detail=True, methods=["patch"], url_path="initiatives/<uuid:initiative_id>", url_name="initiative")
    def initiative(self, request, *args, initiative_id=None, **kwargs):
        """Change an initiative (the fields sent; ``done`` sets ``completed_at``)."""
        plan = self.get_object()
        initiative = selectors.access_initiative(plan=plan, public_id=initiative_id)
        return _initiative_update(self, initiative, PartnerPlanInitiativeInputSerializer, partner_id=self._partner_id())
