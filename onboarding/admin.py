from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import (
    AgreementSignature,
    AgreementVersion,
    OnboardingPlan,
    OnboardingStep,
    OnboardingTemplate,
    OnboardingTemplateStep,
    PartnerApplication,
    SecurityQuestion,
)


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(PlatformAdmin):
    list_display = ["company_name", "tenant", "website_domain", "partner_type", "status", "submissions", "submitted_at"]
    list_filter = ["status", "partner_type", "tenant"]
    search_fields = ["company_name", "website_domain", "contact_email"]
    readonly_fields = ["status_token_hash", "partner", "decided_by", "decided_at"]
    list_select_related = ["tenant"]


class OnboardingTemplateStepInline(admin.TabularInline):
    model = OnboardingTemplateStep
    extra = 0
    fields = ["position", "kind", "title", "due_days", "depends_on", "agreement"]


@admin.register(OnboardingTemplate)
class OnboardingTemplateAdmin(PlatformAdmin):
    list_display = ["name", "tenant", "partner_type", "is_active"]
    list_filter = ["tenant", "is_active"]
    inlines = [OnboardingTemplateStepInline]


@admin.register(AgreementVersion)
class AgreementVersionAdmin(PlatformAdmin):
    list_display = ["title", "version", "tenant", "created_at"]
    list_filter = ["tenant"]


@admin.register(SecurityQuestion)
class SecurityQuestionAdmin(PlatformAdmin):
    list_display = ["text", "tenant", "risk_points", "is_active", "position"]
    list_filter = ["tenant", "is_active"]


@admin.register(OnboardingPlan)
class OnboardingPlanAdmin(PlatformAdmin):
    list_display = ["partner", "tenant", "status", "created_at", "completed_at"]
    list_filter = ["status", "tenant"]
    list_select_related = ["partner", "tenant"]


@admin.register(OnboardingStep)
class OnboardingStepAdmin(PlatformAdmin):
    list_display = ["title", "partner", "tenant", "kind", "status", "due_on", "completed_at"]
    list_filter = ["kind", "status", "tenant"]
    list_select_related = ["partner", "tenant"]
    raw_id_fields = ["plan", "partner", "agreement", "completed_by"]


@admin.register(AgreementSignature)
class AgreementSignatureAdmin(PlatformAdmin):
    list_display = ["agreement", "partner", "typed_name", "signer", "signed_at", "ip"]
    list_filter = ["tenant"]
    list_select_related = ["partner", "agreement", "signer"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # evidence: never edited
