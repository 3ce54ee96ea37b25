"""Engagement that happens outside any one tenant's request: signing in."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from ecosystem.accounts.selectors import memberships_of_user
from ecosystem.tenancy.context import tenant_context

from .models import EngagementKind
from .services import engagement_record


@receiver(user_logged_in, dispatch_uid="partners.login_engagement")
def record_partner_login(sender, request, user, **kwargs) -> None:
    """A partner user's login counts as engagement in every program they work in."""
    for membership in memberships_of_user(user=user):
        if membership.partner_id is None:
            continue
        with tenant_context(membership.tenant_id, partner_id=membership.partner_id):
            engagement_record(tenant=membership.tenant, partner_id=membership.partner_id, kind=EngagementKind.LOGIN, user=user)
