"""``/api/v1/``: the schema and its offline docs, and every tenant resource under ``t/<tenant_slug>/``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from attribution.api import routes as attribution_routes
from attribution.economics.api import routes as economics_routes
from attribution.incentives.api import routes as incentives_routes
from attribution.insights.api import routes as insights_routes
from deals.api.account_views import CustomerAccountViewSet
from deals.api.cosell_views import CoSellDealViewSet, CoSellInvitationViewSet, DealTeamViewSet
from deals.api.currency_views import CurrencyRateViewSet
from deals.api.import_views import DealImportViewSet, MyPipelineViewSet, PipelineViewSet
from deals.api.lead_views import LeadViewSet, MyLeadViewSet
from deals.api.partner_views import MyRegistrationViewSet
from deals.api.views import (
    AppealViewSet,
    EngagementRulesViewSet,
    ExtensionViewSet,
    ProductLineViewSet,
    RegistrationViewSet,
)
from deals.mapping.api import routes as mapping_routes
from deals.sla.api import routes as sla_routes
from ecosystem.accounts.api.views import InvitationViewSet, MemberViewSet
from ecosystem.api.export_views import DataExportViewSet
from ecosystem.api.key_views import ApiKeyViewSet
from ecosystem.audit.api.views import AuditLogViewSet
from ecosystem.jobs.api.views import JobViewSet
from ecosystem.privacy.api import routes as privacy_routes
from ecosystem.webhooks.api import routes as webhook_routes
from onboarding.api.evidence_views import SecurityEvidenceViewSet
from onboarding.api.issuer_views import CredentialIssuerViewSet
from onboarding.api.partner_training_views import MyCertificationViewSet, MyContentViewSet, MyCourseViewSet
from onboarding.api.partner_views import PartnerOnboardingStepViewSet, PartnerOnboardingViewSet
from onboarding.api.screening_views import ScreeningListViewSet, ScreeningMatchViewSet
from onboarding.api.setup_views import AgreementVersionViewSet, OnboardingTemplateViewSet, SecurityQuestionViewSet
from onboarding.api.training_views import CertificationViewSet, CourseViewSet, LearnerViewSet, LearningPathViewSet
from onboarding.api.views import ApplicationViewSet, OnboardingPlanViewSet, OnboardingStepViewSet
from partners.api.capability_views import CapabilityViewSet
from partners.api.contact_views import PartnerContactViewSet
from partners.api.tier_views import (
    MyTierViewSet,
    TierChangeViewSet,
    TierPolicyViewSet,
    TierProposalViewSet,
    TierStandingViewSet,
    TierViewSet,
)
from partners.api.views import ContentItemViewSet, PartnerLogoViewSet, PartnerViewSet
from partners.directory.api import routes as directory_routes
from partners.mdf.api import routes as mdf_routes
from partners.plans.api import routes as plan_routes
from partners.scorecard.api import routes as scorecard_routes
from partners.solutions.api import routes as solution_routes
from partners.surveys.api import routes as survey_routes
from scoring.api import routes as scoring_routes

router = SimpleRouter(use_regex_path=False)
router.register("partners", PartnerViewSet, basename="partner")
router.register("partner-contacts", PartnerContactViewSet, basename="partner-contact")  # and partners/import/
router.register("jobs", JobViewSet, basename="job")
router.register("applications", ApplicationViewSet, basename="application")
router.register("onboarding-plans", OnboardingPlanViewSet, basename="onboarding-plan")
router.register("onboarding-steps", OnboardingStepViewSet, basename="onboarding-step")  # a step; security reviews
router.register("courses", CourseViewSet, basename="course")
router.register("learning-paths", LearningPathViewSet, basename="learning-path")
router.register("certifications", CertificationViewSet, basename="certification")
router.register("learners", LearnerViewSet, basename="learner")
router.register("content", ContentItemViewSet, basename="content")
# the partner side of onboarding: a partner user's own plan and steps
router.register("partner-onboarding/steps", PartnerOnboardingStepViewSet, basename="partner-onboarding-step")
router.register("partner-onboarding", PartnerOnboardingViewSet, basename="partner-onboarding")
# tiers: the ladder, changes, proposals and one partner's standing (staff)
router.register("tiers", TierViewSet, basename="tier")
router.register("tier-changes", TierChangeViewSet, basename="tier-change")
router.register("tier-proposals", TierProposalViewSet, basename="tier-proposal")
router.register("tier-standings", TierStandingViewSet, basename="tier-standing")
# denied-party screening (staff)
router.register("screening-lists", ScreeningListViewSet, basename="screening-list")
router.register("screening-matches", ScreeningMatchViewSet, basename="screening-match")
# program setup (staff read; owners and partner managers change): agreements, the questionnaire, capabilities
router.register("agreements", AgreementVersionViewSet, basename="agreement")
router.register("security-questions", SecurityQuestionViewSet, basename="security-question")
router.register("onboarding-templates", OnboardingTemplateViewSet, basename="onboarding-template")
router.register("credential-issuers", CredentialIssuerViewSet, basename="credential-issuer")
router.register("onboarding-evidence", SecurityEvidenceViewSet, basename="onboarding-evidence")  # staff: all; partners: own
router.register("capabilities", CapabilityViewSet, basename="capability")
# the partner side of training and sales content: a partner user's own courses, certifications and content
router.register("my-courses", MyCourseViewSet, basename="my-course")
router.register("my-certifications", MyCertificationViewSet, basename="my-certification")
router.register("my-content", MyContentViewSet, basename="my-content")
# co-selling: a partner's invitations and co-sell deals; a registration's team (its partner and staff)
router.register("cosell-invitations", CoSellInvitationViewSet, basename="cosell-invitation")
router.register("cosell-deals", CoSellDealViewSet, basename="cosell-deal")
router.register("deal-teams", DealTeamViewSet, basename="deal-team")
# leads: the vendor's leads and their routing (staff); the leads offered to a partner (partner users)
router.register("leads", LeadViewSet, basename="lead")
router.register("my-leads", MyLeadViewSet, basename="my-lead")

# deal registrations, vendor side (staff): the queue, decisions, appeals, extensions, product lines
router.register("deal-registrations", RegistrationViewSet, basename="deal-registration")
router.register("registration-appeals", AppealViewSet, basename="registration-appeal")
router.register("registration-extensions", ExtensionViewSet, basename="registration-extension")
router.register("product-lines", ProductLineViewSet, basename="product-line")
# deal registrations, partner side: a partner's own registrations, the precheck and its actions
router.register("my-registrations", MyRegistrationViewSet, basename="my-registration")
# CRM imports of accounts and opportunities (staff); progress is read at jobs/<id>/
router.register("deal-imports", DealImportViewSet, basename="deal-import")
# the program's customer accounts (staff read; owners and partner managers add)
router.register("customer-accounts", CustomerAccountViewSet, basename="customer-account")
# the currency rate table attribution converts deal amounts with (staff)
router.register("currency-rates", CurrencyRateViewSet, basename="currency-rate")
# the tenant's API keys (owners, signed in; never another key)
router.register("api-keys", ApiKeyViewSet, basename="api-key")
# the program's audit log, read-only (owners and API keys)
router.register("audit-log", AuditLogViewSet, basename="audit-entry")
# the program's people: memberships and pending invitations (signed-in people only, never an API key)
router.register("members", MemberViewSet, basename="member")
router.register("invitations", InvitationViewSet, basename="invitation")
# full data exports of the program (signed-in owners only)
router.register("data-exports", DataExportViewSet, basename="data-export")
# ecosystem orchestration (issue 5): solutions, business plans, directory and collaboration, SLAs, account mapping
ECOSYSTEM_AREAS = (
    solution_routes,
    plan_routes,
    directory_routes,
    sla_routes,
    mapping_routes,
    attribution_routes,
    scoring_routes,
    mdf_routes,
    survey_routes,
    scorecard_routes,
    economics_routes,
    insights_routes,
    incentives_routes,
    webhook_routes,
    privacy_routes,
)
for _area in ECOSYSTEM_AREAS:
    _area.register(router)

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves its script as a file: no inline script for the Content-Security-Policy
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("t/<slug:tenant_slug>/", include(router.urls)),
    *(path("t/<slug:tenant_slug>/", include(_area.urlpatterns)) for _area in ECOSYSTEM_AREAS),
    # a sub-resource of a partner, open to that partner's own admin too (the partner resource is staff-only)
    path(
        "t/<slug:tenant_slug>/partners/<uuid:public_id>/logo/",
        PartnerLogoViewSet.as_view({"put": "update", "delete": "destroy"}),
        name="partner-logo",
    ),
    # the program's rules of engagement: one object, no id (staff)
    path(
        "t/<slug:tenant_slug>/engagement-rules/",
        EngagementRulesViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="engagement-rules",
    ),
    # the partner-sourced pipeline: the vendor's (staff) and a partner user's own; one object each, no id
    path("t/<slug:tenant_slug>/pipeline/", PipelineViewSet.as_view({"get": "retrieve"}), name="pipeline"),
    path("t/<slug:tenant_slug>/my-pipeline/", MyPipelineViewSet.as_view({"get": "retrieve"}), name="my-pipeline"),
    # a partner user's own tier: one object, no id
    path("t/<slug:tenant_slug>/my-tier/", MyTierViewSet.as_view({"get": "retrieve"}), name="my-tier"),
    # how the tier evaluation acts: one object, no id (staff read; owners and partner managers change)
    path(
        "t/<slug:tenant_slug>/tier-policy/",
        TierPolicyViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="tier-policy",
    ),
]
