"""Credential checks: ask whoever issued a partner's certification whether it is real and theirs.

A :class:`CredentialVerifier` answers one question for one credential. The HTTP verifier here calls
an endpoint the tenant configures, through :mod:`ecosystem.outbound` (SSRF policy, timeouts, size
limit, signature); the registry-table verifier lives with the onboarding models. Verifiers never
raise for a failed check: every outcome, including "the issuer could not be asked", is a
:class:`VerificationResult` whose ``evidence`` says what was seen, so it can be stored and shown.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from django.utils import timezone

from ecosystem import outbound

VerificationStatus = Literal["verified", "not_found", "mismatch", "error"]

# The issuer's answer is a small JSON object; anything bigger is not an answer.
ANSWER_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class VerificationResult:
    status: VerificationStatus
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def is_verified(self) -> bool:
        return self.status == "verified"


@runtime_checkable
class CredentialVerifier(Protocol):
    def verify(self, *, credential_number: str, holder_name: str, holder_email: str, issuer: str) -> VerificationResult:
        """Whether ``credential_number`` from ``issuer`` is valid and held by ``holder_name``."""
        ...


def endpoint_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an issuer's verification endpoint (outbound policy, no DNS), or None."""
    try:
        outbound.validate_url(url or "", resolve=False)
    except outbound.OutboundRefused as refused:
        return refused.message
    return None


def holder_names_match(claimed: str, answered: str) -> bool:
    """Names compared as people read them: case, accents' encoding and spacing do not matter."""

    def normalised(name: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", name).casefold().split())

    return normalised(claimed) == normalised(answered)


class HttpCredentialVerifier:
    """Asks an issuer's HTTPS endpoint about a credential.

    The request is a signed JSON POST (``X-PRM-Timestamp`` / ``X-PRM-Signature``, see
    :func:`ecosystem.outbound.sign_body`) of ``{credential_number, holder_name, holder_email, issuer}``.
    The endpoint answers 200 with ``{"valid": bool, "holder_name": str, "expires_on": "YYYY-MM-DD" | null}``.

    * ``valid`` false → ``not_found``;
    * ``valid`` true and the same holder → ``verified``, a different holder → ``mismatch``;
    * anything else (refused URL, unreachable, timeout, non-200, malformed answer, a valid answer
      without a holder name) → ``error``. The issuer's ``valid`` is taken as it is; an ``expires_on``
      in the past is recorded as ``evidence["expired"]`` for the reviewer.

    The check is a lookup, so it is retried (``retries`` more times, with backoff) on connection
    errors and 502/503/504. The URL is checked against the outbound policy on construction (without
    DNS), so a bad configuration fails early with ``OutboundRefused``; DNS is checked at each call.
    """

    def __init__(
        self,
        endpoint_url: str,
        secret: str,
        timeout: outbound.Timeout | float = outbound.DEFAULT_TIMEOUT,
        retries: int = 2,
        *,
        backoff: float = 0.5,
    ) -> None:
        if not secret:
            raise ValueError("A shared secret is required to sign verification requests.")
        self.endpoint_host = outbound.validate_url(endpoint_url, resolve=False).host
        self.endpoint_url = endpoint_url
        self._secret = secret
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def __repr__(self) -> str:  # never the secret
        return f"HttpCredentialVerifier({self.endpoint_url!r})"

    def verify(self, *, credential_number: str, holder_name: str, holder_email: str, issuer: str) -> VerificationResult:
        payload = {
            "credential_number": credential_number,
            "holder_name": holder_name,
            "holder_email": holder_email,
            "issuer": issuer,
        }
        evidence: dict[str, Any] = {
            "verifier": "http",
            "endpoint_host": self.endpoint_host,
            "checked_at": timezone.now().isoformat(),
        }
        try:
            response = outbound.retrying(
                lambda: outbound.post_json(
                    self.endpoint_url, payload, secret=self._secret, timeout=self.timeout, max_bytes=ANSWER_MAX_BYTES
                ),
                attempts=self.retries + 1,
                backoff=self.backoff,
            )
        except outbound.OutboundRefused as exc:
            return VerificationResult("error", {**evidence, "error_code": exc.code, "error": exc.message})
        evidence.update(status_code=response.status, elapsed_ms=response.elapsed_ms)
        try:
            evidence["answer"] = response.json
        except ValueError:
            evidence["answer_excerpt"] = response.text[:500]
        if response.status != 200:
            return _error(evidence, "unexpected_status", f"The issuer answered HTTP {response.status}.")
        if "answer" not in evidence:
            return _error(evidence, "invalid_answer", "The answer is not JSON.")
        return _result_from_answer(evidence["answer"], holder_name=holder_name, evidence=evidence)


def _error(evidence: dict[str, Any], code: str, message: str, **extra: Any) -> VerificationResult:
    return VerificationResult("error", {**evidence, "error_code": code, "error": message, **extra})


def _result_from_answer(answer: Any, *, holder_name: str, evidence: dict[str, Any]) -> VerificationResult:
    if not isinstance(answer, dict) or not isinstance(answer.get("valid"), bool):
        return _error(evidence, "invalid_answer", 'The answer has no boolean "valid".')
    expires_on = answer.get("expires_on")
    if expires_on is not None:
        if not isinstance(expires_on, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", expires_on):
            return _error(evidence, "invalid_answer", '"expires_on" is not a YYYY-MM-DD date.')
        try:
            evidence["expired"] = datetime.date.fromisoformat(expires_on) < timezone.localdate()
        except ValueError:
            return _error(evidence, "invalid_answer", '"expires_on" is not a YYYY-MM-DD date.')
    if not answer["valid"]:
        return VerificationResult("not_found", evidence)
    answered_name = answer.get("holder_name")
    if not isinstance(answered_name, str) or not answered_name.strip():
        # Without the holder's name a valid number proves nothing about who holds it.
        return _error(evidence, "invalid_answer", 'A valid answer must name the holder in "holder_name".')
    if not holder_names_match(holder_name, answered_name):
        return VerificationResult("mismatch", evidence)
    return VerificationResult("verified", evidence)
