"""Django admin for platform operators.

Admin reads and writes through the ``platform`` database alias, whose role bypasses row-level
security: operators look across tenants. Every change made here is audited: tenant-owned rows
in that tenant's audit log, platform rows (people, tenants' settings) in the platform audit log.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.forms.models import model_to_dict

from ecosystem.audit.services import audit_record, json_safe, platform_audit_record

from .context import current_scope, tenant_context
from .models import Tenant, TenantModel

PLATFORM_DB = "platform"
HIDDEN = "(hidden)"


def _changes(form) -> dict:
    """What the operator changed. Secrets (password fields) are named but never written down:
    the audit log is append-only, so a password in it could never be removed."""
    if form is None:
        return {}
    return {
        name: HIDDEN if isinstance(form.fields[name].widget, forms.PasswordInput) else str(form.cleaned_data.get(name))
        for name in form.changed_data
    }


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

    # Tenant rows are normally created inside their tenant (portal, API, services, with their rules).
    # Program configuration (templates, agreements, questionnaires, courses, tiers) may also be added
    # here by an operator setting a program up: those admins set this to True.
    allow_add_tenant_rows = False

    def has_add_permission(self, request) -> bool:
        if issubclass(self.model, TenantModel) and not self.allow_add_tenant_rows:
            return False
        return super().has_add_permission(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """Adding a tenant row: the operator picks the tenant; every related row must be of that tenant."""
        if obj is None and issubclass(self.model, TenantModel):
            kwargs["form"] = self._tenant_row_add_form()
        return super().get_form(request, obj, change=change, **kwargs)

    def _tenant_row_add_form(self):
        using = self.using

        class TenantRowAddForm(self.form):
            owning_tenant = forms.ModelChoiceField(queryset=Tenant.objects.using(using).all(), label="Tenant")

            def clean(self):
                cleaned = super().clean()
                tenant = cleaned.get("owning_tenant")
                for name, value in cleaned.items():
                    if tenant is not None and isinstance(value, TenantModel) and value.tenant_id != tenant.pk:
                        self.add_error(name, "This belongs to another tenant.")
                return cleaned

        return TenantRowAddForm

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None and issubclass(self.model, TenantModel) and "owning_tenant" in fields:
            fields.remove("owning_tenant")
            fields.insert(0, "owning_tenant")
        return fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Edit a tenant row inside its own tenant's scope.

        The form, model validation (unique constraints) and related-field choices read through the
        tenant models' default managers, which refuse to run without a scope. In the row's own scope
        they work, related choices stay inside that tenant, and the save and its audit row commit
        together on the platform connection.
        """
        tenant_id = None
        if object_id and issubclass(self.model, TenantModel):
            obj = self.get_object(request, unquote(object_id))
            tenant_id = obj.tenant_id if obj is not None else None
        elif issubclass(self.model, TenantModel) and request.method == "POST":
            # Adding: validate and save inside the chosen tenant, so unique checks and inline rows see it.
            chosen = request.POST.get("owning_tenant", "")
            tenant_id = (
                Tenant.objects.using(self.using).filter(pk=chosen).values_list("pk", flat=True).first()
                if chosen.isdigit()
                else None
            )
        if tenant_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with tenant_context(tenant_id, using=self.using), tenant_context(tenant_id):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # widgets query while rendering: still inside the scope
        return response

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if issubclass(related, TenantModel) and current_scope() is not None:
            kwargs["queryset"] = related.objects.using(self.using)  # the edited row's tenant, see changeform_view
        elif issubclass(related, TenantModel):
            # Adding: every tenant's rows, checked against the chosen tenant in TenantRowAddForm.clean.
            kwargs["queryset"] = related.objects.unscoped().using(self.using)
        else:
            kwargs["queryset"] = related._default_manager.using(self.using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = db_field.related_model._default_manager.using(self.using)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        if not change and isinstance(obj, TenantModel):
            obj.tenant_id = form.cleaned_data["owning_tenant"].pk
        with transaction.atomic(using=self.using):  # the change and its audit row commit together
            obj.save(using=self.using)
            self._audit(request, obj, "admin.change" if change else "admin.create", _changes(form))

    def save_formset(self, request, form, formset, change) -> None:
        """Inline rows (template steps, …) join the parent's tenant and are audited like the parent."""
        parent = form.instance
        tenant_id = parent.pk if isinstance(parent, Tenant) else getattr(parent, "tenant_id", None)
        with transaction.atomic(using=self.using):
            for obj in formset.save(commit=False):
                if isinstance(obj, TenantModel) and obj.tenant_id is None:
                    obj.tenant_id = tenant_id
                created = obj.pk is None
                obj.save(using=self.using)
                self._audit(request, obj, "admin.create" if created else "admin.change", {})
            for obj in formset.deleted_objects:
                self._audit(request, obj, "admin.delete", {})
                obj.delete(using=self.using)
            formset.save_m2m()

    def delete_model(self, request, obj) -> None:
        fields = model_to_dict(obj, fields=[f.name for f in obj._meta.concrete_fields if not f.is_relation])
        deleted = {name: json_safe(value) for name, value in fields.items()}
        with transaction.atomic(using=self.using):  # no "deleted" audit row for a delete that failed
            self._audit(request, obj, "admin.delete", {"deleted": deleted})
            obj.delete(using=self.using)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def _audit(self, request, obj, action: str, changes: dict) -> None:
        if isinstance(obj, Tenant):
            tenant = obj
        elif isinstance(obj, TenantModel):
            tenant = obj.tenant
        else:
            tenant = None  # people and other platform rows: the platform audit log
        if tenant is None:
            platform_audit_record(actor=request.user, action=action, target=obj, changes=changes)
        else:
            audit_record(
                tenant=tenant, actor=request.user, action=action, target=obj, changes=changes, using=self.using, via="admin"
            )


class PlatformInline(admin.TabularInline):
    """Inline rows of a tenant row (template steps, tier rules, …), read through the platform alias."""

    using = PLATFORM_DB

    def get_queryset(self, request):
        # The formset narrows to the parent row; the platform alias reads it whatever the scope.
        return self.model.objects.unscoped().using(self.using)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if issubclass(related, TenantModel) and current_scope() is None:
            kwargs["queryset"] = related.objects.unscoped().using(self.using)
        elif issubclass(related, TenantModel):
            kwargs["queryset"] = related.objects.using(self.using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Tenant)
class TenantAdmin(PlatformAdmin):
    list_display = ["name", "slug", "is_active", "require_staff_mfa", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    readonly_fields = ["public_id", "created_at"]


class ReadOnlyPlatformAdmin(PlatformAdmin):
    """A record of what happened (audit, runs, scores, overlaps): operators read it, nobody adds,
    edits or deletes it here; changes go through the services that keep it explainable."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
