"""Every write of training: quiz attempts, certifications, credential checks and renewal reminders.

Tenant first, actor explicit, keyword-only; each change in one transaction with its audit row;
email and tasks only after commit. Reads live in :mod:`onboarding.training_selectors`.

The package keeps one public surface (``from onboarding import training``); the code lives by topic:

- :mod:`.quiz`: scoring an attempt, and what a pass sets off;
- :mod:`.certifications`: credential numbers, issuing, renewing and revoking certifications;
- :mod:`.course_steps`: the partner's training and certification steps that a passed course finishes;
- :mod:`.verification`: credential checks against the tenant's registry (or an issuer's service);
- :mod:`.reminders`: emails before a certification expires.

The rules, in one place:

* A quiz scores ``correct answers / questions`` (rounded down to a whole percent) and passes at
  the course's pass mark. Every answered submission is an attempt; a person has
  ``QUIZ_ATTEMPTS_PER_WINDOW`` attempts per ``QUIZ_ATTEMPT_WINDOW`` for one course, so the quiz
  cannot be brute-forced.
* Passing certifies: one *current* certification per person and course (a partial unique index
  is the last word). Passing while it is valid renews it (same number, later expiry); after it
  expired or was revoked, passing issues a new number.
* Passing completes the partner's open training step for the course and queues a registry check
  for its open certification step; the check completes that step when the credential verifies.
"""

from __future__ import annotations

from .certifications import (
    CREDENTIAL_ALPHABET,
    CREDENTIAL_GROUPS,
    CREDENTIAL_NUMBER_ATTEMPTS,
    add_months,
    certification_revoke,
    credential_number_new,
    normalise_credential_number,
)
from .course_steps import course_step_check
from .quiz import QUIZ_ATTEMPT_WINDOW, QUIZ_ATTEMPTS_PER_WINDOW, QuizResult, quiz_submit
from .reminders import RENEWAL_NOTICE_DAYS, RENEWAL_REMIND_EVERY, certification_renewal_reminders_send
from .verification import RegistryCredentialVerifier, certification_step_verify, credential_check_run

__all__ = [
    "CREDENTIAL_ALPHABET",
    "CREDENTIAL_GROUPS",
    "CREDENTIAL_NUMBER_ATTEMPTS",
    "QUIZ_ATTEMPTS_PER_WINDOW",
    "QUIZ_ATTEMPT_WINDOW",
    "RENEWAL_NOTICE_DAYS",
    "RENEWAL_REMIND_EVERY",
    "QuizResult",
    "RegistryCredentialVerifier",
    "add_months",
    "certification_renewal_reminders_send",
    "certification_revoke",
    "certification_step_verify",
    "course_step_check",
    "credential_check_run",
    "credential_number_new",
    "normalise_credential_number",
    "quiz_submit",
]
