"""Account mapping: each side's private account list, the partnerships that compare two lists, and what a match stores.

Private (one side's own rows, row-level security on the owner):

* :class:`MappingAccount` — one account of one side's list: the vendor's (``partner`` NULL: staff
  only) or one partner's (that partner only).
* :class:`MappingPairSecret` — the pair's HMAC key: staff-only table, never read by a partner scope,
  never returned by a page or the API, deleted when the pair is revoked.

Shared by the two sides of a pair (row-level security on ``team_partner_ids``, the pair's partners):

* :class:`MappingPartnership` — who compares with whom, each side's sharing level per population.
* :class:`AccountOverlap` — one overlapping account: its keyed hash, each side's population and,
  only where that side shares records, that side's label. Never a non-overlapping account.
* :class:`OverlapCount` — the number of overlaps per population pair.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel


class MappingPopulation(models.TextChoices):
    CUSTOMER = "customer", _("Customers")
    PROSPECT = "prospect", _("Prospects")
    OPEN_OPPORTUNITY = "open_opportunity", _("Open opportunities")


class SharingLevel(models.TextChoices):
    """What the other side of a pair may see of one population of this side's list (ordered: each includes the one before)."""

    NONE = "none", _("Nothing")
    COUNTS = "counts", _("Counts only")
    OVERLAPS = "overlaps", _("Overlapping records")
    ALL = "all", _("All records")


SHARING_RANK = {SharingLevel.NONE: 0, SharingLevel.COUNTS: 1, SharingLevel.OVERLAPS: 2, SharingLevel.ALL: 3}
DEFAULT_SHARING = {population.value: SharingLevel.COUNTS.value for population in MappingPopulation}


def default_sharing() -> dict[str, str]:
    return dict(DEFAULT_SHARING)


class MappingPartnershipStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")


class MappingSide(models.TextChoices):
    A = "a", _("Side A")
    B = "b", _("Side B")


class MappingAccount(TenantModel):
    """One account on one side's list. ``partner`` NULL is the vendor's own list (staff only)."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    population = models.CharField(_("population"), max_length=20, choices=MappingPopulation.choices)
    domain = models.CharField(_("website domain"), max_length=253, help_text=_("The registrable domain, normalised."))
    name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(_("external id"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="mapping_account_public_id_unique"),
            models.UniqueConstraint(
                fields=["tenant", "partner", "population", "domain"], name="mapping_account_once", nulls_distinct=False
            ),
            models.UniqueConstraint(
                fields=["tenant", "partner", "external_id"],
                name="mapping_account_external_id",
                nulls_distinct=False,
                condition=~models.Q(external_id=""),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner", "population", "name"], name="mapping_account_list")]

    def __str__(self) -> str:
        return f"{self.name} ({self.domain})"


class MappingPartnership(TenantModel):
    """Two sides that compare lists: the vendor and a partner, or two partners.

    Side A is the vendor (``partner_a`` NULL) or the partner with the lower id; side B is always a
    partner. Matching runs only while ``status`` is *active*, i.e. after one side invited and the
    other accepted. Each side's sharing is ``{population: level}``.
    """

    partner_field = "partner_b"  # the policy reads team_partner_ids

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner_a = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    partner_b = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=MappingPartnershipStatus.choices, default=MappingPartnershipStatus.INVITED
    )
    invited_by_side = models.CharField(max_length=1, choices=MappingSide.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.CharField(_("message"), max_length=500, blank=True)
    a_sharing = models.JSONField(default=default_sharing)
    b_sharing = models.JSONField(default=default_sharing)
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by_side = models.CharField(max_length=1, choices=MappingSide.choices, blank=True)
    matched_at = models.DateTimeField(_("last matched"), null=True, blank=True)

    class Meta:
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="mapping_partnership_public_id_unique"),
            models.UniqueConstraint(
                fields=["tenant", "partner_a", "partner_b"], name="mapping_partnership_once", nulls_distinct=False
            ),
            models.CheckConstraint(
                name="mapping_partnership_sides_ordered",
                condition=models.Q(partner_a__isnull=True) | models.Q(partner_a__lt=models.F("partner_b")),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner_b", "status"], name="mapping_partnership_b")]

    def __str__(self) -> str:
        return f"mapping {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.status == MappingPartnershipStatus.ACTIVE

    def side_of(self, partner_id: int | None) -> str | None:
        """``"a"`` or ``"b"`` for a side of this pair (``None`` = the vendor), else None."""
        if partner_id == self.partner_a_id:
            return MappingSide.A
        if partner_id is not None and partner_id == self.partner_b_id:
            return MappingSide.B
        return None

    def partner_of(self, side: str) -> int | None:
        return self.partner_a_id if side == MappingSide.A else self.partner_b_id

    def sharing_of(self, side: str) -> dict[str, str]:
        return {**DEFAULT_SHARING, **(self.a_sharing if side == MappingSide.A else self.b_sharing)}


class MappingPairSecret(TenantModel):
    """The pair's HMAC key (32 random bytes). Staff-only table: the matching job reads it, nothing returns it."""

    partnership = models.OneToOneField(MappingPartnership, on_delete=models.CASCADE, related_name="+")
    secret = models.CharField(max_length=64, help_text="32 random bytes, hex.")  # text: stable to compare and hash
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "partnership"], name="mapping_secret_once")]


class AccountOverlap(TenantModel):
    """One account on both lists of a pair, in one population of each side.

    ``digest`` is HMAC-SHA256(pair secret, domain). A side's label (name and domain) is stored only
    when that side shares records of that population (overlaps or all); otherwise it is blank. Each
    side's own account is pointed to so that side sees its own record; the other side never reads it.
    """

    partner_field = None  # the policy reads team_partner_ids (the pair's partners)

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(MappingPartnership, on_delete=models.CASCADE, related_name="+")
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    digest = models.CharField(max_length=64)  # HMAC-SHA256, hex
    a_population = models.CharField(max_length=20, choices=MappingPopulation.choices)
    b_population = models.CharField(max_length=20, choices=MappingPopulation.choices)
    a_account = models.ForeignKey(MappingAccount, on_delete=models.CASCADE, related_name="+")
    b_account = models.ForeignKey(MappingAccount, on_delete=models.CASCADE, related_name="+")
    a_name = models.CharField(max_length=200, blank=True)
    a_domain = models.CharField(max_length=253, blank=True)
    b_name = models.CharField(max_length=200, blank=True)
    b_domain = models.CharField(max_length=253, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="mapping_overlap_public_id_unique")]
        indexes = [models.Index(fields=["tenant", "partnership", "a_population", "b_population"], name="mapping_overlap_pair")]


class OverlapCount(TenantModel):
    """How many accounts are on side A's ``a_population`` and side B's ``b_population`` of one pair."""

    partner_field = None  # the policy reads team_partner_ids (the pair's partners)

    partnership = models.ForeignKey(MappingPartnership, on_delete=models.CASCADE, related_name="+")
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    a_population = models.CharField(max_length=20, choices=MappingPopulation.choices)
    b_population = models.CharField(max_length=20, choices=MappingPopulation.choices)
    overlap_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partnership", "a_population", "b_population"], name="mapping_count_once")
        ]
