from __future__ import annotations

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .context import TenantScopeError, current_scope
from .managers import TenantManager

RESERVED_SLUGS = frozenset({"admin", "api", "static", "media", "accounts", "apply", "invitations", "new", "start"})

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$",
    _("Use 1 to 40 lower-case letters, digits and hyphens, not starting or ending with a hyphen."),
)


class Tenant(models.Model):
    """A vendor running a partner program. Global table: the one thing every request looks up first."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("address"), max_length=40, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    require_staff_mfa = models.BooleanField(
        _("require two-factor authentication for vendor staff"),
        default=True,
        help_text=_("Vendor staff must set up an authenticator app before they can use the portal."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name


class TenantModel(models.Model):
    """Base of every tenant-owned table.

    ``tenant_id`` is NOT NULL and leads every unique constraint and tenant index declared on
    subclasses. Each concrete subclass's migration must also add :class:`~ecosystem.tenancy.rls.TenantRLS`;
    the catalogue test fails the day one forgets.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", editable=False)

    objects = TenantManager()

    # Name of the column that ties a row to one partner organisation, for the restrictive
    # partner policy; None for tables partner users must never read (staff-only data).
    partner_field: str | None = None
    # True for the program's configuration that partner users read but never change
    # (agreement texts, questionnaires, capabilities): TenantRLS(..., shared=True).
    partner_readable: bool = False

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        scope = current_scope()
        if scope is not None and self.tenant_id is not None and scope.tenant_id != self.tenant_id:
            raise TenantScopeError(f"Refusing to save a row of tenant {self.tenant_id} inside tenant {scope.tenant_id}")
        super().save(*args, **kwargs)
