from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from ecosystem.audit.services import platform_audit_record
from ecosystem.tenancy.admin import PlatformAdmin

from .models import Invitation, Membership, User


@admin.register(User)
class UserAdmin(PlatformAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def user_change_password(self, request, id, form_url=""):
        """Django's own password page saves without ``save_model``: audit it here (never the password)."""
        before = self.get_object(request, unquote(id))
        response = super().user_change_password(request, id, form_url)
        after = self.get_object(request, unquote(id))
        if before is not None and after is not None and after.password != before.password:
            platform_audit_record(
                actor=request.user,
                action="admin.change_password",
                target=after,
                changes={"usable_password": after.has_usable_password()},
            )
        return response


@admin.register(Membership)
class MembershipAdmin(PlatformAdmin):
    list_display = ["user", "tenant", "role", "partner", "is_active", "created_at"]
    list_filter = ["role", "is_active", "tenant"]
    search_fields = ["user__email"]
    raw_id_fields = ["user", "partner"]
    list_select_related = ["user", "tenant", "partner"]


@admin.register(Invitation)
class InvitationAdmin(PlatformAdmin):
    list_display = ["email", "tenant", "role", "partner", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["email"]
    readonly_fields = ["token_hash"]
    raw_id_fields = ["partner", "invited_by", "accepted_by"]
    list_select_related = ["tenant", "partner"]
