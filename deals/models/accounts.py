"""The vendor's end customers, its product lines, and the direct-sales opportunities imported from its CRM.

All three are program data the vendor keeps: partner users never read accounts or direct
opportunities (they see the customer as they typed it on their own registration); product lines
are configuration every partner reads to say what a deal is about.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel
from partners.models import Region


class ProductLine(TenantModel):
    """A line of the vendor's offering (e.g. "Compute", "Security"). Registrations overlap when they share one."""

    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("key"), max_length=80)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="product_line_slug_unique"),
            models.UniqueConstraint(fields=["tenant", "public_id"], name="product_line_public_id_unique"),
        ]
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")

    def __str__(self) -> str:
        return self.name


class AccountOwner(models.TextChoices):
    NONE = "none", _("Nobody yet")
    DIRECT = "direct", _("Direct sales")
    PARTNER = "partner", _("A partner")


class CustomerAccount(TenantModel):
    """One end customer of the vendor, found again by its registrable domain or its normalised name.

    ``domain`` is the website domain as normalised (lower case, punycode, no ``www.``);
    ``root_domain`` is its registrable part (``emea.acme.co.uk`` → ``acme.co.uk``), which is what two
    registrations must share to be about the same customer, subdomains included. ``name_key`` is the
    name without case, accents, punctuation or legal forms (``"ACME, Inc."`` → ``"acme"``), found
    through its tokens (:class:`CustomerAccountToken`) and then scored with rapidfuzz (no pg_trgm on
    the embedded server).
    """

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(_("comparable name"), max_length=200, editable=False)
    domain = models.CharField(_("website domain"), max_length=253, blank=True)
    root_domain = models.CharField(_("registrable domain"), max_length=253, blank=True, editable=False)
    industry = models.CharField(_("industry"), max_length=80, blank=True)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices, blank=True)
    owner_kind = models.CharField(_("owner"), max_length=10, choices=AccountOwner.choices, default=AccountOwner.NONE)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sales rep")
    )
    owner_partner = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(_("CRM id"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="customer_account_public_id_unique"),
            # One account per customer domain: concurrent first registrations of a new customer meet here.
            models.UniqueConstraint(
                fields=["tenant", "root_domain"], condition=~models.Q(root_domain=""), name="customer_account_root_domain_unique"
            ),
            models.UniqueConstraint(
                fields=["tenant", "external_id"], condition=~models.Q(external_id=""), name="customer_account_external_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "name_key"], name="customer_account_name_key"),
        ]
        verbose_name = _("customer account")
        verbose_name_plural = _("customer accounts")

    def __str__(self) -> str:
        return self.name


class DirectOpportunity(TenantModel):
    """An opportunity the vendor's own sales team works, imported from its CRM. Open ones conflict with registrations."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="direct_opportunities")
    name = models.CharField(_("name"), max_length=200)
    stage = models.CharField(_("stage"), max_length=80, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    close_date = models.DateField(_("close date"), null=True, blank=True)
    owner_name = models.CharField(_("owner"), max_length=150, blank=True)
    product_lines = ArrayField(models.SlugField(max_length=80), default=list, blank=True, verbose_name=_("product lines"))
    external_id = models.CharField(_("CRM id"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="direct_opportunity_public_id_unique"),
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="direct_opportunity_external_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "account", "is_open"], name="direct_opportunity_acct")]
        verbose_name = _("direct opportunity")
        verbose_name_plural = _("direct opportunities")

    def __str__(self) -> str:
        return self.name


class CustomerAccountToken(TenantModel):
    """One search token of an account's comparable name: the first four letters of each word.

    Written by database triggers whenever ``name_key`` is inserted or changed (any writer: the
    services, the CRM import's bulk SQL, benchmarks), read by :func:`deals.accounts.similar_accounts`.
    Why not the full-text index on ``name_key``: under row-level security PostgreSQL uses an index
    only for leakproof operators, and text search's ``@@`` is not one, so that index was never used
    (a sequential scan of every account per registration). Equality on text is leakproof, so this
    table's (tenant, token, account) index is.
    """

    account = models.ForeignKey(CustomerAccount, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=8)

    class Meta:
        # (tenant, token, account): the candidate query reads the accounts of a token from this index
        # alone (an index-only scan), and the unique index is also what the triggers' ON CONFLICT uses.
        constraints = [models.UniqueConstraint(fields=["tenant", "token", "account"], name="customer_account_token_once")]
