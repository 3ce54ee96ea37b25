"""Credential issuers in the API for vendor staff: the portal's ``setup:issuers`` pages
(``onboarding.training_setup_views.credential_issuers``) with the same roles: staff read, owners and
partner managers create and change. Every write is ``onboarding.issuers.credential_issuer_save``.
Issuers are addressed by their slug, as in the portal."""

from __future__ import annotations

import django_filters
from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from onboarding.issuers import credential_issuer_save
from onboarding.models import CredentialIssuer, CredentialIssuerSecret

from .issuer_serializers import CredentialIssuerInputSerializer, CredentialIssuerSerializer

_EXAMPLE = OpenApiExample(
    "An issuer",
    value={
        "name": "AWS Certification",
        "slug": "aws",
        "endpoint_url": "https://verify.example.com/credentials",
        "secret": "whsec_3b9f…",
        "is_active": True,
    },
    request_only=True,
)


class CredentialIssuerFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter(label="true: the issuers partners can choose")

    class Meta:
        model = CredentialIssuer
        fields = ["is_active"]


class IssuerCursorPagination(CreatedCursorPagination):
    ordering = ("name", "id")


class CredentialIssuerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Credential issuers by name. Filter: ``is_active``. The signing secret is write-only."""

    model = CredentialIssuer
    serializer_class = CredentialIssuerSerializer
    filterset_class = CredentialIssuerFilter
    pagination_class = IssuerCursorPagination
    ordering_fields = ["name", "created_at"]
    lookup_field = "slug"
    lookup_url_kwarg = "slug"
    lookup_value_converter = "slug"
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        # Only the secret's last four characters are read, as on the portal's list.
        tail = CredentialIssuerSecret.objects.filter(issuer=OuterRef("pk")).values("secret_tail")[:1]
        return CredentialIssuer.objects.filter(tenant=self.tenant).annotate(secret_tail=Subquery(tail)).order_by("name", "id")

    def _answer(self, issuer: CredentialIssuer, code: int) -> Response:
        return Response(CredentialIssuerSerializer(self.scoped_queryset().get(pk=issuer.pk)).data, status=code)

    @extend_schema(request=CredentialIssuerInputSerializer, responses={201: CredentialIssuerSerializer}, examples=[_EXAMPLE])
    @idempotent
    def create(self, request, *args, **kwargs):
        """Add an issuer. ``400 required`` without a name or a secret; ``400 endpoint_refused`` for an endpoint
        the outbound policy refuses; ``400 duplicate`` for a slug in use. ``Idempotency-Key`` honoured."""
        payload = CredentialIssuerInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issuer = credential_issuer_save(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return self._answer(issuer, status.HTTP_201_CREATED)

    @extend_schema(request=CredentialIssuerInputSerializer, responses={200: CredentialIssuerSerializer}, examples=[_EXAMPLE])
    def update(self, request, *args, **kwargs):
        """Change an issuer (every field; a blank ``secret`` keeps the current one, a new one rotates it).
        The same refusals as creating one."""
        issuer = self.get_object()
        payload = CredentialIssuerInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issuer = credential_issuer_save(tenant=self.tenant, actor=self.actor, issuer=issuer, **payload.validated_data)
        return self._answer(issuer, status.HTTP_200_OK)
