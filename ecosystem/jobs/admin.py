from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import Job


@admin.register(Job)
class JobAdmin(PlatformAdmin):
    list_display = ["kind", "tenant", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "kind", "tenant"]
    list_select_related = ["tenant"]
