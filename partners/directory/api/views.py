"""The directory, collaborations and the ecosystem map in the API.

* ``directory/`` — partner users: published profiles of the program's partners (and their own),
  public fields only; staff and API keys: every profile. Looked up by the *partner's* id.
* ``my-directory-profile/`` — a partner user's own profile (one object): read; partner admins update
  it and publish it (``is_published``).
* ``collaborations/`` — staff and API keys: every collaboration request, read only.
* ``my-collaborations/`` — partner users: the requests their organisation sent or received; create
  (``Idempotency-Key`` honoured), ``accept`` / ``decline`` (the receiver's admins), ``withdraw`` (the sender).
* ``ecosystem-map/`` — staff and API keys: the graph of the ecosystem (one object).

Every action calls the same selectors and services as the portal (:mod:`partners.directory.views`).
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.api.filters import OrderingChoices
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import KeyedCursorPagination
from ecosystem.api.views import TenantViewSet
from partners.models import PartnerOrganization

from .. import selectors, services
from ..models import CollaborationRequest, DirectoryProfile
from .serializers import (
    CollaborationAnswerInputSerializer,
    CollaborationInputSerializer,
    CollaborationOutputSerializer,
    DirectoryCardOutputSerializer,
    DirectoryQuerySerializer,
    EcosystemMapOutputSerializer,
    MapQuerySerializer,
    MyCollaborationQuerySerializer,
    MyDirectoryProfileSerializer,
    StaffCollaborationOutputSerializer,
)

_EVERYONE = frozenset(STAFF_ROLES | PARTNER_ROLES)


class DirectoryCursorPagination(KeyedCursorPagination):
    """The directory's pages in the order the reader chose with ``?ordering=`` (``name``, ``tier``, ``-`` for
    descending; by name when none), made total by :func:`~partners.directory.selectors.directory_ordering`.
    A cursor holds the edge card's sort keys (name, partner id, tier rank): only a card the reader was
    shown is ever an edge."""

    max_page_size = 200

    def order_for(self, terms: tuple[str, ...]) -> tuple[str, ...]:
        return selectors.directory_ordering(terms)


class RequestedCursorPagination(CursorPagination):
    ordering = ("-requested_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


def _partner_only(caller_partner_id: int | None) -> int:
    if caller_partner_id is None:
        raise exceptions.PermissionDenied(
            code="partner_only",
            detail="Only a partner's own users keep its directory profile. Staff and API keys read profiles at directory/.",
        )
    return caller_partner_id


class DirectoryViewSet(TenantViewSet):
    """The partner directory. Filters: ``q``, ``capability``, ``region``, ``partner_type``, ``tier``;
    ``ordering``: ``name``, ``tier`` (by rank), ``-`` for descending."""

    model = DirectoryProfile
    read_roles = _EVERYONE
    write_roles = frozenset()
    pagination_class = DirectoryCursorPagination
    # the search filters are the selector's (DirectoryQuerySerializer); OrderingChoices only checks
    # ?ordering= and describes it, the paginator orders by the selector's sort keys
    filter_backends = [OrderingChoices]
    ordering_fields = tuple(selectors.DIRECTORY_SORT_KEYS)

    def scoped_queryset(self):
        return DirectoryProfile.objects.filter(tenant=self.tenant)

    @extend_schema(parameters=[DirectoryQuerySerializer], responses={200: DirectoryCardOutputSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        """Partner users: published profiles (public fields). Staff and API keys: every profile.
        By partner name unless ``ordering`` says otherwise (``tier`` sorts by the tier's rank, then by name)."""
        filters = selectors.DirectoryFilters.from_data(request.query_params)
        cards = selectors.directory_search(
            tenant=self.tenant,
            filters=filters,
            paginate=lambda queryset: self.paginate_queryset(queryset),
            published_only=self.caller_partner_id is not None,
        )
        return self.get_paginated_response(DirectoryCardOutputSerializer(cards, many=True).data)

    @extend_schema(responses={200: DirectoryCardOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One partner's profile by the partner's id: published, or your own (any, for staff)."""
        card = selectors.directory_card(
            tenant=self.tenant, partner_public_id=self.kwargs["public_id"], viewer_partner_id=self.caller_partner_id
        )
        return Response(DirectoryCardOutputSerializer(card).data)


class MyDirectoryProfileViewSet(TenantViewSet):
    """The caller's own directory profile: one object, no id."""

    model = DirectoryProfile
    read_roles = _EVERYONE  # staff reach the explicit partner_only refusal
    write_roles = frozenset({Role.PARTNER_ADMIN})

    def scoped_queryset(self):
        return DirectoryProfile.objects.filter(tenant=self.tenant, partner_id=_partner_only(self.caller_partner_id))

    def _partner(self) -> PartnerOrganization:
        return PartnerOrganization.objects.get(tenant=self.tenant, pk=_partner_only(self.caller_partner_id))

    def _body(self, partner: PartnerOrganization) -> Response:
        profile = selectors.own_profile(tenant=self.tenant, partner=partner)
        return Response(MyDirectoryProfileSerializer(profile).data)

    @extend_schema(responses={200: MyDirectoryProfileSerializer}, operation_id="my_directory_profile_retrieve")
    def retrieve(self, request, *args, **kwargs):
        """Your profile (unpublished and prefilled from your partner record until first saved)."""
        return self._body(self._partner())

    def _save(self, request) -> Response:
        partner = self._partner()
        payload = MyDirectoryProfileSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.directory_profile_save(tenant=self.tenant, actor=self.actor, partner=partner, values=payload.validated_data)
        return self._body(partner)

    @extend_schema(
        request=MyDirectoryProfileSerializer,
        responses={200: MyDirectoryProfileSerializer},
        operation_id="my_directory_profile_update",
        examples=[
            OpenApiExample(
                "Publish",
                value={"headline": "Security-first MSP for mid-sized banks", "regions": ["emea"], "is_published": True},
                request_only=True,
            )
        ],
    )
    def update(self, request, *args, **kwargs):
        """Change the fields you send (partner admins); ``is_published`` publishes or unpublishes."""
        return self._save(request)

    @extend_schema(
        request=MyDirectoryProfileSerializer,
        responses={200: MyDirectoryProfileSerializer},
        operation_id="my_directory_profile_partial_update",
    )
    def partial_update(self, request, *args, **kwargs):
        """Same as PUT: only the fields you send change."""
        return self._save(request)


class CollaborationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Every collaboration request of the program (staff). Filters: ``status``, ``subject_kind``, ``partner``, ``since``."""

    model = CollaborationRequest
    serializer_class = StaffCollaborationOutputSerializer
    filterset_class = selectors.CollaborationFilter
    pagination_class = RequestedCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return selectors.collaboration_list(tenant=self.tenant)


class MyCollaborationViewSet(TenantViewSet):
    """Collaboration requests the caller's organisation sent or received, newest first."""

    model = CollaborationRequest
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset(PARTNER_ROLES)
    pagination_class = RequestedCursorPagination

    def _partner_id(self) -> int:
        if self.caller_partner_id is None:  # pragma: no cover - the roles above admit partner users only
            raise exceptions.NotFound()
        return self.caller_partner_id

    def scoped_queryset(self):
        return selectors.collaborations_for_partner(tenant=self.tenant, partner_id=self._partner_id())

    def _view(self, collaboration: CollaborationRequest, *, status_code: int = status.HTTP_200_OK) -> Response:
        collaboration.refresh_from_db()
        view = selectors.collaboration_views(tenant=self.tenant, rows=[collaboration], partner_id=self._partner_id())[0]
        return Response(CollaborationOutputSerializer(view).data, status=status_code)

    @extend_schema(parameters=[MyCollaborationQuerySerializer], responses={200: CollaborationOutputSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        """Received (``box=in``), sent (``box=out``) or both; ``status`` filters."""
        queryset = selectors.collaborations_for_partner(
            tenant=self.tenant,
            partner_id=self._partner_id(),
            box=request.query_params.get("box", ""),
            status=request.query_params.get("status", ""),
        )
        page = self.paginate_queryset(queryset)
        views = selectors.collaboration_views(tenant=self.tenant, rows=page, partner_id=self._partner_id())
        return self.get_paginated_response(CollaborationOutputSerializer(views, many=True).data)

    @extend_schema(responses={200: CollaborationOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        return self._view(self.get_object())

    @extend_schema(
        request=CollaborationInputSerializer,
        responses={201: CollaborationOutputSerializer},
        examples=[
            OpenApiExample(
                "Ask a published partner to implement a deal",
                value={
                    "to_partner": "6f1c2e4a-8b1d-4c3e-9f2a-1d5b7e9c0a11",
                    "subject_kind": "deal",
                    "subject": "0b7e5d2c-3a4f-4e6b-8c1d-2f9a6b3e7d22",
                    "cosell_role": "implementation",
                    "message": "Can you run the migration?",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Ask a published partner to run a draft solution you manage",
                value={
                    "to_partner": "6f1c2e4a-8b1d-4c3e-9f2a-1d5b7e9c0a11",
                    "subject_kind": "solution",
                    "subject": "9d2a4f1b-7c3e-4d5a-b6e8-3c1f0a2d9e33",
                    "component_role": "msp_managed_service",
                    "message": "Would you run it as a managed service?",
                },
                request_only=True,
            ),
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Ask a partner published in the directory to collaborate. Send ``Idempotency-Key`` to make retries safe."""
        payload = CollaborationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        partner_id = self._partner_id()
        to_partner = selectors.published_partner(tenant=self.tenant, public_id=data["to_partner"])
        subject = selectors.collaboration_subject(
            tenant=self.tenant, partner_id=partner_id, kind=data["subject_kind"], public_id=data.get("subject")
        )
        created = services.collaboration_request(
            tenant=self.tenant,
            actor=self.actor,
            from_partner=PartnerOrganization.objects.get(tenant=self.tenant, pk=partner_id),
            to_partner=to_partner,
            subject_kind=data["subject_kind"],
            subject=subject,
            message=data["message"],
            cosell_role=data["cosell_role"],
            component_role=data["component_role"],
        )
        return self._view(created, status_code=status.HTTP_201_CREATED)

    def _answer(self, request, *, accept: bool) -> Response:
        collaboration = self.get_object()
        if self.membership.role != Role.PARTNER_ADMIN:
            raise exceptions.PermissionDenied(code="role_forbidden", detail="Your partner admin answers collaboration requests.")
        payload = CollaborationAnswerInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.collaboration_answer(
            tenant=self.tenant,
            actor=self.actor,
            partner_id=self._partner_id(),
            collaboration=collaboration,
            accept=accept,
            note=payload.validated_data["note"],
        )
        return self._view(collaboration)

    @extend_schema(request=CollaborationAnswerInputSerializer, responses={200: CollaborationOutputSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """The receiver accepts (its admins). For a deal, it joins the deal's co-sell team in the requested role;
        for a joint solution, it becomes an accepted component in the requested ``component_role``."""
        return self._answer(request, accept=True)

    @extend_schema(request=CollaborationAnswerInputSerializer, responses={200: CollaborationOutputSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        """The receiver declines (its admins), with an optional note."""
        return self._answer(request, accept=False)

    @extend_schema(request=None, responses={200: CollaborationOutputSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """The sender takes back a pending request."""
        collaboration = self.get_object()
        services.collaboration_withdraw(
            tenant=self.tenant, actor=self.actor, partner_id=self._partner_id(), collaboration=collaboration
        )
        return self._view(collaboration)


class EcosystemMapViewSet(TenantViewSet):
    """``ecosystem-map/``: the ecosystem as a graph (staff), as on the portal's Ecosystem map page."""

    model = PartnerOrganization
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return PartnerOrganization.objects.filter(tenant=self.tenant)

    @extend_schema(
        parameters=[MapQuerySerializer], responses={200: EcosystemMapOutputSerializer}, operation_id="ecosystem_map_retrieve"
    )
    def retrieve(self, request, *args, **kwargs):
        """Nodes (partners, sized by 12-month closed-won revenue) and edges (co-sold deals, shared solutions,
        accepted collaborations). Filters: ``partner_type``, ``tier``, ``region``, ``edge`` (repeatable)."""
        slug = self.tenant.slug
        graph = selectors.ecosystem_graph(
            tenant=self.tenant,
            filters=selectors.MapFilters.from_data(request.query_params),
            partner_url=lambda public_id: reverse("partners:detail", kwargs={"tenant_slug": slug, "partner_id": public_id}),
        )
        return Response(EcosystemMapOutputSerializer(graph).data)
