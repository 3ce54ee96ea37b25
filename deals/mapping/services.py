"""Account-mapping partnerships: invite, accept, decline, revoke, sharing levels, and the lead a vendor makes of an overlap.

A *side* is named by ``partner_id``: None for the vendor (its staff and API keys), else the partner
organisation. The rules, each kept inside one transaction with the pair row locked:

* Both sides opt in: one side invites (:func:`partnership_invite`), the other accepts
  (:func:`partnership_accept`). Nothing is matched before; the secret is made on acceptance.
* Either side revokes at once (:func:`partnership_revoke`): the pair's overlaps, counts and secret
  are deleted in the same transaction. Inviting again later starts fresh, with a new secret.
* Each side sets, per population, what the *other* side may see (:func:`partnership_sharing_set`).
  Lowering a level removes what is stored beyond it in the same transaction; raising one queues a
  new match.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import Membership, Role
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, PartnerStatus

from .matching import new_secret, populations_at_least
from .models import (
    DEFAULT_SHARING,
    SHARING_RANK,
    AccountOverlap,
    MappingPairSecret,
    MappingPartnership,
    MappingPartnershipStatus,
    MappingPopulation,
    MappingSide,
    OverlapCount,
    SharingLevel,
)

COUNTERPART_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK)
OPEN = (MappingPartnershipStatus.INVITED, MappingPartnershipStatus.ACTIVE)


def _locked(*, tenant: Tenant, partnership: MappingPartnership) -> MappingPartnership:
    return MappingPartnership.objects.select_for_update().get(tenant=tenant, pk=partnership.pk)


def clean_sharing(values: dict[str, Any] | None, *, base: dict[str, str] | None = None) -> dict[str, str]:
    """``{population: level}`` checked; populations left out keep ``base`` (the defaults: counts)."""
    sharing = dict(base or DEFAULT_SHARING)
    for population, level in (values or {}).items():
        if population not in MappingPopulation.values:
            raise ApplicationError(_("Use customer, prospect or open_opportunity."), code="invalid_choice", field="sharing")
        if level not in SharingLevel.values:
            raise ApplicationError(_("Share none, counts, overlaps or all."), code="invalid_choice", field="sharing")
        sharing[population] = level
    return sharing


def _enqueue_match(*, tenant: Tenant, partnership_id: int) -> None:
    from .tasks import match_enqueue

    match_enqueue(tenant=tenant, partnership_id=partnership_id)  # the job row now, the task after commit


def _forget(*, tenant: Tenant, partnership: MappingPartnership) -> None:
    """Delete everything derived for the pair and its secret (call inside ``across_partners``: the secret is staff-only)."""
    AccountOverlap.objects.filter(tenant=tenant, partnership=partnership).delete()
    OverlapCount.objects.filter(tenant=tenant, partnership=partnership).delete()
    MappingPairSecret.objects.filter(tenant=tenant, partnership=partnership).delete()


def storage_scrub(*, tenant: Tenant, partnership: MappingPartnership) -> None:
    """Remove what the current levels no longer allow to be stored: labels, record rows, counts.

    The same rules the match writes by (see :mod:`deals.mapping.matching`), applied to what is there.
    """
    a_sharing, b_sharing = partnership.sharing_of(MappingSide.A), partnership.sharing_of(MappingSide.B)
    a_records = populations_at_least(a_sharing, SharingLevel.OVERLAPS)
    b_records = populations_at_least(b_sharing, SharingLevel.OVERLAPS)
    rows = AccountOverlap.objects.filter(tenant=tenant, partnership=partnership)
    rows.exclude(a_population__in=a_records).exclude(b_population__in=b_records).delete()
    rows.exclude(a_population__in=a_records).exclude(a_name="", a_domain="").update(a_name="", a_domain="")
    rows.exclude(b_population__in=b_records).exclude(b_name="", b_domain="").update(b_name="", b_domain="")
    OverlapCount.objects.filter(tenant=tenant, partnership=partnership).exclude(
        a_population__in=populations_at_least(a_sharing, SharingLevel.COUNTS)
    ).exclude(b_population__in=populations_at_least(b_sharing, SharingLevel.COUNTS)).delete()


def _email_invited_side(*, tenant: Tenant, pair: MappingPartnership, inviter_id: int | None, invited_id: int | None) -> None:
    """After commit, tell the invited side's admins (a partner's admins, or the vendor's owners and managers)."""
    with across_partners(reason="mapping: email the invited side's admins, and name the inviter"):
        admins = Membership.objects.filter(tenant=tenant, is_active=True)
        if invited_id is None:
            admins = admins.filter(partner__isnull=True, role__in=[Role.OWNER, Role.PARTNER_MANAGER])
        else:
            admins = admins.filter(partner_id=invited_id, role=Role.PARTNER_ADMIN)
        recipients = list(admins.order_by("id").values_list("user__email", flat=True))
        inviter = (
            tenant.name
            if inviter_id is None
            else PartnerOrganization.objects.filter(tenant=tenant, pk=inviter_id).values_list("name", flat=True).first()
        )
    if not recipients:
        return
    portal = "mapping" if invited_id is None else "partner_mapping"
    body = render_to_string(
        "mapping/email/invited.txt",
        {
            "tenant": tenant,
            "inviter": inviter,
            "message": pair.message,
            "site_url": settings.SITE_URL.rstrip("/"),
            "path": reverse(f"{portal}:partnership", kwargs={"tenant_slug": tenant.slug, "partnership_id": pair.public_id}),
        },
    )
    subject = _("%(inviter)s invites you to compare account lists") % {"inviter": inviter}
    transaction.on_commit(lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients))


def _side_label(side_partner_id: int | None) -> str:
    return "vendor" if side_partner_id is None else str(side_partner_id)


def partnership_invite(
    *,
    tenant: Tenant,
    actor: Any,
    partner_id: int | None,
    counterpart: PartnerOrganization | None,
    message: str = "",
    sharing: dict[str, str] | None = None,
) -> MappingPartnership:
    """The caller's side invites ``counterpart`` (a partner, or None: the vendor, for a partner caller) to compare lists.

    A pair that was declined or revoked may be invited again: it starts over, nothing carried across.
    """
    counterpart_id = counterpart.pk if counterpart is not None else None
    if counterpart is not None and (counterpart.tenant_id != tenant.pk or counterpart.status not in COUNTERPART_STATUSES):
        raise ApplicationError(_("Choose an active partner of this program."), code="invalid_choice", field="counterpart")
    if counterpart_id == partner_id:
        raise ApplicationError(
            _("Choose another partner than your own organisation."), code="invalid_choice", field="counterpart"
        )
    sides = sorted([partner_id, counterpart_id], key=lambda pk: -1 if pk is None else pk)
    partner_a, partner_b = sides
    my_side = MappingSide.A if partner_id == partner_a else MappingSide.B
    my_sharing = clean_sharing(sharing)
    message = " ".join(str(message or "").split())[:500]
    team = [pk for pk in sides if pk is not None]
    with transaction.atomic():
        pair = (
            MappingPartnership.objects.select_for_update()
            .filter(tenant=tenant, partner_a_id=partner_a, partner_b_id=partner_b)
            .first()
        )
        if pair is not None and pair.status in OPEN:
            raise ConflictError(_("You are already invited or comparing lists with them."), code="already_paired")
        values = {
            "status": MappingPartnershipStatus.INVITED,
            "invited_by_side": my_side,
            "invited_by": person_of(actor),
            "message": message,
            "a_sharing": my_sharing if my_side == MappingSide.A else dict(DEFAULT_SHARING),
            "b_sharing": my_sharing if my_side == MappingSide.B else dict(DEFAULT_SHARING),
            "invited_at": timezone.now(),
            "accepted_at": None,
            "ended_at": None,
            "ended_by_side": "",
            "matched_at": None,
        }
        if pair is None:
            pair = MappingPartnership.objects.create(
                tenant=tenant, partner_a_id=partner_a, partner_b_id=partner_b, team_partner_ids=team, **values
            )
        else:
            for name, value in values.items():
                setattr(pair, name, value)
            pair.save(update_fields=list(values))
        audit_record(
            tenant=tenant,
            actor=actor,
            action="mapping.partnership_invite",
            target=pair,
            changes={"by": _side_label(partner_id), "to": _side_label(counterpart_id), "sharing": my_sharing},
        )
        _email_invited_side(tenant=tenant, pair=pair, inviter_id=partner_id, invited_id=counterpart_id)
    return pair


def _require_side(pair: MappingPartnership, partner_id: int | None) -> str:
    side = pair.side_of(partner_id)
    if side is None:
        raise NotFoundError()
    return side


def partnership_accept(
    *, tenant: Tenant, actor: Any, partner_id: int | None, partnership: MappingPartnership, sharing: dict[str, str] | None = None
) -> MappingPartnership:
    """The invited side opts in: the pair becomes active, gets a fresh secret, and is matched after commit."""
    with transaction.atomic(), across_partners(reason="mapping: the accepting side creates the pair's secret"):
        pair = _locked(tenant=tenant, partnership=partnership)
        side = _require_side(pair, partner_id)
        if pair.status != MappingPartnershipStatus.INVITED:
            raise ConflictError(_("This invitation was answered or withdrawn already."), code="invitation_closed")
        if side == pair.invited_by_side:
            raise ConflictError(_("The other side must accept your invitation."), code="own_invitation")
        if sharing is not None:
            setattr(pair, f"{side}_sharing", clean_sharing(sharing, base=pair.sharing_of(side)))
        pair.status = MappingPartnershipStatus.ACTIVE
        pair.accepted_at = timezone.now()
        pair.save(update_fields=["status", "accepted_at", "a_sharing", "b_sharing"])
        _forget(tenant=tenant, partnership=pair)  # nothing from an earlier life of the pair survives
        MappingPairSecret.objects.create(tenant=tenant, partnership=pair, secret=new_secret())
        audit_record(
            tenant=tenant, actor=actor, action="mapping.partnership_accept", target=pair, changes={"by": _side_label(partner_id)}
        )
        _enqueue_match(tenant=tenant, partnership_id=pair.pk)
    return pair


def partnership_decline(
    *, tenant: Tenant, actor: Any, partner_id: int | None, partnership: MappingPartnership
) -> MappingPartnership:
    with transaction.atomic():
        pair = _locked(tenant=tenant, partnership=partnership)
        side = _require_side(pair, partner_id)
        if pair.status != MappingPartnershipStatus.INVITED:
            raise ConflictError(_("This invitation was answered or withdrawn already."), code="invitation_closed")
        if side == pair.invited_by_side:
            raise ConflictError(_("Withdraw your own invitation with revoke."), code="own_invitation")
        pair.status = MappingPartnershipStatus.DECLINED
        pair.ended_at = timezone.now()
        pair.ended_by_side = side
        pair.save(update_fields=["status", "ended_at", "ended_by_side"])
        audit_record(
            tenant=tenant, actor=actor, action="mapping.partnership_decline", target=pair, changes={"by": _side_label(partner_id)}
        )
    return pair


def partnership_revoke(
    *, tenant: Tenant, actor: Any, partner_id: int | None, partnership: MappingPartnership
) -> MappingPartnership:
    """Either side ends the pair (or withdraws its invitation) at once.

    In the same transaction, under the pair's lock: the overlaps and counts are deleted and the
    secret destroyed. A match running at the same time waits for the lock and then finds nothing to do.
    """
    with transaction.atomic(), across_partners(reason="mapping: revoking destroys the pair's staff-only secret"):
        pair = _locked(tenant=tenant, partnership=partnership)
        side = _require_side(pair, partner_id)
        if pair.status not in OPEN:
            raise ConflictError(_("This partnership has ended already."), code="partnership_ended")
        pair.status = MappingPartnershipStatus.REVOKED
        pair.ended_at = timezone.now()
        pair.ended_by_side = side
        pair.save(update_fields=["status", "ended_at", "ended_by_side"])
        _forget(tenant=tenant, partnership=pair)
        audit_record(
            tenant=tenant, actor=actor, action="mapping.partnership_revoke", target=pair, changes={"by": _side_label(partner_id)}
        )
    return pair


def partnership_sharing_set(
    *, tenant: Tenant, actor: Any, partner_id: int | None, partnership: MappingPartnership, sharing: dict[str, str]
) -> MappingPartnership:
    """Set what the other side may see of each population of the caller's list.

    Lower levels take effect in this transaction (labels blanked, rows and counts deleted); higher
    ones after the next match, which is queued.
    """
    with transaction.atomic():
        pair = _locked(tenant=tenant, partnership=partnership)
        side = _require_side(pair, partner_id)
        if pair.status not in OPEN:
            raise ConflictError(_("This partnership has ended already."), code="partnership_ended")
        before = pair.sharing_of(side)
        after = clean_sharing(sharing, base=before)
        setattr(pair, f"{side}_sharing", after)
        pair.save(update_fields=[f"{side}_sharing"])
        storage_scrub(tenant=tenant, partnership=pair)
        raised = any(SHARING_RANK[after[p]] > SHARING_RANK[before[p]] for p in after)
        if raised and pair.is_active:
            _enqueue_match(tenant=tenant, partnership_id=pair.pk)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="mapping.sharing_set",
            target=pair,
            changes={"by": _side_label(partner_id), "before": before, "after": after},
        )
    return pair


def overlap_lead_create(*, tenant: Tenant, actor: Any, partnership: MappingPartnership, overlap_id: Any) -> Any:
    """The vendor turns one overlapping account it may see into a lead offered to the partner of the pair.

    The lead is made from the vendor's own record (name and domain); the overlap must be one the
    partner shares at record level. Lead and offer are one transaction: if the partner cannot take
    the offer (not active, no sales access), no lead is left behind.
    """
    from ..leads import lead_create, lead_offer_manual
    from .selectors import access_overlap

    if partnership.partner_a_id is not None:
        raise NotFoundError()
    record = access_overlap(tenant=tenant, partnership=partnership, partner_id=None, public_id=overlap_id)
    partner = PartnerOrganization.objects.get(tenant=tenant, pk=partnership.partner_b_id)
    with transaction.atomic():
        lead = lead_create(
            tenant=tenant,
            actor=actor,
            values={
                "company_name": record.my_name,
                "domain": record.my_domain,
                "notes": _("From account mapping with %(partner)s: your %(mine)s, their %(theirs)s.")
                % {
                    "partner": partner.name,
                    "mine": record.my_population_label.lower(),
                    "theirs": record.other_population_label.lower(),
                },
            },
        )
        lead_offer_manual(tenant=tenant, actor=actor, lead=lead, partner=partner, note=_("Account mapping overlap"))
    return lead
