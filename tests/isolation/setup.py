"""Isolation matrix rows for program setup in the API (agreement versions, the security questionnaire,
capabilities, the tier policy), and the tenant A objects they probe.

Setup is vendor staff's configuration: no row is partner-owned, partner users get 404 everywhere.
The tier ladder's rows (``api:tier-list``, POST included) stay in tests/test_isolation_matrix.py; the
question retired here is the matrix's ``question``.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids

ROUTES: dict[str, Route] = {
    "api:agreement-list": Route(no_ids, ("GET", "POST")),
    "api:security-question-list": Route(no_ids, ("GET", "POST")),
    "api:security-question-retire": Route(lambda o: {"public_id": o["question"]}, ("POST",)),
    "api:capability-list": Route(no_ids, ("GET", "POST")),
    "api:tier-policy": Route(no_ids, ("GET", "PUT")),
    # onboarding templates (the matrix's ``template``, whose last step is 3) and credential issuers (by slug)
    "api:onboarding-template-list": Route(no_ids, ("GET", "POST")),
    "api:onboarding-template-detail": Route(lambda o: {"public_id": o["template"]}, ("GET",)),
    "api:onboarding-template-steps": Route(lambda o: {"public_id": o["template"]}, ("POST",)),
    "api:onboarding-template-step": Route(lambda o: {"public_id": o["template"], "position": 3}, ("DELETE",)),
    "api:credential-issuer-list": Route(no_ids, ("GET", "POST")),
    "api:credential-issuer-detail": Route(lambda o: {"slug": o["credential_issuer"]}, ("GET", "PUT")),
}


def objects(a) -> dict:
    """Tenant A's setup (made inside A's tenant scope): an agreement version, a capability and a saved tier
    policy, so a foreign list would show their ids and a foreign write would change A's fingerprint."""
    from onboarding.setup import agreement_version_add
    from partners.services import capability_add
    from partners.tiers import tier_policy_save

    agreement = agreement_version_add(tenant=a.tenant, actor=a.owner, title="Probe agreement", version="1", body="Text.")
    capability = capability_add(tenant=a.tenant, actor=a.owner, name="Probe capability")
    tier_policy_save(tenant=a.tenant, actor=a.owner, auto_apply=False, downgrade_grace_days=45)
    return {"setup_agreement": agreement.public_id, "setup_capability": capability.public_id, "partner1_ids": set()}
