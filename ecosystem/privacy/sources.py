"""Where a tenant keeps data about a person: every tenant-owned model with a foreign key to a user.

``SOURCES`` names each such model and its user columns; ``person_data`` reads each model once with
those columns, and ``person_erase`` applies each source's ``erase`` rule. A test introspects
``apps.get_models()`` and fails when a tenant-owned model with a user foreign key is missing here, so a
new model cannot quietly hold personal data that neither the export nor the erasure knows about.

Erase rules (see docs/partner-manager.md, "Personal data"):

* ``keep``: the row stays as it is. It names the person only through the user foreign key, and the
  user row itself is pseudonymised (or, while other programs still hold it, this tenant shows the
  pseudonym through :class:`~ecosystem.privacy.models.ErasedPerson`).
* ``pseudonymise``: the row stays (a signed agreement, a finance record) but the listed text columns
  (and JSON keys) that copy the person's name or address are replaced (``LABEL``: "Erased person #<id>",
  ``EMAIL``: erased-<id>@invalid, ``NULL``: emptied).
* ``detach``: the user column is emptied; the row still counts for its partner organisation
  (engagement events feed health scores by partner, never by person).
* ``retain``: the audit log. A trigger rejects UPDATE and DELETE for every role, by design; the rows
  are the tenant's record of who did what and stay as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models

from ecosystem.tenancy.models import TenantModel

LABEL = "label"
EMAIL = "email"
NULL = "null"

KEEP = "keep"
PSEUDONYMISE = "pseudonymise"
DETACH = "detach"
RETAIN = "retain"
MEMBERSHIP = "membership"  # accounts.Membership: deactivated, handled by the erase service itself

# Columns never exported: secrets and digests, and stored binaries (trained models).
SECRET_NAME_PARTS = ("hash", "secret", "token", "digest", "password", "sha256")


@dataclass(frozen=True)
class Source:
    user_fields: tuple[str, ...]
    erase: str = KEEP
    replace: dict[str, str] = field(default_factory=dict)  # column -> LABEL | EMAIL | NULL (pseudonymise)
    json_replace: dict[str, str] = field(default_factory=dict)  # JSON column -> key holding the name (-> LABEL)


@dataclass(frozen=True)
class EmailSource:
    """Rows that hold the person's address as text (before they had an account, or without one)."""

    email_field: str
    replace: dict[str, str]


SOURCES: dict[str, Source] = {
    "accounts.Membership": Source(("user",), erase=MEMBERSHIP),
    "accounts.Invitation": Source(("invited_by", "accepted_by")),
    "audit.AuditEntry": Source(("actor",), erase=RETAIN),
    "jobs.Job": Source(("created_by",)),
    "api.ApiKey": Source(("created_by",)),
    "webhooks.WebhookEndpoint": Source(("created_by",)),
    "privacy.PrivacySettings": Source(("updated_by",)),
    "privacy.ErasedPerson": Source(("user",)),
    "partners.PartnerStatusChange": Source(("changed_by",)),
    "partners.EngagementEvent": Source(("user",), erase=DETACH),
    "partners.ContentItem": Source(("created_by",)),
    "partners.TierChange": Source(("changed_by",)),
    "onboarding.PartnerApplication": Source(("decided_by",)),
    # a signed agreement step keeps {"signed_by": <typed name>} in its result
    "onboarding.OnboardingStep": Source(("completed_by",), erase=PSEUDONYMISE, json_replace={"result": "signed_by"}),
    "onboarding.AgreementSignature": Source(("signer",), erase=PSEUDONYMISE, replace={"typed_name": LABEL, "ip": NULL}),
    "onboarding.SecurityEvidence": Source(("uploaded_by",)),
    "onboarding.ScreeningList": Source(("uploaded_by",)),
    "onboarding.ScreeningMatch": Source(("cleared_by",)),
    "onboarding.LearnerTrack": Source(("user", "assigned_by")),
    "onboarding.CourseCompletion": Source(("user",)),
    "onboarding.Certification": Source(("user", "revoked_by")),
    "onboarding.CredentialCheck": Source(("requested_by",)),
    "deals.CustomerAccount": Source(("owner_user",)),
    "deals.DealRegistration": Source(("submitted_by",)),
    "deals.RegistrationDecision": Source(("decided_by",)),
    "deals.DealParticipant": Source(("invited_by",)),
    "deals.CurrencyRate": Source(("updated_by",)),
    "deals.ImportMapping": Source(("created_by",)),
    "deals.ImportBatch": Source(("imported_by",)),
    "deals.Lead": Source(("created_by",)),
    "deals.LeadOffer": Source(("offered_by",)),
    "deals.RegistrationAppeal": Source(("submitted_by", "assigned_to", "excluded_reviewer", "decided_by")),
    "deals.RegistrationExtension": Source(("requested_by", "decided_by")),
    "solutions.JointSolution": Source(("orchestrator_user", "created_by")),
    "plans.BusinessPlan": Source(("status_updated_by", "vendor_owner", "partner_owner", "created_by")),
    "plans.PlanInitiative": Source(("vendor_owner", "partner_owner")),
    "plans.PlanReview": Source(("recorded_by",)),
    "directory.DirectoryProfile": Source(("updated_by",)),
    "directory.CollaborationRequest": Source(("requested_by", "answered_by")),
    "mapping.MappingPartnership": Source(("invited_by",)),
    "attribution.AttributionRun": Source(("created_by",)),
    "scoring.PredictionModel": Source(("trained_by",)),
    "scoring.ChurnAlert": Source(("closed_by",)),
    "scoring.Intervention": Source(("recorded_by",)),
    "mdf.MdfBudget": Source(("created_by",)),
    "mdf.MdfRequest": Source(("decided_by", "submitted_by")),
    "mdf.MdfClaim": Source(("decided_by", "submitted_by")),
    "mdf.MdfEvidence": Source(("uploaded_by",)),
    "surveys.Survey": Source(("created_by",)),
    "surveys.SurveyResponse": Source(("respondent",)),
    "economics.CustomerRevenue": Source(("updated_by",)),
    "economics.ProgramCost": Source(("updated_by",)),
    "economics.WeeklySummarySettings": Source(("updated_by",)),
    "incentives.RebateProgram": Source(("created_by",)),
    "incentives.UsageFigure": Source(("updated_by",)),
    "incentives.RebateStatement": Source(("approved_by", "paid_by")),
}

EMAIL_SOURCES: dict[str, EmailSource] = {
    # invitations to their address (accepted or not)
    "accounts.Invitation": EmailSource("email", replace={"email": EMAIL}),
    # the partner application they sent as the contact
    "onboarding.PartnerApplication": EmailSource("contact_email", replace={"contact_name": LABEL, "contact_email": EMAIL}),
}

# Global (not tenant-owned) models with a user foreign key, and why the tenant export leaves them out.
PLATFORM_MODELS: dict[str, str] = {
    "admin.LogEntry": "Django admin history of platform operators, not held by a tenant",
    "account.EmailAddress": "the sign-in address, the same as the profile's email; removed when the account is pseudonymised",
    "mfa.Authenticator": "sign-in secrets; never exported, removed when the account is pseudonymised",
    "audit.PlatformAuditEntry": "operator changes to platform records, not held by a tenant",
}


def user_foreign_keys(model: type[models.Model]) -> tuple[str, ...]:
    """The names of ``model``'s columns that point at a user."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return tuple(
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is user_model  # type: ignore[attr-defined]
    )


def tenant_models_with_user_keys() -> dict[str, tuple[str, ...]]:
    """Every tenant-owned model that has a user column, by label: what ``SOURCES`` must cover."""
    return {
        model._meta.label: keys
        for model in apps.get_models()
        if issubclass(model, TenantModel) and (keys := user_foreign_keys(model))
    }


def exported_columns(model: type[models.Model], source: Source) -> list[str]:
    """The plain columns exported for one source. Foreign keys are internal integers and stay out
    (the export says which of the user columns are the person instead); so do secrets and stored binaries.
    """
    columns = []
    has_public_id = any(f.name == "public_id" for f in model._meta.concrete_fields)
    for f in model._meta.concrete_fields:
        if f.name == "tenant" or (f.primary_key and has_public_id):
            continue
        if isinstance(f, models.BinaryField) or any(part in f.name for part in SECRET_NAME_PARTS):
            continue
        if f.is_relation:
            continue
        columns.append(f.name)
    return columns
