from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from ecosystem.tenancy.context import user_context
from ecosystem.tenancy.models import Tenant

from .models import Invitation, Membership, User


def person_of(actor: object) -> User | None:
    """The person behind an action, for columns that name a user: ``None`` for API keys and the system.

    The audit row still names an API key (``actor_label``); a user foreign key cannot hold one.
    """
    return actor if isinstance(actor, User) else None


def memberships_of_user(*, user: User) -> list[Membership]:
    """The person's active memberships in every tenant, for the home page and the tenant switcher.

    This crosses tenants on purpose. ``.unscoped()`` lifts the application filter; the database
    still returns only this user's own rows (the ``membership_self`` policy reads ``app.user_id``).
    """
    with user_context(user.pk):
        return list(
            Membership.objects.unscoped()  # crosses tenants by design: one person, several programs
            .filter(user=user, is_active=True, tenant__is_active=True)
            .select_related("tenant")  # not "partner": partner rows of other tenants stay hidden by RLS
            .order_by("tenant__name")
        )


def membership_for(*, tenant: Tenant, user: User) -> Membership | None:
    """The active membership of ``user`` in ``tenant`` (inside that tenant's scope), or None."""
    return Membership.objects.select_related("partner").filter(tenant=tenant, user=user, is_active=True).first()


def team_members(*, tenant: Tenant, partner_id: int | None = None) -> QuerySet:
    """Staff (``partner_id`` None) or one partner organisation's users."""
    queryset = Membership.objects.filter(tenant=tenant).select_related("user")
    return queryset.filter(partner_id=partner_id) if partner_id else queryset.filter(partner__isnull=True)


def pending_invitations(*, tenant: Tenant, partner_id: int | None = None, staff_only: bool = False) -> QuerySet:
    """Invitations still waiting for an answer (not accepted, withdrawn or expired), newest first.

    ``partner_id`` narrows to one partner organisation's team; ``staff_only`` to vendor staff.
    """
    queryset = Invitation.objects.filter(
        tenant=tenant, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")
    if partner_id is not None:
        return queryset.filter(partner_id=partner_id)
    return queryset.filter(partner__isnull=True) if staff_only else queryset
