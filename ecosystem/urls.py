from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from attribution import urls as attribution_urls
from attribution.economics import urls as economics_urls
from attribution.incentives import urls as incentives_urls
from attribution.insights import urls as insights_urls
from deals import account_urls, cosell_urls, lead_urls
from deals import currency_urls as deal_currency_urls
from deals import import_urls as deal_import_urls
from deals import partner_urls as deal_partner_urls
from deals import pipeline_urls as deal_pipeline_urls
from deals import urls as deal_urls
from deals.mapping import urls as mapping_urls
from deals.sla import urls as sla_urls
from ecosystem.accounts import views as account_views
from ecosystem.portal import partner_urls
from ecosystem.portal import urls as portal_urls
from ecosystem.portal.base import PARTNER, VENDOR, tenant_urlpatterns
from ecosystem.privacy import urls as privacy_urls
from ecosystem.webhooks import urls as webhook_urls
from onboarding import setup_urls, training_urls
from onboarding import urls as onboarding_urls
from partners import content_urls, tier_urls
from partners import urls as partner_org_urls
from partners.directory import urls as directory_urls
from partners.mdf import urls as mdf_urls
from partners.plans import urls as plan_urls
from partners.scorecard import urls as scorecard_urls
from partners.solutions import urls as solution_urls
from partners.surveys import urls as survey_urls
from scoring import urls as scoring_urls

# The operator logs in to Django admin through allauth (rate limits, MFA), never admin's own form.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Partner Ecosystem · platform"

vendor_portal = tenant_urlpatterns(portal_urls.urlpatterns, portal=VENDOR)
vendor_deals = tenant_urlpatterns(deal_urls.urlpatterns, portal=VENDOR)
vendor_accounts = tenant_urlpatterns(account_urls.urlpatterns, portal=VENDOR)
vendor_partners = tenant_urlpatterns(partner_org_urls.urlpatterns, portal=VENDOR)
partner_portal = tenant_urlpatterns(partner_urls.urlpatterns, portal=PARTNER)
vendor_onboarding = tenant_urlpatterns(onboarding_urls.urlpatterns, portal=VENDOR)
partner_onboarding = tenant_urlpatterns(onboarding_urls.partner_urlpatterns, portal=PARTNER)
vendor_training = tenant_urlpatterns(training_urls.urlpatterns, portal=VENDOR)
partner_training = tenant_urlpatterns(training_urls.partner_urlpatterns, portal=PARTNER)
vendor_content = tenant_urlpatterns(content_urls.urlpatterns, portal=VENDOR)
partner_content = tenant_urlpatterns(content_urls.partner_urlpatterns, portal=PARTNER)
vendor_tiers = tenant_urlpatterns(tier_urls.urlpatterns, portal=VENDOR)
vendor_setup = tenant_urlpatterns(setup_urls.urlpatterns, portal=VENDOR)
partner_tiers = tenant_urlpatterns(tier_urls.partner_urlpatterns, portal=PARTNER)
partner_partners = tenant_urlpatterns(partner_org_urls.partner_urlpatterns, portal=PARTNER)
vendor_leads = tenant_urlpatterns(lead_urls.urlpatterns, portal=VENDOR)
partner_leads = tenant_urlpatterns(lead_urls.partner_urlpatterns, portal=PARTNER)
partner_deals = tenant_urlpatterns(deal_partner_urls.urlpatterns, portal=PARTNER)
vendor_cosell = tenant_urlpatterns(cosell_urls.urlpatterns, portal=VENDOR)
partner_cosell = tenant_urlpatterns(cosell_urls.partner_urlpatterns, portal=PARTNER)
vendor_deal_imports = tenant_urlpatterns(deal_import_urls.urlpatterns, portal=VENDOR)
vendor_pipeline = tenant_urlpatterns(deal_pipeline_urls.urlpatterns, portal=VENDOR)
vendor_currency_rates = tenant_urlpatterns(deal_currency_urls.urlpatterns, portal=VENDOR)
partner_pipeline = tenant_urlpatterns(deal_pipeline_urls.partner_urlpatterns, portal=PARTNER)

# ecosystem orchestration (issue 5): each area has vendor routes and partner routes
ECOSYSTEM_AREAS = {
    "solutions": solution_urls,
    "plans": plan_urls,
    "directory": directory_urls,
    "sla": sla_urls,
    "mapping": mapping_urls,
    "attribution": attribution_urls,
    "scoring": scoring_urls,
    "mdf": mdf_urls,
    "surveys": survey_urls,
    "scorecard": scorecard_urls,
    "economics": economics_urls,
    "insights": insights_urls,
    "incentives": incentives_urls,
    "webhooks": webhook_urls,
    "privacy": privacy_urls,
}
ecosystem_routes = []
for _namespace, _module in ECOSYSTEM_AREAS.items():
    ecosystem_routes += [
        path("t/<slug:tenant_slug>/", include((tenant_urlpatterns(_module.urlpatterns, portal=VENDOR), _namespace))),
        path(
            "p/<slug:tenant_slug>/",
            include((tenant_urlpatterns(_module.partner_urlpatterns, portal=PARTNER), f"partner_{_namespace}")),
        ),
    ]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("", include("ecosystem.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("ecosystem.api.urls")),
    path("t/<slug:tenant_slug>/", include((vendor_portal, "portal"))),
    path("t/<slug:tenant_slug>/", include((vendor_partners, "partners"))),
    path("t/<slug:tenant_slug>/", include((vendor_onboarding, "onboarding"))),
    path("t/<slug:tenant_slug>/", include((vendor_training, "training"))),
    path("t/<slug:tenant_slug>/", include((vendor_content, "content"))),
    path("p/<slug:tenant_slug>/", include((partner_portal, "partner_portal"))),
    path("p/<slug:tenant_slug>/", include((partner_onboarding, "partner_onboarding"))),
    path("p/<slug:tenant_slug>/", include((partner_training, "partner_training"))),
    path("p/<slug:tenant_slug>/", include((partner_content, "partner_content"))),
    path("t/<slug:tenant_slug>/", include((vendor_tiers, "tiers"))),
    path("t/<slug:tenant_slug>/", include((vendor_setup, "setup"))),
    path("p/<slug:tenant_slug>/", include((partner_tiers, "partner_tiers"))),
    path("p/<slug:tenant_slug>/", include((partner_partners, "partner_partners"))),
    path("t/<slug:tenant_slug>/", include((vendor_cosell, "cosell"))),
    path("p/<slug:tenant_slug>/", include((partner_cosell, "partner_cosell"))),
    path("p/<slug:tenant_slug>/", include((partner_deals, "partner_deals"))),
    path("t/<slug:tenant_slug>/", include((vendor_leads, "leads"))),
    path("p/<slug:tenant_slug>/", include((partner_leads, "partner_leads"))),
    path("t/<slug:tenant_slug>/", include((vendor_deal_imports, "deal_imports"))),
    path("t/<slug:tenant_slug>/", include((vendor_pipeline, "pipeline"))),
    path("t/<slug:tenant_slug>/", include((vendor_currency_rates, "currency_rates"))),
    path("p/<slug:tenant_slug>/", include((partner_pipeline, "partner_pipeline"))),
    path("t/<slug:tenant_slug>/", include((vendor_deals, "deals"))),
    path("t/<slug:tenant_slug>/", include((vendor_accounts, "customer_accounts"))),
    *ecosystem_routes,
    path("apply/", include((onboarding_urls.public_urlpatterns, "onboarding_public"))),
]

handler403 = "ecosystem.portal.errors.permission_denied"
handler404 = "ecosystem.portal.errors.page_not_found"
handler500 = "ecosystem.portal.errors.server_error"
