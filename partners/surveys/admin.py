"""Django admin for operators: every tenant's PSAT surveys with their questions, and the responses, read through
the platform alias.

Operators may correct a survey's wording (title, introduction). Dates, audience, questions and answers
are the services' alone (answers feed the health score): read-only here.
"""

from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin, PlatformInline

from .models import Survey, SurveyQuestion, SurveyResponse


class SurveyQuestionInline(PlatformInline):
    model = SurveyQuestion
    fields = ["position", "text", "kind", "required"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(PlatformAdmin):
    list_display = ["title", "tenant", "opens_on", "closes_on", "created_at"]
    list_filter = ["tenant"]
    search_fields = ["title"]
    list_select_related = ["tenant"]
    fields = [
        "title",
        "intro",
        "public_id",
        "opens_on",
        "closes_on",
        "audience_partner_types",
        "audience_tier_ids",
        "created_by",
        "open_notified_at",
    ]
    readonly_fields = [
        "public_id",
        "opens_on",
        "closes_on",
        "audience_partner_types",
        "audience_tier_ids",
        "created_by",
        "open_notified_at",
    ]
    inlines = [SurveyQuestionInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(PlatformAdmin):
    list_display = ["survey", "partner", "respondent", "nps", "submitted_at"]
    list_filter = ["tenant"]
    list_select_related = ["survey", "partner", "respondent"]
    readonly_fields = ["public_id", "survey", "partner", "respondent", "nps", "answers", "submitted_at"]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
