"""Tenants, memberships and invitations: every write, each in one transaction with its audit row."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import RESERVED_SLUGS, Tenant, slug_validator

from .models import PARTNER_ROLES, STAFF_ROLES, Invitation, Membership, Role, User

INVITATION_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    accept_url: str  # carries the token: goes into the email and nowhere else


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tenant_create(*, name: str, slug: str, owner: User, actor: Any) -> Tenant:
    """Open a new partner program with ``owner`` as its first owner."""
    name = (name or "").strip()
    slug = (slug or "").strip().lower()
    if not name:
        raise ApplicationError(_("Enter your company or program name."), code="required", field="name")
    try:
        slug_validator(slug)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], code="invalid_slug", field="slug") from None
    if slug in RESERVED_SLUGS:
        raise ApplicationError(_("This address is reserved. Choose another."), code="reserved_slug", field="slug")
    try:
        with transaction.atomic():
            tenant = Tenant.objects.create(name=name[:120], slug=slug)
    except IntegrityError:
        raise ApplicationError(_("This address is taken. Choose another."), code="slug_taken", field="slug") from None
    with tenant_context(tenant.pk):
        membership = Membership.objects.create(tenant=tenant, user=owner, role=Role.OWNER)
        audit_record(tenant=tenant, actor=actor, action="tenant.create", target=tenant, changes={"name": name, "slug": slug})
        audit_record(tenant=tenant, actor=actor, action="membership.create", target=membership, changes={"role": Role.OWNER})
    return tenant


def _check_inviter(*, inviter: Membership | None, role: str, partner) -> None:
    """Owners invite anyone; partner managers invite partner users; partner admins invite their own team."""
    if inviter is None:
        return  # the system or a platform operator
    if inviter.role == Role.OWNER:
        return
    if inviter.role == Role.PARTNER_MANAGER and role in PARTNER_ROLES:
        return
    if inviter.role == Role.PARTNER_ADMIN and role in PARTNER_ROLES and partner is not None and partner.pk == inviter.partner_id:
        return
    raise ApplicationError(_("Your role may not invite people with this role."), code="role_forbidden", field="role")


def invitation_create(
    *, tenant: Tenant, actor: User | None, inviter: Membership | None, email: str, role: str, partner=None
) -> IssuedInvitation:
    """Invite ``email`` to the tenant. A pending invitation for the same address is replaced.

    Partner roles need a partner organisation; staff roles must not have one. The email is sent
    after the transaction commits.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(_("Enter a valid email address."), code="invalid_email", field="email") from None
    if role not in Role.values:
        raise ApplicationError(_("Choose a valid role."), code="invalid_choice", field="role")
    if role in PARTNER_ROLES and partner is None:
        raise ApplicationError(_("Partner users belong to a partner organisation."), code="partner_required", field="partner")
    if role in STAFF_ROLES and partner is not None:
        raise ApplicationError(_("Vendor staff do not belong to a partner organisation."), code="partner_forbidden", field="role")
    _check_inviter(inviter=inviter, role=role, partner=partner)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        if Membership.objects.filter(user__email__iexact=email, is_active=True).exists():
            raise ApplicationError(_("This person is already a member."), code="already_member", field="email")
        Invitation.objects.filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            tenant=tenant,
            email=email,
            role=role,
            partner=partner,
            token_hash=_token_hash(token),
            invited_by=actor,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="invitation.create",
            target=invitation,
            changes={"email": email, "role": role, "partner": str(partner.public_id) if partner else None},
        )
        accept_url = reverse("accounts:invitation_accept", kwargs={"tenant_slug": tenant.slug, "token": token})
        transaction.on_commit(lambda: _send_invitation_email(tenant=tenant, invitation=invitation, accept_url=accept_url))
    return IssuedInvitation(invitation=invitation, accept_url=accept_url)


def _send_invitation_email(*, tenant: Tenant, invitation: Invitation, accept_url: str) -> None:
    base = settings.SITE_URL.rstrip("/")
    context = {"tenant": tenant, "invitation": invitation, "accept_url": base + accept_url}
    send_mail(
        subject=_("You are invited to %(program)s") % {"program": tenant.name},
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_find(*, tenant: Tenant, token: str) -> Invitation:
    """The pending invitation for this token in this tenant; the same error for any other case."""
    invitation = Invitation.objects.select_related("partner").filter(token_hash=_token_hash(token or "")).first()
    if invitation is None or not invitation.is_pending:
        raise NotFoundError(_("This invitation is not valid any more. Ask for a new one."), code="invitation_invalid")
    return invitation


def invitation_accept(*, tenant: Tenant, token: str, user: User) -> Membership:
    """Join the tenant with the invited role. The invited address must be one of the user's verified ones."""
    with transaction.atomic():
        invitation = invitation_find(tenant=tenant, token=token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_pending:
            raise NotFoundError(_("This invitation is not valid any more. Ask for a new one."), code="invitation_invalid")
        verified = EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()
        if not verified:
            raise ApplicationError(
                _("This invitation was sent to %(email)s. Sign in with that address (and verify it) to accept it.")
                % {"email": invitation.email},
                code="email_mismatch",
            )
        membership, created = Membership.objects.update_or_create(
            tenant=tenant,
            user=user,
            defaults={"role": invitation.role, "partner": invitation.partner, "is_active": True},
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            tenant=tenant,
            actor=user,
            action="invitation.accept",
            target=membership,
            changes={"role": invitation.role, "created": created},
        )
    return membership


def invitation_revoke(*, tenant: Tenant, actor: User, inviter: Membership, invitation: Invitation) -> Invitation:
    _check_inviter(inviter=inviter, role=invitation.role, partner=invitation.partner)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.revoked_at is None and locked.accepted_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(tenant=tenant, actor=actor, action="invitation.revoke", target=locked)
    return locked


def membership_deactivate(*, tenant: Tenant, actor: User, inviter: Membership, membership: Membership) -> Membership:
    """Take away a person's access to the tenant. Their history stays; they can be invited again."""
    _check_inviter(inviter=inviter, role=membership.role, partner=membership.partner)
    if membership.pk == inviter.pk:
        raise ApplicationError(_("You cannot remove yourself."), code="self_removal")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if (
            locked.role == Role.OWNER
            and not Membership.objects.filter(role=Role.OWNER, is_active=True).exclude(pk=locked.pk).exists()
        ):
            raise ApplicationError(_("A program needs at least one owner."), code="last_owner")
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            audit_record(tenant=tenant, actor=actor, action="membership.deactivate", target=locked)
    return locked


def membership_add(*, tenant: Tenant, actor: Any, user: User, role: str, partner=None) -> Membership:
    """Give an existing person a role directly (platform operators and the demo seed; people use invitations)."""
    if (role in PARTNER_ROLES) != (partner is not None):
        raise ApplicationError(_("Partner users, and only they, belong to a partner organisation."), code="partner_mismatch")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            tenant=tenant, user=user, defaults={"role": role, "partner": partner}
        )
        if created:
            audit_record(tenant=tenant, actor=actor, action="membership.create", target=membership, changes={"role": role})
    return membership
