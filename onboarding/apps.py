from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """Applications, onboarding plans, agreements, training and certifications (the lifecycle issue)."""

    name = "onboarding"
