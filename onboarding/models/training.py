"""Training: courses with modules and a quiz, learning paths, completions, certifications and credential checks.

Courses, their modules, quiz questions and choices, and learning paths are the program's shared
configuration (partner users read them, only staff change them). Completions, certifications and
credential checks belong to one partner organisation each.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.encrypted import EncryptedTextField
from ecosystem.tenancy.models import TenantModel

# Links partners open from a course: https only, so no javascript:, data: or plain-text http links.
https_only = URLValidator(schemes=["https"], message=_("Enter an https:// address."))


def _https_or_blank(field: str) -> models.Q:
    return models.Q(**{field: ""}) | models.Q(**{f"{field}__startswith": "https://"})


class Track(models.TextChoices):
    SALES = "sales", _("Sales")
    TECHNICAL = "technical", _("Technical")
    ADMIN = "admin", _("Administration")


class Course(TenantModel):
    """A course: modules to read or watch, then a quiz. Passing it certifies the person."""

    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, max_length=2000)
    track = models.CharField(_("track"), max_length=12, choices=Track.choices)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    validity_months = models.PositiveSmallIntegerField(
        _("certification valid for (months)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["track", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="course_public_id_unique"),
            models.CheckConstraint(name="course_pass_mark_percent", condition=models.Q(pass_mark__gte=1, pass_mark__lte=100)),
            models.CheckConstraint(name="course_validity_positive", condition=models.Q(validity_months__gte=1)),
        ]
        indexes = [models.Index(fields=["tenant", "is_published", "track"], name="course_catalogue")]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class CourseModule(TenantModel):
    """One part of a course: text (shown as plain text), a video link and a downloadable asset."""

    partner_readable = True

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True, help_text=_("Plain text; blank lines start a new paragraph."))
    video_url = models.URLField(_("video link"), max_length=500, blank=True, validators=[https_only])
    asset_url = models.URLField(_("download link"), max_length=500, blank=True, validators=[https_only])
    asset_label = models.CharField(_("download name"), max_length=120, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "course", "position"], name="course_module_position_unique"),
            models.CheckConstraint(name="course_module_video_https", condition=_https_or_blank("video_url")),
            models.CheckConstraint(name="course_module_asset_https", condition=_https_or_blank("asset_url")),
        ]
        verbose_name = _("course module")
        verbose_name_plural = _("course modules")

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class QuizQuestion(TenantModel):
    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=500)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="quiz_question_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "course", "position"], name="quiz_question_position_unique"),
        ]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self) -> str:
        return self.text


class QuizChoice(TenantModel):
    """One answer to pick. ``is_correct`` never reaches a partner's page or the API."""

    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    question = models.ForeignKey(QuizQuestion, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("answer"), max_length=300)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="quiz_choice_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "question", "position"], name="quiz_choice_position_unique"),
        ]
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")

    def __str__(self) -> str:
        return self.text


class LearningPath(TenantModel):
    """The recommended order of courses for one track (sales, technical, administration)."""

    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    track = models.CharField(_("track"), max_length=12, choices=Track.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)

    class Meta:
        ordering = ["track"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="learning_path_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "track"], name="learning_path_one_per_track"),
        ]
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")

    def __str__(self) -> str:
        return self.title


class LearningPathCourse(TenantModel):
    partner_readable = True

    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="entries")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "path", "position"], name="learning_path_position_unique"),
            models.UniqueConstraint(fields=["tenant", "path", "course"], name="learning_path_course_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.course_id}"


class LearnerTrack(TenantModel):
    """One person's track (sales, technical, administration): its learning path is theirs to complete.

    Their partner organisation's admin assigns it; a person may have several tracks, each once.
    """

    partner_field = "partner"

    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    track = models.CharField(_("track"), max_length=12, choices=Track.choices)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)

    class Meta:
        ordering = ["track", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "user", "track"], name="learner_track_once_per_person")]
        indexes = [models.Index(fields=["tenant", "partner", "user"], name="learner_track_partner")]
        verbose_name = _("learner track")
        verbose_name_plural = _("learner tracks")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.track}"


class CourseCompletion(TenantModel):
    """One person's record for one course: attempts, the latest and best score, and when they first passed."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    score = models.PositiveSmallIntegerField(_("latest score (%)"), default=0)
    best_score = models.PositiveSmallIntegerField(_("best score (%)"), default=0)
    passed = models.BooleanField(_("passed"), default=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # The retake limit counts attempts in a rolling window that starts with its first attempt.
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    completed_at = models.DateTimeField(_("first passed"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="course_completion_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "user", "course"], name="course_completion_one_per_person"),
        ]
        indexes = [
            models.Index(fields=["tenant", "course", "passed"], name="course_completion_course"),
            models.Index(fields=["tenant", "partner", "course"], name="course_completion_partner"),
        ]
        verbose_name = _("course completion")
        verbose_name_plural = _("course completions")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.course_id}"


class Certification(TenantModel):
    """Proof that a person passed a course, under an unguessable credential number, until ``expires_on``.

    One *current* certification per person and course (partial unique index): passing again while
    it is valid renews it; once it has expired or was revoked, passing again issues a new number.
    """

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certifications")
    credential_number = models.CharField(_("credential number"), max_length=40)
    issued_at = models.DateTimeField(_("issued"))
    renewed_at = models.DateTimeField(_("renewed"), null=True, blank=True)
    expires_on = models.DateField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    is_current = models.BooleanField(default=True, help_text=_("False once a newer certification replaced it."))
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="certification_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "credential_number"], name="certification_number_unique"),
            models.UniqueConstraint(
                fields=["tenant", "user", "course"], condition=models.Q(is_current=True), name="certification_one_current"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "expires_on"], name="certification_expiry"),
            models.Index(fields=["tenant", "partner", "user"], name="certification_holder"),
        ]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self) -> str:
        return self.credential_number

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.revoked_at is None and self.expires_on >= day

    @property
    def is_valid(self) -> bool:
        return self.is_valid_on(timezone.localdate())


class VerifierKind(models.TextChoices):
    REGISTRY = "registry", _("Our certification registry")
    HTTP = "http", _("The issuer's verification service")


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("Checking")
    VERIFIED = "verified", _("Verified")
    NOT_FOUND = "not_found", _("Not found")
    MISMATCH = "mismatch", _("Does not match")
    ERROR = "error", _("Could not check")


class CredentialIssuer(TenantModel):
    """An outside issuer of certifications (e.g. "AWS Certification") whose verification service we ask.

    Partner users read the names (they choose the issuer of their credential); the signing secret is
    in :class:`CredentialIssuerSecret`, a staff-only table they never reach. ``endpoint_url`` is
    checked against the outbound policy (https, no private addresses) when saved.
    """

    partner_readable = True

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60)
    endpoint_url = models.URLField(_("verification endpoint"), max_length=500)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "slug"], name="credential_issuer_slug_unique")]
        verbose_name = _("credential issuer")
        verbose_name_plural = _("credential issuers")

    def __str__(self) -> str:
        return self.name

    @property
    def secret(self) -> str:
        """The signing secret (staff and worker scopes only: partner scopes cannot read it)."""
        row = CredentialIssuerSecret.objects.filter(issuer_id=self.pk).first() if self.pk else None
        return row.secret if row else ""

    @property
    def masked_secret(self) -> str:
        tail = CredentialIssuerSecret.objects.filter(issuer_id=self.pk).values_list("secret_tail", flat=True).first()
        return f"…{tail}" if tail else ""

    def clean(self) -> None:
        from onboarding.credentials import endpoint_url_problem

        problem = endpoint_url_problem(self.endpoint_url)
        if problem:
            raise ValidationError({"endpoint_url": problem})


class CredentialIssuerSecret(TenantModel):
    """The secret that signs requests to one issuer: encrypted at rest (:mod:`ecosystem.encrypted`), shown only as
    its last 4 characters (``secret_tail``, kept beside it so lists never decrypt)."""

    issuer = models.OneToOneField(CredentialIssuer, on_delete=models.CASCADE, related_name="+")
    secret = EncryptedTextField(_("signing secret"))
    secret_tail = models.CharField(max_length=4, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class CredentialCheck(TenantModel):
    """One verification of a credential, with what the verifier saw (``evidence``).

    Never edited once answered; a ``pending`` check (asked from the partner's step page) gets its
    answer exactly once, from the task that asks the issuer.
    """

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(
        "onboarding.OnboardingStep", on_delete=models.SET_NULL, null=True, blank=True, related_name="credential_checks"
    )
    certification = models.ForeignKey(Certification, on_delete=models.SET_NULL, null=True, blank=True, related_name="checks")
    kind = models.CharField(_("verifier"), max_length=10, choices=VerifierKind.choices)
    credential_number = models.CharField(_("credential number"), max_length=100)
    holder_name = models.CharField(_("holder"), max_length=150)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    status = models.CharField(_("result"), max_length=10, choices=CheckStatus.choices)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(_("checked"), auto_now_add=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="credential_check_public_id_unique")]
        indexes = [models.Index(fields=["tenant", "partner", "-checked_at"], name="credential_check_partner")]
        verbose_name = _("credential check")
        verbose_name_plural = _("credential checks")

    def __str__(self) -> str:
        return f"{self.credential_number}: {self.status}"
