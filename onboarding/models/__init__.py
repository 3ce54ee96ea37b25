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
from .screening import DeniedParty, MatchStatus, ScreeningList, ScreeningMatch

__all__ = [
    "AgreementSignature",
    "AgreementVersion",
    "ApplicationStatus",
    "DealVolume",
    "DeniedParty",
    "MatchStatus",
    "OnboardingPlan",
    "OnboardingStep",
    "OnboardingTemplate",
    "OnboardingTemplateStep",
    "PartnerApplication",
    "PlanStatus",
    "Region",
    "ScreeningList",
    "ScreeningMatch",
    "SecurityQuestion",
    "StepKind",
    "StepStatus",
]
