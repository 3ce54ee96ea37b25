"""Every write of the partner lifecycle: applications, approval, onboarding plans and their steps.

Tenant first, actor explicit, keyword-only; each change in one transaction with its audit row;
email only after commit.

The package keeps one public surface (``from onboarding import services``); the code lives by topic:

- :mod:`.applications`: the public application form, approval and rejection;
- :mod:`.plans`: onboarding plans copied from templates, and finishing their steps;
- :mod:`.reviews`: agreements to sign, security questionnaires, their evidence and sign-off;
- :mod:`.gate`: the sales-access gate the agreements and security reviews hold shut;
- :mod:`.reminders`: emails about steps coming due;
- :mod:`.assurance`: renewable steps that lapse and reopen the gate.
"""

from __future__ import annotations

from .applications import SubmittedApplication, application_approve, application_by_token, application_reject, application_submit
from .assurance import RENEWAL_NOTICE_DAYS, add_months, assurance_lapse_and_remind, is_renewal_open
from .gate import AccessGate, partner_access_gate, require_sales_access
from .plans import (
    SELF_SERVICE_KINDS,
    plan_create_for_partner,
    profile_step_complete,
    step_complete,
    step_complete_by_evidence,
    template_for,
)

# Private, but onboarding.issuers and onboarding.training lock a step through it.
from .plans import _lock_step_for_partner as _lock_step_for_partner
from .reminders import REMIND_DAYS_BEFORE_DUE, REMIND_EVERY, onboarding_reminders_send
from .reviews import (
    EVIDENCE_EXTENSIONS,
    EVIDENCE_MAX_BYTES,
    RISK_BANDS,
    agreement_sign,
    risk_rating,
    security_evidence_add,
    security_review_decide,
    security_review_submit,
)

__all__ = [
    "EVIDENCE_EXTENSIONS",
    "EVIDENCE_MAX_BYTES",
    "REMIND_DAYS_BEFORE_DUE",
    "REMIND_EVERY",
    "RENEWAL_NOTICE_DAYS",
    "RISK_BANDS",
    "SELF_SERVICE_KINDS",
    "AccessGate",
    "SubmittedApplication",
    "add_months",
    "agreement_sign",
    "application_approve",
    "application_by_token",
    "application_reject",
    "application_submit",
    "assurance_lapse_and_remind",
    "is_renewal_open",
    "onboarding_reminders_send",
    "partner_access_gate",
    "plan_create_for_partner",
    "profile_step_complete",
    "require_sales_access",
    "risk_rating",
    "security_evidence_add",
    "security_review_decide",
    "security_review_submit",
    "step_complete",
    "step_complete_by_evidence",
    "template_for",
]
