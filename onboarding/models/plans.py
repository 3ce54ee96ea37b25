from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel
from partners.models import PartnerType


class StepKind(models.TextChoices):
    AGREEMENT = "agreement", _("Sign an agreement")
    SECURITY_REVIEW = "security_review", _("Security review")
    TRAINING = "training", _("Training")
    CERTIFICATION = "certification", _("Certification")
    PROFILE = "profile", _("Complete your profile")
    CUSTOM_TASK = "custom_task", _("Task")


# Steps of these kinds must be finished before the partner's people get sales access.
GATING_KINDS = frozenset({StepKind.AGREEMENT, StepKind.SECURITY_REVIEW})
# Steps of these kinds may name a course; passing it (or holding its certification) completes them.
COURSE_KINDS = frozenset({StepKind.TRAINING, StepKind.CERTIFICATION})
COURSE_ONLY_FOR_TRAINING = models.Q(course__isnull=True) | models.Q(kind__in=["certification", "training"])


class AgreementVersion(TenantModel):
    """One exact text of an agreement (partner agreement, NDA). Never edited: a change is a new version."""

    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    version = models.CharField(_("version"), max_length=40)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "title", "version"], name="agreement_version_unique"),
            models.UniqueConstraint(fields=["tenant", "public_id"], name="agreement_public_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class SecurityQuestion(TenantModel):
    """A yes/no question of the tenant's third-party-risk questionnaire.

    Answering "no" adds ``risk_points``; the sum decides the rating (see onboarding.services.RISK_BANDS).
    """

    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=300)
    risk_points = models.PositiveSmallIntegerField(_("risk points if the answer is no"), default=10)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="security_question_public_id_unique")]

    def __str__(self) -> str:
        return self.text


class OnboardingTemplate(TenantModel):
    """The tenant's standard onboarding for one partner type (blank: any type without its own)."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120)
    partner_type = models.CharField(_("partner type"), max_length=20, choices=PartnerType.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="onboarding_template_public_id_unique"),
            models.UniqueConstraint(
                fields=["tenant", "partner_type"],
                condition=models.Q(is_active=True),
                name="onboarding_template_one_active_per_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OnboardingTemplateStep(TenantModel):
    template = models.ForeignKey(OnboardingTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    due_days = models.PositiveSmallIntegerField(_("due after (days)"), default=14)
    valid_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_(
            "For security reviews and agreements that must be renewed: the step reopens, and the gate closes, when it lapses."
        ),
    )
    depends_on = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True, verbose_name=_("depends on steps"))
    agreement = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    course = models.ForeignKey(
        "onboarding.Course",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Training and certification steps: passing this course completes the step."),
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "template", "position"], name="template_step_position_unique"),
            models.CheckConstraint(
                name="template_step_agreement_for_agreements",
                condition=models.Q(kind="agreement", agreement__isnull=False) | ~models.Q(kind="agreement"),
            ),
            models.CheckConstraint(name="template_step_course_for_training", condition=COURSE_ONLY_FOR_TRAINING),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class PlanStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class OnboardingPlan(TenantModel):
    """One partner's onboarding, copied from a template when the partner was approved."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="onboarding_plans")
    template = models.ForeignKey(OnboardingTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.IN_PROGRESS)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="onboarding_plan_public_id_unique"),
            models.UniqueConstraint(
                fields=["tenant", "partner"],
                condition=models.Q(status="in_progress"),
                name="onboarding_plan_one_open_per_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"Onboarding of {self.partner_id}"


class StepStatus(models.TextChoices):
    TODO = "todo", _("To do")
    WAITING_FOR_REVIEW = "review", _("Waiting for the vendor")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Needs changes")


class OnboardingStep(TenantModel):
    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(OnboardingPlan, on_delete=models.CASCADE, related_name="steps")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    depends_on = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    agreement = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    course = models.ForeignKey("onboarding.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    valid_months = models.PositiveSmallIntegerField(null=True, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.TODO)
    result = models.JSONField(_("result"), default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="onboarding_step_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "plan", "position"], name="onboarding_step_position_unique"),
            models.CheckConstraint(name="onboarding_step_course_for_training", condition=COURSE_ONLY_FOR_TRAINING),
        ]
        indexes = [models.Index(fields=["tenant", "status", "due_on"], name="onboarding_step_due")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class AgreementSignature(TenantModel):
    """Evidence of a signature: the exact text signed, who, the typed name, when and from where."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(OnboardingStep, on_delete=models.CASCADE, related_name="signatures")
    agreement = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures")
    text_signed = models.TextField()
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=150)
    signed_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="agreement_signature_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "step"], name="agreement_signature_one_per_step"),
        ]


def evidence_upload_to(instance: SecurityEvidence, filename: str) -> str:
    return f"evidence/{instance.tenant_id}/{instance.partner_id}/{uuid.uuid4().hex}"


class SecurityEvidence(TenantModel):
    """A document a partner attaches to its security review (policy, certificate, pen-test summary).

    Stored under MEDIA_ROOT with a random name, never at a public address: the portal sends it
    back as an attachment to the partner's own users and the vendor's staff only.
    """

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(OnboardingStep, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_upload_to, max_length=300)
    original_filename = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="security_evidence_public_id_unique")]
