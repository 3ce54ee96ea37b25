from django import forms
from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin, PlatformInline

from .models import (
    AgreementSignature,
    AgreementVersion,
    Certification,
    Course,
    CourseCompletion,
    CourseModule,
    CredentialCheck,
    CredentialIssuer,
    CredentialIssuerSecret,
    LearnerTrack,
    LearningPath,
    LearningPathCourse,
    OnboardingPlan,
    OnboardingStep,
    OnboardingTemplate,
    OnboardingTemplateStep,
    PartnerApplication,
    QuizChoice,
    QuizQuestion,
    SecurityQuestion,
)


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(PlatformAdmin):
    list_display = ["company_name", "tenant", "website_domain", "partner_type", "status", "submissions", "submitted_at"]
    list_filter = ["status", "partner_type", "tenant"]
    search_fields = ["company_name", "website_domain", "contact_email"]
    readonly_fields = ["status_token_hash", "partner", "decided_by", "decided_at"]
    list_select_related = ["tenant"]


class OnboardingTemplateStepInline(PlatformInline):
    model = OnboardingTemplateStep
    extra = 0
    fields = ["position", "kind", "title", "due_days", "depends_on", "agreement", "course"]


@admin.register(OnboardingTemplate)
class OnboardingTemplateAdmin(PlatformAdmin):
    allow_add_tenant_rows = True
    list_display = ["name", "tenant", "partner_type", "is_active"]
    list_filter = ["tenant", "is_active"]
    inlines = [OnboardingTemplateStepInline]


@admin.register(AgreementVersion)
class AgreementVersionAdmin(PlatformAdmin):
    allow_add_tenant_rows = True
    list_display = ["title", "version", "tenant", "created_at"]
    list_filter = ["tenant"]


@admin.register(SecurityQuestion)
class SecurityQuestionAdmin(PlatformAdmin):
    allow_add_tenant_rows = True
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
    raw_id_fields = ["plan", "partner", "agreement", "course", "completed_by"]


@admin.register(AgreementSignature)
class AgreementSignatureAdmin(PlatformAdmin):
    list_display = ["agreement", "partner", "typed_name", "signer", "signed_at", "ip"]
    list_filter = ["tenant"]
    list_select_related = ["partner", "agreement", "signer"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # evidence: never edited


# --- training ----------------------------------------------------------------------------------


class CourseModuleInline(PlatformInline):
    model = CourseModule
    extra = 0
    fields = ["position", "title", "body", "video_url", "asset_url", "asset_label"]


class QuizQuestionInline(PlatformInline):
    model = QuizQuestion
    extra = 0
    fields = ["position", "text"]
    show_change_link = True  # the choices are edited on the question's own page


@admin.register(Course)
class CourseAdmin(PlatformAdmin):
    allow_add_tenant_rows = True
    list_display = ["title", "tenant", "track", "pass_mark", "validity_months", "is_published"]
    list_filter = ["tenant", "track", "is_published"]
    search_fields = ["title"]
    list_select_related = ["tenant"]
    inlines = [CourseModuleInline, QuizQuestionInline]


class QuizChoiceInline(PlatformInline):
    model = QuizChoice
    extra = 0
    fields = ["position", "text", "is_correct"]


@admin.register(QuizQuestion)
class QuizQuestionAdmin(PlatformAdmin):
    allow_add_tenant_rows = True
    list_display = ["text", "course", "tenant", "position"]
    list_filter = ["tenant"]
    list_select_related = ["course", "tenant"]
    inlines = [QuizChoiceInline]


class LearningPathCourseInline(PlatformInline):
    model = LearningPathCourse
    extra = 0
    fields = ["position", "course"]


@admin.register(LearningPath)
class LearningPathAdmin(PlatformAdmin):
    allow_add_tenant_rows = True
    list_display = ["title", "tenant", "track"]
    list_filter = ["tenant", "track"]
    inlines = [LearningPathCourseInline]


@admin.register(CourseCompletion)
class CourseCompletionAdmin(PlatformAdmin):
    list_display = ["user", "partner", "course", "tenant", "score", "best_score", "passed", "attempts", "completed_at"]
    list_filter = ["tenant", "passed"]
    list_select_related = ["user", "partner", "course", "tenant"]
    raw_id_fields = ["partner", "user", "course"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a record of what people did: never edited


@admin.register(LearnerTrack)
class LearnerTrackAdmin(PlatformAdmin):
    """Who follows which learning path. Partner admins assign these; operators can fix them."""

    list_display = ["user", "partner", "track", "tenant", "assigned_by", "assigned_at"]
    list_filter = ["tenant", "track"]
    search_fields = ["user__email", "partner__name"]
    list_select_related = ["user", "partner", "tenant", "assigned_by"]
    raw_id_fields = ["partner", "user", "assigned_by"]
    readonly_fields = ["assigned_at"]


@admin.register(Certification)
class CertificationAdmin(PlatformAdmin):
    list_display = ["credential_number", "user", "partner", "course", "tenant", "issued_at", "expires_on", "revoked_at"]
    list_filter = ["tenant", "is_current"]
    search_fields = ["credential_number", "user__email", "user__full_name"]
    list_select_related = ["user", "partner", "course", "tenant"]
    raw_id_fields = ["partner", "user", "course", "revoked_by"]
    readonly_fields = ["credential_number", "issued_at", "is_current"]


@admin.register(CredentialCheck)
class CredentialCheckAdmin(PlatformAdmin):
    list_display = ["credential_number", "partner", "kind", "status", "tenant", "checked_at"]
    list_filter = ["tenant", "kind", "status"]
    list_select_related = ["partner", "tenant"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # evidence: never edited


class CredentialIssuerForm(forms.ModelForm):
    # Never rendered back: on change, leave it empty to keep the current secret.
    endpoint_url = forms.URLField(label="Verification endpoint", max_length=500, assume_scheme="https")
    secret = forms.CharField(widget=forms.PasswordInput(render_value=False), required=False, max_length=200)

    class Meta:
        model = CredentialIssuer
        fields = ["name", "slug", "endpoint_url", "secret", "is_active"]

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret") or ""
        if not secret and not (self.instance.pk and self.instance.secret):
            raise forms.ValidationError("A signing secret is required.")
        return secret or self.instance.secret


@admin.register(CredentialIssuer)
class CredentialIssuerAdmin(PlatformAdmin):
    """Outside issuers' verification services. The secret shows only as its last 4 characters."""

    allow_add_tenant_rows = True
    form = CredentialIssuerForm
    list_display = ["name", "slug", "tenant", "endpoint_url", "secret_hint", "is_active"]
    list_filter = ["tenant", "is_active"]
    search_fields = ["name", "slug"]
    list_select_related = ["tenant"]

    @admin.display(description="secret")
    def secret_hint(self, obj: CredentialIssuer) -> str:
        # The list spans tenants: read through the platform alias (operators only).
        tail = (
            CredentialIssuerSecret.objects.unscoped()
            .using(self.using)
            .filter(issuer_id=obj.pk)
            .values_list("secret_tail", flat=True)
            .first()
        )
        return f"…{tail}" if tail else ""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        secret = form.cleaned_data.get("secret")
        if secret:
            CredentialIssuerSecret.objects.unscoped().using(self.using).update_or_create(
                issuer_id=obj.pk, defaults={"secret": secret, "secret_tail": secret[-4:], "tenant_id": obj.tenant_id}
            )
