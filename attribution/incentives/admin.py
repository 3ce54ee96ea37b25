"""Django admin for operators: every tenant's rebate programs, statements and usage figures, read-only.

Accruals, approvals and payments go through the services (they lock, keep settled statements as they
are and audit every step), so nothing here can be added, changed or deleted.
"""

from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import RebateProgram, RebateStatement, UsageFigure


class ReadOnlyAdmin(PlatformAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RebateProgram)
class RebateProgramAdmin(ReadOnlyAdmin):
    list_display = ["name", "tenant", "measure", "rate_mode", "currency", "status"]
    list_filter = ["tenant", "measure", "status"]
    list_select_related = ["tenant"]


@admin.register(RebateStatement)
class RebateStatementAdmin(ReadOnlyAdmin):
    list_display = ["period", "program", "partner", "measured_total", "rebate_amount", "currency", "status", "tenant"]
    list_filter = ["tenant", "status", "year", "quarter"]
    list_select_related = ["program", "partner", "tenant"]


@admin.register(UsageFigure)
class UsageFigureAdmin(ReadOnlyAdmin):
    list_display = ["month", "metric", "account", "quantity", "source", "tenant"]
    list_filter = ["tenant", "metric"]
    list_select_related = ["account", "tenant"]
