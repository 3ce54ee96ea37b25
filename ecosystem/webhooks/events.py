"""The business events other apps emit: one call each, inside their service's transaction.

Each function builds its payload lazily (:func:`~ecosystem.webhooks.services.webhook_emit` calls it only
when an endpoint subscribes), so a tenant without webhooks pays one query per event and nothing else.
Payloads carry public ids (UUIDs), never internal keys; amounts are strings of the Decimal.
"""

from __future__ import annotations

from typing import Any

from ecosystem.tenancy.models import Tenant

from .services import webhook_emit, webhook_emit_many


def _partner(partner: Any) -> dict:
    return {"id": str(partner.public_id), "name": partner.name}


def _money(value: Any) -> str | None:
    return None if value is None else str(value)


def registration(*, tenant: Tenant, event_type: str, registration: Any) -> None:
    """``registration.submitted``, ``registration.approved``, ``registration.expired`` and ``deal.won``."""

    def payload() -> dict:
        r = registration
        return {
            "registration_id": str(r.public_id),
            "partner": _partner(r.partner),
            "customer_name": r.customer_name,
            "customer_domain": r.customer_domain,
            "status": r.status,
            "stage": r.stage,
            "value": _money(r.value),
            "currency": r.currency,
            "expected_close_date": r.expected_close_date,
            "protected_until": r.protected_until,
            "closed_amount": _money(r.closed_amount),
            "closed_on": r.closed_on,
        }

    webhook_emit(tenant=tenant, event_type=event_type, payload=payload)


def mdf_request(*, tenant: Tenant, event_type: str, request: Any) -> None:
    """``mdf.approved`` (fully or partly: ``status`` says which)."""

    def payload() -> dict:
        return {
            "mdf_request_id": str(request.public_id),
            "partner": _partner(request.partner),
            "title": request.title,
            "activity_type": request.activity_type,
            "status": request.status,
            "planned_spend": _money(request.planned_spend),
            "approved_amount": _money(request.approved_amount),
            "currency": request.currency,
            "start_date": request.start_date,
            "end_date": request.end_date,
        }

    webhook_emit(tenant=tenant, event_type=event_type, payload=payload)


def lead(*, tenant: Tenant, event_type: str, lead: Any) -> None:
    """``lead.offered`` and ``lead.accepted``: the lead and the partner it is offered to (or taken by)."""

    def payload() -> dict:
        return {
            "lead_id": str(lead.public_id),
            "company_name": lead.company_name,
            "domain": lead.domain,
            "status": lead.status,
            "partner": _partner(lead.offered_to) if lead.offered_to_id else None,
            "respond_by": lead.respond_by,
            "estimated_value": _money(lead.estimated_value),
            "currency": lead.currency,
        }

    webhook_emit(tenant=tenant, event_type=event_type, payload=payload)


def churn_alerts(*, tenant: Tenant, alerts: list[Any]) -> None:
    """``churn_risk.raised``: one event per new alert of a churn prediction run (the partners in one query)."""

    def payloads() -> list[dict]:
        from partners.models import PartnerOrganization

        partners = {
            pk: {"id": str(public_id), "name": name}
            for pk, public_id, name in PartnerOrganization.objects.filter(pk__in=[a.partner_id for a in alerts]).values_list(
                "pk", "public_id", "name"
            )
        }
        return [
            {
                "alert_id": str(alert.public_id),
                "partner": partners.get(alert.partner_id),
                "raised_on": alert.raised_on,
                "probability": round(alert.probability, 4),
                "method": alert.method,
                "drivers": [d.get("sentence", "") for d in alert.drivers],
                "suggested_intervention": alert.suggestion,
            }
            for alert in alerts
        ]

    webhook_emit_many(tenant=tenant, event_type="churn_risk.raised", payloads=payloads)


def tier_changes(*, tenant: Tenant, changes: list[Any]) -> None:
    """``tier.changed``: one event per change (automatic, approved or override), partners and tiers already loaded."""

    def tier(value: Any) -> dict | None:
        return None if value is None else {"id": str(value.public_id), "name": value.name}

    def payloads() -> list[dict]:
        return [
            {
                "partner": _partner(change.partner),
                "from_tier": tier(change.from_tier),
                "to_tier": tier(change.to_tier),
                "kind": change.kind,
                "reason": change.reason,
            }
            for change in changes
        ]

    webhook_emit_many(tenant=tenant, event_type="tier.changed", payloads=payloads)


def registrations(*, tenant: Tenant, event_type: str, registrations: list[Any]) -> None:
    """A batch of registrations (``registration.expired`` by the nightly sweep): their partners in one query."""
    if not registrations:
        return

    def payloads() -> list[dict]:
        from partners.models import PartnerOrganization

        ids = {r.partner_id for r in registrations}
        partners = {p.pk: p for p in PartnerOrganization.objects.filter(pk__in=ids).only("pk", "public_id", "name")}
        return [
            {
                "registration_id": str(r.public_id),
                "partner": _partner(partners[r.partner_id]),
                "customer_name": r.customer_name,
                "customer_domain": r.customer_domain,
                "status": r.status,
                "stage": r.stage,
                "value": _money(r.value),
                "currency": r.currency,
                "protected_until": r.protected_until,
            }
            for r in registrations
        ]

    webhook_emit_many(tenant=tenant, event_type=event_type, payloads=payloads)


def attribution_run(*, tenant: Tenant, run: Any) -> None:
    """``attribution_run.finished``: a run's period, models and headline figures (results at the API's runs)."""

    def payload() -> dict:
        summary = run.summary or {}
        return {
            "run_id": str(run.public_id),
            "status": run.status,
            "period_start": run.period_start,
            "period_end": run.period_end,
            "dimension": run.dimension,
            "models": run.model_names,
            "finished_at": run.finished_at,
            "journeys": summary.get("journeys"),
            "conversions": summary.get("conversions"),
            "value": summary.get("value"),
        }

    webhook_emit(tenant=tenant, event_type="attribution_run.finished", payload=payload)


def partner(*, tenant: Tenant, event_type: str, partner: Any, **extra: Any) -> None:
    """``partner.approved`` (an application approved: the partner starts onboarding) and
    ``onboarding.completed`` (its plan's last step done; ``extra`` carries the plan)."""

    def payload() -> dict:
        fresh = type(partner).objects.get(pk=partner.pk)  # the service may have changed it through another copy
        return {
            "partner": _partner(fresh),
            "status": fresh.status,
            "partner_type": fresh.partner_type,
            "website_domain": fresh.website_domain,
            **extra,
        }

    webhook_emit(tenant=tenant, event_type=event_type, payload=payload)
