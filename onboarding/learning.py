"""Every write of learning paths per person: which tracks (sales, technical, administration) a person follows.

Tenant first, actor explicit, keyword-only; each change in one transaction with its audit row.
Reads live in :mod:`onboarding.training_selectors`. Who may call these (a partner admin for their
own organisation's people) is decided by the portal view and the API before they get here; the
service itself insists that the person belongs to the partner organisation it is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import PARTNER_ROLES, Membership, User
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .models import LearnerTrack, Track


def learner_tracks_set(
    *, tenant: Tenant, actor: Any, partner: PartnerOrganization, user: Any, tracks: Iterable[str]
) -> list[str]:
    """Give ``user`` exactly ``tracks`` (adding and removing) and answer with their tracks, in track order.

    ``user`` must be an active partner admin or rep of ``partner``; anyone else (another
    partner's person, vendor staff, a deactivated member) is refused with the same error, on the
    ``user`` field. An unknown track is refused on the ``tracks`` field and nothing changes.

    Locks the person's membership row, so two admins saving at once apply one after the other;
    the unique (tenant, user, track) constraint is the last word. One audit row when something
    changed, none when the tracks were already these.
    """
    wanted = set(tracks)
    unknown = wanted - set(Track.values)
    if unknown:
        raise ApplicationError(
            _("Unknown track: %(tracks)s.") % {"tracks": ", ".join(sorted(unknown))}, code="unknown_track", field="tracks"
        )
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(tenant=tenant, partner=partner, user=user, is_active=True, role__in=PARTNER_ROLES)
            .first()
        )
        if membership is None:
            raise ApplicationError(
                _("This person is not on %(partner)s's team.") % {"partner": partner.name}, code="not_on_team", field="user"
            )
        current = set(LearnerTrack.objects.filter(tenant=tenant, user=user).values_list("track", flat=True))
        added, removed = wanted - current, current - wanted
        if not added and not removed:
            return _in_track_order(current)
        if removed:
            LearnerTrack.objects.filter(tenant=tenant, user=user, track__in=removed).delete()
        now = timezone.now()
        LearnerTrack.objects.bulk_create(
            LearnerTrack(tenant=tenant, partner=partner, user=user, track=track, assigned_by=_person(actor), assigned_at=now)
            for track in _in_track_order(added)
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.learner_tracks_set",
            target=membership,
            changes={
                "person": membership.user.email,
                "tracks": [_in_track_order(current), _in_track_order(wanted)],
            },
        )
    return _in_track_order(wanted)


def _in_track_order(tracks: Iterable[str]) -> list[str]:
    chosen = set(tracks)
    return [track for track in Track.values if track in chosen]


def _person(actor: Any) -> Any:
    """The user behind ``actor``, or None for an API key or the system (the audit row names those)."""
    return actor if isinstance(actor, User) else None
