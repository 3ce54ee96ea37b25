from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel


class ScreeningList(TenantModel):
    """One upload of the tenant's denied-party list. The newest upload replaces the listed parties."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    file_name = models.CharField(_("file"), max_length=200)
    layout = models.CharField(_("layout"), max_length=10)
    entries = models.PositiveIntegerField(_("listed parties"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="screening_list_public_id_unique")]


class DeniedParty(TenantModel):
    """A listed party of the current list, with the words the full-text index finds it by.

    The GIN index cannot lead with tenant_id (that needs btree_gin, a contrib extension the embedded
    PostgreSQL does not ship); row-level security and the tenant filter narrow the matches instead.
    """

    screening_list = models.ForeignKey(ScreeningList, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(_("name"), max_length=300)
    aliases = ArrayField(models.CharField(max_length=300), default=list, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    program = models.CharField(_("program"), max_length=200, blank=True)
    search_terms = models.TextField()

    class Meta:
        indexes = [
            GinIndex(SearchVector("search_terms", config="simple"), name="denied_party_search"),
            models.Index(fields=["tenant", "screening_list"], name="denied_party_tenant_list"),
        ]

    def __str__(self) -> str:
        return self.name


class MatchStatus(models.TextChoices):
    OPEN = "open", _("Open: blocks approval")
    CLEARED = "cleared", _("Cleared by a manager")


class ScreeningMatch(TenantModel):
    """A possible hit of an applicant or partner on the denied-party list. Open matches block approval."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        "onboarding.PartnerApplication", on_delete=models.CASCADE, null=True, blank=True, related_name="screening_matches"
    )
    partner = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, null=True, blank=True, related_name="screening_matches"
    )
    subject_name = models.CharField(_("screened name"), max_length=300)
    listed_name = models.CharField(_("listed party"), max_length=300)
    listed_country = models.CharField(_("listed country"), max_length=2, blank=True)
    listed_program = models.CharField(_("program"), max_length=200, blank=True)
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("why"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.OPEN)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    cleared_reason = models.CharField(_("reason"), max_length=500, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="screening_match_public_id_unique"),
            models.CheckConstraint(
                name="screening_match_has_one_subject",
                condition=models.Q(application__isnull=False, partner__isnull=True)
                | models.Q(application__isnull=True, partner__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status", "-created_at"], name="screening_match_status")]
