"""Submitting a deal registration: the precheck, conflict detection and the race that decides "first".

The rules, in one place (the program's own figures are in :class:`~deals.models.EngagementRules`):

* **First** is the submission time of a complete registration. The service locks the customer's
  account row, so submissions for one customer take turns; the partial unique index on active
  claims of (account, product line) is the last word, whatever the code above it does.
* A registration **conflicts** when, for at least one of its product lines, (a) another partner
  holds an active registration on the same customer (same registrable domain, subdomains
  included), or on a customer whose name is at least ``name_match_threshold`` similar; (b) the
  vendor's direct sales have an open opportunity on the customer; (c) the same partner already
  holds an active registration on it. Each reason is recorded with its score. A conflicting
  registration is stored *under review* and holds nothing; the partner is told only that.
* Otherwise it is **pending** and holds its product lines, or **approved** at once when the rules
  auto-approve it (no conflict, value below ``auto_approve_below`` in the program's currency).
* Nothing a partner is told names another partner: the checks run across partners
  (:func:`~ecosystem.tenancy.context.across_partners`) and hand back only a neutral outcome.
* A registration may reference a **joint solution** (``joint_solution``, a public id): one in
  market that the registering partner delivers (an accepted component, or it orchestrates it);
  anything else is a field error on ``joint_solution``. See :func:`solution_team_join` for how the
  solution's partners come onto the deal.
* It may be tagged with an **MDF campaign** (``mdf_request``, a public id): one of the registering
  partner's own approved requests (partners/mdf); anything else is a field error on ``mdf_request``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events
from onboarding.services import require_sales_access
from partners.mdf.selectors import campaign_for_registration
from partners.models import EngagementKind, PartnerOrganization, PartnerStatus
from partners.services import engagement_record
from partners.solutions.models import ComponentRole, ComponentStatus, SolutionComponent
from partners.solutions.selectors import solution_for_registration

from . import accounts as account_services
from . import notifications
from .amounts import CENTS, MAX_AMOUNT, amount_from_text
from .models import (
    ACTIVE_STATUSES,
    ConflictKind,
    CoSellRole,
    CustomerAccount,
    DealConflict,
    DealRegistration,
    DealStage,
    DecisionAction,
    DirectOpportunity,
    EngagementRules,
    ProductLine,
    RegistrationClaim,
    RegistrationDecision,
    RegistrationStatus,
)

# --- the rules -------------------------------------------------------------------------------------


def engagement_rules(*, tenant: Tenant) -> EngagementRules:
    """The program's rules of engagement; the defaults (unsaved) until a manager sets them."""
    return EngagementRules.objects.filter(tenant=tenant).first() or EngagementRules(tenant=tenant)


def protection_days_for(*, partner: PartnerOrganization, rules: EngagementRules) -> tuple[int, str]:
    """Days of protection for an approval, and the rule that gave them: the partner's tier, else the program's."""
    if partner.tier_id is not None and partner.tier.deal_protection_days:
        return partner.tier.deal_protection_days, f"tier:{partner.tier.name}"
    return rules.protection_days, "program_protection_days"


# --- input -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationInput:
    customer_name: str
    customer_domain: str
    contact_name: str
    contact_email: str
    contact_title: str
    product_lines: list[str]
    solution: str
    value: Decimal
    currency: str
    expected_close_date: datetime.date
    stage: str
    notes: str


def _clean_product_lines(*, tenant: Tenant, product_lines: Iterable[str] | None) -> list[str]:
    chosen = sorted({str(slug) for slug in product_lines or [] if slug})
    if not chosen:
        raise ApplicationError(_("Choose at least one product line."), code="required", field="product_lines")
    known = set(ProductLine.objects.filter(tenant=tenant, is_active=True, slug__in=chosen).values_list("slug", flat=True))
    if set(chosen) - known:
        raise ApplicationError(_("Choose product lines from the list."), code="invalid_choice", field="product_lines")
    return chosen


def _clean_value(value: Any) -> Decimal:
    amount = amount_from_text(value)
    if amount is None:
        raise ApplicationError(_("Enter the estimated value as a number."), code="invalid_number", field="value")
    if amount < 0 or amount > MAX_AMOUNT:
        raise ApplicationError(_("Enter a value between 0 and 999,999,999,999."), code="out_of_range", field="value")
    return amount.quantize(CENTS)


def _clean_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ApplicationError(
                _("Enter the expected close date as YYYY-MM-DD."), code="invalid_date", field="expected_close_date"
            ) from None
    if day < timezone.localdate() - datetime.timedelta(days=1):
        raise ApplicationError(_("The expected close date is in the past."), code="date_in_past", field="expected_close_date")
    return day


def clean_registration(*, tenant: Tenant, values: dict[str, Any]) -> RegistrationInput:
    """Every field checked, the first problem raised with its field name."""
    customer_name, customer_domain = account_services.clean_customer(
        name=values.get("customer_name", ""), domain=values.get("customer_domain", "")
    )
    contact_name = " ".join(str(values.get("contact_name") or "").split())
    if not contact_name:
        raise ApplicationError(_("Enter the customer contact's name."), code="required", field="contact_name")
    currency = str(values.get("currency") or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ApplicationError(_("Enter a three-letter currency code such as USD."), code="invalid_currency", field="currency")
    stage = values.get("stage") or DealStage.PROSPECTING
    if stage not in (DealStage.PROSPECTING, DealStage.QUALIFICATION, DealStage.PROPOSAL, DealStage.NEGOTIATION):
        raise ApplicationError(_("Choose an open stage."), code="invalid_choice", field="stage")
    return RegistrationInput(
        customer_name=customer_name,
        customer_domain=customer_domain,
        contact_name=contact_name[:150],
        contact_email=str(values.get("contact_email") or "").strip()[:254],
        contact_title=str(values.get("contact_title") or "").strip()[:150],
        product_lines=_clean_product_lines(tenant=tenant, product_lines=values.get("product_lines")),
        solution=str(values.get("solution") or "").strip()[:200],
        value=_clean_value(values.get("value")),
        currency=currency,
        expected_close_date=_clean_date(values.get("expected_close_date")),
        stage=stage,
        notes=str(values.get("notes") or "").strip()[:4000],
    )


# --- conflicts -------------------------------------------------------------------------------------


@dataclass
class FoundConflict:
    kind: str
    score: int
    product_lines: list[str]
    other_registration: DealRegistration | None = None
    direct_opportunity: DirectOpportunity | None = None
    detail: str = ""


def _overlap(a: Iterable[str], b: Iterable[str]) -> list[str]:
    return sorted(set(a) & set(b))


def find_conflicts(
    *,
    tenant: Tenant,
    partner_id: int,
    account: CustomerAccount,
    customer_name: str,
    product_lines: list[str],
    rules: EngagementRules,
) -> list[FoundConflict]:
    """Every reason a registration of ``product_lines`` on ``account`` would conflict; empty when it is clear.

    Must run where every partner's rows are readable (staff scope or ``across_partners``). Three
    queries: active registrations on the account and on similar-named accounts, open direct
    opportunities on the account, and the similar-name candidates themselves.
    """
    found: list[FoundConflict] = []
    similar = {
        s.account.pk: s.score
        for s in account_services.similar_accounts(
            tenant=tenant, name=customer_name, threshold=rules.name_match_threshold, exclude_id=account.pk
        )
    }
    active = DealRegistration.objects.filter(
        tenant=tenant, account_id__in=[account.pk, *similar], status__in=ACTIVE_STATUSES
    ).order_by("submitted_at", "id")
    for other in active:
        lines = _overlap(other.product_lines, product_lines)
        if not lines:
            continue
        same_account = other.account_id == account.pk
        if other.partner_id == partner_id:
            kind = ConflictKind.DUPLICATE if same_account else ConflictKind.SIMILAR_NAME
        else:
            kind = ConflictKind.REGISTERED if same_account else ConflictKind.SIMILAR_NAME
        found.append(
            FoundConflict(
                kind=kind,
                score=100 if same_account else similar[other.account_id],
                product_lines=lines,
                other_registration=other,
            )
        )
    for opportunity in DirectOpportunity.objects.filter(tenant=tenant, account=account, is_open=True).order_by("id"):
        lines = _overlap(opportunity.product_lines, product_lines) if opportunity.product_lines else list(product_lines)
        if lines:
            found.append(FoundConflict(kind=ConflictKind.DIRECT, score=100, product_lines=lines, direct_opportunity=opportunity))
    return found


# --- the precheck ----------------------------------------------------------------------------------


class PrecheckOutcome:
    CLEAR = "clear"  # nothing known: a registration would be pending (or approved at once)
    LIKELY_CONFLICT = "likely_conflict"  # someone (another partner or direct sales) seems to hold it
    YOURS = "yours"  # your own organisation already holds an active registration on it


def registration_precheck(
    *, tenant: Tenant, partner_id: int, customer_name: str, customer_domain: str, product_lines: Iterable[str]
) -> str:
    """Does this customer look registered already? One of :class:`PrecheckOutcome`, never who holds it.

    Reads only: no account is created and nothing is recorded.
    """
    name, domain = account_services.clean_customer(name=customer_name, domain=customer_domain)
    lines = _clean_product_lines(tenant=tenant, product_lines=product_lines)
    rules = engagement_rules(tenant=tenant)
    with across_partners(reason="precheck: look for registrations of every partner, answer only clear or not"):
        account = CustomerAccount.objects.filter(tenant=tenant, root_domain=account_services.root_domain(domain)).first()
        probe = account or CustomerAccount(tenant=tenant, pk=0, name=name)
        conflicts = find_conflicts(
            tenant=tenant, partner_id=partner_id, account=probe, customer_name=name, product_lines=lines, rules=rules
        )
    if not conflicts:
        return PrecheckOutcome.CLEAR
    if all(c.kind == ConflictKind.DUPLICATE for c in conflicts):
        return PrecheckOutcome.YOURS
    return PrecheckOutcome.LIKELY_CONFLICT


# --- submitting ------------------------------------------------------------------------------------


@dataclass
class Submitted:
    registration: DealRegistration
    conflicts: list[FoundConflict] = field(default_factory=list)

    @property
    def under_review(self) -> bool:
        return self.registration.status == RegistrationStatus.UNDER_REVIEW


def _partner_for_registration(*, tenant: Tenant, partner_id: int) -> PartnerOrganization:
    partner = PartnerOrganization.objects.select_related("tier").filter(tenant=tenant, pk=partner_id).first()
    if partner is None:
        raise ApplicationError(_("Only a partner's own users register deals."), code="partner_only")
    if partner.status == PartnerStatus.RETIRED:
        raise ApplicationError(_("A retired partner cannot register deals."), code="partner_retired")
    return partner


def _decide_on_submit(*, rules: EngagementRules, data: RegistrationInput, conflicts: list[FoundConflict]) -> tuple[str, str, str]:
    """(status, rule code, reason for the partner) for a new registration."""
    if conflicts:
        return (
            RegistrationStatus.UNDER_REVIEW,
            f"conflict:{conflicts[0].kind}",
            _("This customer and product line may already be registered. A manager will review it."),
        )
    limit = rules.auto_approve_below
    if limit is not None and data.currency == rules.currency and data.value < limit:
        return (
            RegistrationStatus.APPROVED,
            "auto_approve_below",
            _("Approved automatically: no conflict and a value below %(limit)s %(currency)s.")
            % {"limit": limit, "currency": rules.currency},
        )
    return RegistrationStatus.PENDING, "first_submission", _("Received first for this customer; waiting for a manager.")


def registration_submit(*, tenant: Tenant, actor: Any, partner_id: int, values: dict[str, Any]) -> Submitted:
    """Register a deal for partner ``partner_id``. Bad input raises before anything is written.

    Refuses until the partner's sales access is open (``onboarding_incomplete``). Locks the
    customer's account row; a registration that loses the race on the unique index of active
    claims is stored under review like any other conflict, never as a server error.
    """
    require_sales_access(tenant=tenant, partner_id=partner_id)
    partner = _partner_for_registration(tenant=tenant, partner_id=partner_id)
    data = clean_registration(tenant=tenant, values=values)
    joint_solution = None
    if values.get("joint_solution") not in (None, ""):
        joint_solution = solution_for_registration(tenant=tenant, partner_id=partner_id, public_id=values["joint_solution"])
        if not data.solution:  # the free-text solution co-sellers read says which one
            data = replace(data, solution=joint_solution.name[:200])
    mdf_request = None
    if values.get("mdf_request") not in (None, ""):  # the partner's own approved MDF campaign, or a field error
        mdf_request = campaign_for_registration(tenant=tenant, partner_id=partner_id, public_id=values["mdf_request"])
    rules = engagement_rules(tenant=tenant)
    now = timezone.now()
    with transaction.atomic():
        with across_partners(reason="registration: lock the customer and look for every partner's active registrations"):
            account, _created = account_services.account_for_customer(
                tenant=tenant, name=data.customer_name, domain=data.customer_domain
            )
            conflicts = find_conflicts(
                tenant=tenant,
                partner_id=partner_id,
                account=account,
                customer_name=data.customer_name,
                product_lines=data.product_lines,
                rules=rules,
            )
        status, rule, reason = _decide_on_submit(rules=rules, data=data, conflicts=conflicts)
        registration = DealRegistration.objects.create(
            tenant=tenant,
            partner=partner,
            account=account,
            status=status,
            team_partner_ids=[partner.pk],
            submitted_by=person_of(actor),
            submitted_at=now,
            joint_solution=joint_solution,
            mdf_request=mdf_request,
            **asdict(data),
        )
        if registration.is_active and not _claim(registration):
            # The unique index saw an active claim this transaction's checks could not: lost the race.
            conflicts = [FoundConflict(kind=ConflictKind.REGISTERED, score=100, product_lines=data.product_lines)]
            status, rule, reason = _decide_on_submit(rules=rules, data=data, conflicts=conflicts)
            registration.status = status
            registration.save(update_fields=["status", "updated_at"])
        if status == RegistrationStatus.APPROVED:
            days, rule_days = protection_days_for(partner=partner, rules=rules)
            registration.decided_at = now
            registration.protected_until = timezone.localdate() + datetime.timedelta(days=days)
            registration.save(update_fields=["decided_at", "protected_until", "updated_at"])
            rule = f"{rule}+{rule_days}"
        DealConflict.objects.bulk_create(
            DealConflict(
                tenant=tenant,
                registration=registration,
                partner=partner,
                kind=c.kind,
                score=c.score,
                product_lines=c.product_lines,
                other_registration=c.other_registration,
                direct_opportunity=c.direct_opportunity,
                other_submitted_at=c.other_registration.submitted_at if c.other_registration else None,
                detail=c.detail,
            )
            for c in conflicts
        )
        RegistrationDecision.objects.create(
            tenant=tenant,
            registration=registration,
            partner=partner,
            action=DecisionAction.AUTO_APPROVED if status == RegistrationStatus.APPROVED else DecisionAction.SUBMITTED,
            rule=rule,
            reason=reason,
            to_status=status,
            decided_by=person_of(actor),
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.registration_submit",
            target=registration,
            changes={
                "status": status,
                "rule": rule,
                "conflicts": [c.kind for c in conflicts],
                "joint_solution": str(joint_solution.public_id) if joint_solution else None,
                "mdf_request": str(mdf_request.public_id) if mdf_request else None,
            },
        )
        if joint_solution is not None:
            solution_team_join(tenant=tenant, actor=actor, registration=registration)
        engagement_record(
            tenant=tenant,
            partner_id=partner.pk,
            kind=EngagementKind.REGISTRATION_SUBMITTED,
            user=person_of(actor),
            data={"registration": str(registration.public_id), "status": status},
        )
        notifications.notify_registration_submitted(tenant=tenant, registration=registration)  # sent on commit
        webhook_events.registration(tenant=tenant, event_type="registration.submitted", registration=registration)
        if status == RegistrationStatus.APPROVED:  # approved automatically
            webhook_events.registration(tenant=tenant, event_type="registration.approved", registration=registration)
    return Submitted(registration=registration, conflicts=conflicts)


# --- the joint solution's team ---------------------------------------------------------------------

# A component's role decides the co-sell role its partner takes on a deal for the solution.
COSELL_ROLE_OF_COMPONENT = {
    ComponentRole.SI_IMPLEMENTATION: CoSellRole.IMPLEMENTATION,
    ComponentRole.MSP_MANAGED_SERVICE: CoSellRole.IMPLEMENTATION,
    ComponentRole.DISTRIBUTOR_FULFILMENT: CoSellRole.DISTRIBUTION,
    ComponentRole.ISV_PRODUCT: CoSellRole.INFLUENCING,
    ComponentRole.CONSULTING: CoSellRole.INFLUENCING,
}
# A partner with several components takes the first of these it holds.
_ROLE_PRECEDENCE = (
    ComponentRole.SI_IMPLEMENTATION,
    ComponentRole.MSP_MANAGED_SERVICE,
    ComponentRole.DISTRIBUTOR_FULFILMENT,
    ComponentRole.ISV_PRODUCT,
    ComponentRole.CONSULTING,
)


def solution_team_join(*, tenant: Tenant, actor: Any, registration: DealRegistration) -> list[int]:
    """Bring the registration's joint solution's other partners onto the deal as co-sellers; returns who joined.

    **When: at submission**, in the submitting transaction, if the registration is active
    (pending, or approved at once). The partner chose the solution so that its team sells the
    deal together from the start: the co-sellers see the deal while the vendor reviews it, as they
    would had the partner invited each one, and the co-sell team is what the partner sees at once on
    its deal page. Waiting for approval would leave the team out of the deal exactly while the
    customer is being qualified. A registration stored *under review* (a conflict) holds nothing
    and co-selling needs an active registration, so it gets no team at submission: call this again
    when a manager approves it (``deals.workflow`` — see the issue 5 note); it is idempotent.

    Who: every partner with an **accepted** component of the solution other than the registering
    partner, still active in the program, not on the team already. Each goes through
    :func:`deals.cosell.cosell_assign` (accepted at once, audited, its admins emailed), in the co-sell
    role of its component: SI implementation and MSP managed service → implementation, distributor
    fulfilment → distribution, ISV product and consulting → influencing.
    """
    from .cosell import COSELL_PARTNER_STATUSES, ON_THE_TEAM, cosell_assign
    from .models import DealParticipant

    if registration.joint_solution_id is None or not registration.is_active:
        return []
    with across_partners(reason="solution team: the solution's confirmed partners join the deal as co-sellers"):
        components = list(
            SolutionComponent.objects.filter(
                tenant=tenant, solution_id=registration.joint_solution_id, status=ComponentStatus.ACCEPTED
            )
            .exclude(partner_id=registration.partner_id)
            .filter(partner__status__in=COSELL_PARTNER_STATUSES)
            .select_related("partner")
            .order_by("id")
        )
        taken = set(
            DealParticipant.objects.filter(tenant=tenant, registration=registration, status__in=ON_THE_TEAM).values_list(
                "partner_id", flat=True
            )
        )
        roles: dict[int, list[str]] = {}
        partners: dict[int, PartnerOrganization] = {}
        for component in components:
            roles.setdefault(component.partner_id, []).append(component.role)
            partners[component.partner_id] = component.partner
        joined = []
        for partner_id, held in roles.items():
            if partner_id in taken:
                continue
            role = next(r for r in _ROLE_PRECEDENCE if r in held)
            cosell_assign(
                tenant=tenant,
                actor=actor,
                registration=registration,
                partner=partners[partner_id],
                role=COSELL_ROLE_OF_COMPONENT[role],
            )
            joined.append(partner_id)
    if joined:
        registration.refresh_from_db(fields=["team_partner_ids"])
    return joined


def _claim(registration: DealRegistration) -> bool:
    """Hold the registration's product lines on its account. False when another active claim got there first."""
    try:
        with transaction.atomic():
            RegistrationClaim.objects.bulk_create(
                RegistrationClaim(
                    tenant_id=registration.tenant_id,
                    registration=registration,
                    partner_id=registration.partner_id,
                    account_id=registration.account_id,
                    product_line=line,
                )
                for line in registration.product_lines
            )
    except IntegrityError:
        return False
    return True


def claims_release(*, registration: DealRegistration) -> int:
    """Give up the registration's product lines (it is no longer active). Returns how many were released."""
    return RegistrationClaim.objects.filter(registration=registration, is_active=True).update(is_active=False)
