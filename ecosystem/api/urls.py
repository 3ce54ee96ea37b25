"""``/api/v1/``: the schema and its offline docs, and every tenant resource under ``t/<tenant_slug>/``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from ecosystem.jobs.api.views import JobViewSet
from onboarding.api.training_views import CertificationViewSet, CourseViewSet
from onboarding.api.views import ApplicationViewSet, OnboardingPlanViewSet
from partners.api.views import ContentItemViewSet, PartnerViewSet

router = SimpleRouter(use_regex_path=False)
router.register("partners", PartnerViewSet, basename="partner")
router.register("jobs", JobViewSet, basename="job")
router.register("applications", ApplicationViewSet, basename="application")
router.register("onboarding-plans", OnboardingPlanViewSet, basename="onboarding-plan")
router.register("courses", CourseViewSet, basename="course")
router.register("certifications", CertificationViewSet, basename="certification")
router.register("content", ContentItemViewSet, basename="content")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("t/<slug:tenant_slug>/", include(router.urls)),
]
