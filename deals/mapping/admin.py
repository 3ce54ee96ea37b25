"""Django admin for operators: account-mapping pairs and their counts, read-only, across tenants.

Deliberately absent: the sides' account lists, the overlap records, their digests and the pairs'
secrets. Operators support a pair (who invited whom, its status, each side's sharing, when it last
matched, how many overlaps per population pair) without reading anybody's accounts; the sides
manage their lists and sharing in their portals, where the rules apply.
"""

from django.contrib import admin

from ecosystem.tenancy.admin import ReadOnlyPlatformAdmin

from .models import MappingPartnership, OverlapCount


@admin.register(MappingPartnership)
class MappingPartnershipAdmin(ReadOnlyPlatformAdmin):
    list_display = ["public_id", "tenant", "side_a", "partner_b", "status", "invited_at", "accepted_at", "matched_at"]
    list_filter = ["status", "tenant"]
    list_select_related = ["tenant", "partner_a", "partner_b"]
    fields = [
        "public_id",
        "tenant",
        "partner_a",
        "partner_b",
        "status",
        "invited_by_side",
        "invited_at",
        "accepted_at",
        "ended_at",
        "ended_by_side",
        "a_sharing",
        "b_sharing",
        "matched_at",
    ]
    readonly_fields = fields

    @admin.display(description="side A")
    def side_a(self, obj) -> str:
        return str(obj.partner_a) if obj.partner_a_id else f"{obj.tenant} (vendor)"


@admin.register(OverlapCount)
class OverlapCountAdmin(ReadOnlyPlatformAdmin):
    list_display = ["partnership", "tenant", "a_population", "b_population", "overlap_count"]
    list_filter = ["tenant", "a_population", "b_population"]
    list_select_related = ["tenant", "partnership"]
    fields = ["partnership", "tenant", "a_population", "b_population", "overlap_count"]
    readonly_fields = fields
