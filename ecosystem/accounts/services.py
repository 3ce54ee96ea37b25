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
from .selectors import person_of

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
    # One transaction: a program never exists without its first owner and its audit rows.
    with transaction.atomic():
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


def _may_manage(*, inviter: Membership | None, role: str, partner) -> bool:
    """Owners manage anyone; partner managers manage partner users; partner admins their own team."""
    if inviter is None or inviter.role == Role.OWNER:
        return True  # None: the system or a platform operator
    if inviter.role == Role.PARTNER_MANAGER:
        return role in PARTNER_ROLES
    if inviter.role == Role.PARTNER_ADMIN:
        return role in PARTNER_ROLES and partner is not None and partner.pk == inviter.partner_id
    return False


def _check_inviter(*, inviter: Membership | None, role: str, partner) -> None:
    if not _may_manage(inviter=inviter, role=role, partner=partner):
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
    if partner is not None and partner.tenant_id != tenant.pk:
        raise NotFoundError()
    if partner is not None and partner.status == "retired":
        raise ApplicationError(
            _("This partner is retired. Reactivate it before inviting people."), code="partner_retired", field="email"
        )
    _check_inviter(inviter=inviter, role=role, partner=partner)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        if Membership.objects.filter(user__email__iexact=email, is_active=True).exists():
            raise ApplicationError(_("This person is already a member."), code="already_member", field="email")
        pending = list(
            Invitation.objects.select_for_update(of=("self",))
            .select_related("partner")
            .filter(tenant=tenant, email=email, accepted_at__isnull=True, revoked_at__isnull=True)
        )
        if any(not _may_manage(inviter=inviter, role=old.role, partner=old.partner) for old in pending):
            # Re-inviting must not become a way to cancel an invitation one may not manage.
            raise ApplicationError(_("This address already has an invitation waiting."), code="already_invited", field="email")
        replaced = [str(old.public_id) for old in pending]
        Invitation.objects.filter(pk__in=[old.pk for old in pending]).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            tenant=tenant,
            email=email,
            role=role,
            partner=partner,
            token_hash=_token_hash(token),
            invited_by=person_of(actor),  # None for an API key (the audit row names it)
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="invitation.create",
            target=invitation,
            changes={
                "email": email,
                "role": role,
                "partner": str(partner.public_id) if partner else None,
                "replaces": replaced,  # revoked by this invitation: the same row records that change
            },
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
    invitation = Invitation.objects.select_related("partner").filter(tenant=tenant, token_hash=_token_hash(token or "")).first()
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
        # An invitation brings a person in (or back); it never changes the role of an active member.
        # The inviter may not have seen that membership: partner users only see their own organisation.
        if Membership.objects.filter(tenant=tenant, user=user, is_active=True).exists():
            raise ApplicationError(_("You are already a member of this program."), code="already_member")
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


def membership_deactivate(
    *, tenant: Tenant, actor: User | None, inviter: Membership | None, membership: Membership
) -> Membership:
    """Take away a person's access to the tenant. Their history stays; they can be invited again."""
    _check_inviter(inviter=inviter, role=membership.role, partner=membership.partner)
    if inviter is not None and membership.pk == inviter.pk:
        raise ApplicationError(_("You cannot remove yourself."), code="self_removal")
    with transaction.atomic():
        # Lock the active owners first, always in the same order: two owners removing each other at the
        # same moment cannot both succeed (the second waits, then sees that only one owner is left).
        owners = set(
            Membership.objects.select_for_update()
            .filter(tenant=tenant, role=Role.OWNER, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        locked = Membership.objects.select_for_update().get(tenant=tenant, pk=membership.pk)
        if locked.role == Role.OWNER and not owners - {locked.pk}:
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
