"""Deals: customer accounts, registrations and their conflicts and decisions (co-selling and leads alongside)."""

from .accounts import AccountOwner, CustomerAccount, CustomerAccountToken, DirectOpportunity, ProductLine
from .cosell import CoSellRole, DealParticipant, ParticipantStatus
from .currency import CurrencyRate
from .imports import ImportBatch, ImportKind, ImportMapping
from .leads import Lead, LeadOffer, LeadRoutingDetail, LeadStatus, OfferStatus
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
from .workflow import AppealStatus, ExtensionStatus, RegistrationAppeal, RegistrationExtension

__all__ = [
    "ACTIVE_STATUSES",
    "OPEN_FOR_DECISION",
    "OPEN_STAGES",
    "AccountOwner",
    "AppealStatus",
    "CoSellRole",
    "ConflictKind",
    "CurrencyRate",
    "CustomerAccount",
    "CustomerAccountToken",
    "DealConflict",
    "DealParticipant",
    "DealRegistration",
    "DealStage",
    "DecisionAction",
    "DirectOpportunity",
    "EngagementRules",
    "ExtensionStatus",
    "ImportBatch",
    "ImportKind",
    "ImportMapping",
    "Lead",
    "LeadOffer",
    "LeadRoutingDetail",
    "LeadStatus",
    "OfferStatus",
    "ParticipantStatus",
    "ProductLine",
    "RegistrationAppeal",
    "RegistrationClaim",
    "RegistrationDecision",
    "RegistrationExtension",
    "RegistrationStatus",
    "TakeoverPolicy",
]
