"""Django admin for platform operators.

Admin reads and writes through the ``platform`` database alias, whose role bypasses row-level
security: operators look across tenants. Every change made here is audited: tenant-owned rows
in that tenant's audit log, platform rows (people, tenants' settings) in the platform audit log.
"""

from __future__ import annotations

from django.contrib import admin
from django.forms.models import model_to_dict

from ecosystem.audit.services import audit_record, platform_audit_record

from .models import Tenant, TenantModel

PLATFORM_DB = "platform"


def _changes(form) -> dict:
    if form is None:
        return {}
    return {name: str(form.cleaned_data.get(name)) for name in form.changed_data}


class PlatformAdmin(admin.ModelAdmin):
    """Base of every admin page: platform alias, all tenants, every change audited."""

    using = PLATFORM_DB

    def get_queryset(self, request):
        model = self.model
        if issubclass(model, TenantModel):
            # Operators look across tenants by design; this alias bypasses RLS for exactly that.
            queryset = model.objects.unscoped().using(self.using)
        else:
            queryset = model._default_manager.using(self.using)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if issubclass(related, TenantModel):
            kwargs["queryset"] = related.objects.unscoped().using(self.using)
        else:
            kwargs["queryset"] = related._default_manager.using(self.using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = db_field.related_model._default_manager.using(self.using)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        obj.save(using=self.using)
        self._audit(request, obj, "admin.change" if change else "admin.create", _changes(form))

    def delete_model(self, request, obj) -> None:
        self._audit(
            request,
            obj,
            "admin.delete",
            {"deleted": model_to_dict(obj, fields=[f.name for f in obj._meta.concrete_fields if not f.is_relation])},
        )
        obj.delete(using=self.using)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def _audit(self, request, obj, action: str, changes: dict) -> None:
        if isinstance(obj, TenantModel):
            audit_record(
                tenant=obj.tenant, actor=request.user, action=action, target=obj, changes=changes, using=self.using, via="admin"
            )
        elif isinstance(obj, Tenant):
            audit_record(
                tenant=obj, actor=request.user, action=action, target=obj, changes=changes, using=self.using, via="admin"
            )
        else:
            platform_audit_record(actor=request.user, action=action, target=obj, changes=changes)


@admin.register(Tenant)
class TenantAdmin(PlatformAdmin):
    list_display = ["name", "slug", "is_active", "require_staff_mfa", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    readonly_fields = ["public_id", "created_at"]
