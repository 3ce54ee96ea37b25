"""Onboarding: applications, plans and their steps, agreements and security reviews."""

from .applications import ApplicationStatus, DealVolume, PartnerApplication, Region
from .plans import (
    AgreementSignature,
    AgreementVersion,
    OnboardingPlan,
    OnboardingStep,
    OnboardingTemplate,
    OnboardingTemplateStep,
    PlanStatus,
    SecurityQuestion,
    StepKind,
    StepStatus,
)

__all__ = [
    "AgreementSignature",
    "AgreementVersion",
    "ApplicationStatus",
    "DealVolume",
    "OnboardingPlan",
    "OnboardingStep",
    "OnboardingTemplate",
    "OnboardingTemplateStep",
    "PartnerApplication",
    "PlanStatus",
    "Region",
    "SecurityQuestion",
    "StepKind",
    "StepStatus",
]
