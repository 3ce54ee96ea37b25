"""Deals: customer accounts, registrations and their conflicts and decisions (co-selling and leads alongside)."""

from .accounts import AccountOwner, CustomerAccount, DirectOpportunity, ProductLine
from .registrations import (
    ACTIVE_STATUSES,
    OPEN_FOR_DECISION,
    OPEN_STAGES,
    ConflictKind,
    DealConflict,
    DealRegistration,
    DealStage,
    DecisionAction,
    EngagementRules,
    RegistrationClaim,
    RegistrationDecision,
    RegistrationStatus,
    TakeoverPolicy,
)

__all__ = [
    "ACTIVE_STATUSES",
    "OPEN_FOR_DECISION",
    "OPEN_STAGES",
    "AccountOwner",
    "ConflictKind",
    "CustomerAccount",
    "DealConflict",
    "DealRegistration",
    "DealStage",
    "DecisionAction",
    "DirectOpportunity",
    "EngagementRules",
    "ProductLine",
    "RegistrationClaim",
    "RegistrationDecision",
    "RegistrationStatus",
    "TakeoverPolicy",
]
