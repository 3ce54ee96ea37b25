"""Account mapping: both sides opt in, the keyed-hash match is exact, revoking and lowering sharing forget at once."""

from __future__ import annotations

import pytest
from django.db import connection

from ecosystem.errors import ConflictError, NotFoundError
from ecosystem.tenancy.context import tenant_context

from ..lists import ListRejected, account_list_replace, clean_rows, rows_from_csv
from ..matching import hmac_pads, keyed_digest
from ..models import AccountOverlap, MappingAccount, MappingPairSecret, MappingPartnership, OverlapCount
from ..selectors import access_partnership, as_record, overlap_matrix, overlap_rows, recommendations_for
from ..services import partnership_accept, partnership_invite, partnership_revoke, partnership_sharing_set
from .support import active_pair, load_lists, rematch


def counts(a, pair) -> dict:
    with tenant_context(a.tenant.pk):
        return {(c.a_population, c.b_population): c.overlap_count for c in OverlapCount.objects.filter(partnership=pair)}


def test_hmac_in_postgresql_equals_hmac_sha256(db):
    secret = bytes(range(32))
    ipad, opad = hmac_pads(secret)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sha256(%s || sha256(%s || convert_to(%s, 'UTF8')))", [opad, ipad, "acme.example"])
        assert bytes(cursor.fetchone()[0]).hex() == keyed_digest(secret, "acme.example")


def test_nothing_is_matched_until_the_other_side_accepts(world):
    a = world.a
    load_lists(a)
    with tenant_context(a.tenant.pk):
        pair = partnership_invite(tenant=a.tenant, actor=a.owner, partner_id=None, counterpart=a.partner1)
    outcome = rematch(a, pair)
    assert not outcome.matched
    with tenant_context(a.tenant.pk):
        assert not AccountOverlap.objects.exists() and not OverlapCount.objects.exists()
        assert not MappingPairSecret.objects.exists()
        # the inviting side cannot accept its own invitation
        with pytest.raises(ConflictError):
            partnership_accept(tenant=a.tenant, actor=a.owner, partner_id=None, partnership=pair)


def test_the_match_counts_each_population_pair_exactly(world):
    a = world.a
    load_lists(a)
    pair = active_pair(a)
    assert counts(a, pair) == {
        ("customer", "customer"): 1,
        ("prospect", "customer"): 1,
        ("open_opportunity", "open_opportunity"): 1,
    }
    with tenant_context(a.tenant.pk):
        assert not AccountOverlap.objects.exists()  # both sides at "counts": no record is stored at all


def test_overlap_rows_carry_labels_only_of_the_side_that_shares_records(world):
    a = world.a
    load_lists(a)
    pair = active_pair(a, partner_sharing={"customer": "overlaps"})
    with tenant_context(a.tenant.pk):
        rows = list(AccountOverlap.objects.filter(partnership=pair).order_by("b_name"))
        secret = MappingPairSecret.objects.get(partnership=pair).secret
    assert [(r.a_population, r.b_population, r.a_name, r.b_name) for r in rows] == [
        ("prospect", "customer", "", "Prospect Overlap (partner)"),
        ("customer", "customer", "", "Shared Customer (partner)"),
    ]
    assert {r.digest for r in rows} == {
        keyed_digest(secret, "prospect-overlap.example"),
        keyed_digest(secret, "shared-customer.example"),
    }


def test_revoking_deletes_overlaps_counts_and_the_secret_in_the_same_transaction(world):
    a = world.a
    load_lists(a)
    pair = active_pair(a, vendor_sharing={"prospect": "overlaps"}, partner_sharing={"customer": "all"})
    with tenant_context(a.tenant.pk):
        assert AccountOverlap.objects.filter(partnership=pair).exists()
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        partnership_revoke(tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, partnership=pair)
    with tenant_context(a.tenant.pk):
        assert not AccountOverlap.objects.filter(partnership=pair).exists()
        assert not OverlapCount.objects.filter(partnership=pair).exists()
        assert not MappingPairSecret.objects.filter(partnership=pair).exists()
        view = access_partnership(tenant=a.tenant, partner_id=None, public_id=pair.public_id)
        assert not overlap_rows(tenant=a.tenant, view=view).exists()
        assert all(cell.overlaps is None for row in overlap_matrix(view=view, tenant=a.tenant) for cell in row)
        assert recommendations_for(tenant=a.tenant, partner_id=None) == []
    # a match queued before the revoke finds nothing to do
    assert not rematch(a, pair).matched
    with tenant_context(a.tenant.pk):
        assert not AccountOverlap.objects.exists() and not OverlapCount.objects.exists()


def test_inviting_again_after_a_revoke_starts_over_with_a_new_secret(world):
    a = world.a
    load_lists(a)
    pair = active_pair(a, partner_sharing={"customer": "overlaps"})
    with tenant_context(a.tenant.pk):
        before = set(AccountOverlap.objects.values_list("digest", flat=True))
        partnership_revoke(tenant=a.tenant, actor=a.owner, partner_id=None, partnership=pair)
    again = active_pair(a)
    assert again.pk == pair.pk
    with tenant_context(a.tenant.pk):
        assert MappingPartnership.objects.get(pk=pair.pk).b_sharing["customer"] == "counts"  # fresh defaults
        partnership_sharing_set(
            tenant=a.tenant, actor=a.owner, partner_id=None, partnership=again, sharing={"customer": "overlaps"}
        )
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        partnership_sharing_set(
            tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, partnership=again, sharing={"customer": "overlaps"}
        )
    rematch(a, again)
    with tenant_context(a.tenant.pk):
        after = set(AccountOverlap.objects.values_list("digest", flat=True))
    assert after and not (after & before)


def test_lowering_a_level_removes_what_it_no_longer_allows_at_once(world):
    a = world.a
    load_lists(a)
    pair = active_pair(a, vendor_sharing={"customer": "overlaps"}, partner_sharing={"customer": "overlaps"})
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        partnership_sharing_set(
            tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, partnership=pair, sharing={"customer": "counts"}
        )
    with tenant_context(a.tenant.pk):
        rows = list(AccountOverlap.objects.filter(partnership=pair))
        # the vendor's customer row stays (the vendor still shares it) but carries no partner label any more
        assert [(r.a_population, r.a_name, r.b_name, r.b_domain) for r in rows] == [("customer", "Shared Customer Inc", "", "")]
        view = access_partnership(tenant=a.tenant, partner_id=None, public_id=pair.public_id)
        assert not overlap_rows(tenant=a.tenant, view=view).exists()
    with tenant_context(a.tenant.pk):
        partnership_sharing_set(tenant=a.tenant, actor=a.owner, partner_id=None, partnership=pair, sharing={"customer": "none"})
    with tenant_context(a.tenant.pk):
        assert not AccountOverlap.objects.filter(partnership=pair).exists()


def test_replacing_a_population_forgets_what_was_derived_from_it(world):
    a = world.a
    load_lists(a)
    pair = active_pair(a, partner_sharing={"customer": "overlaps"})
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        rows, _errors = clean_rows([{"domain": "new.example", "name": "New"}], default_population="customer")
        account_list_replace(tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, rows=rows)
    with tenant_context(a.tenant.pk):
        assert not AccountOverlap.objects.filter(partnership=pair).exists()
        assert set(counts(a, pair)) == {("open_opportunity", "open_opportunity")}
        assert MappingAccount.objects.filter(partner=a.partner1, population="customer").count() == 1
    rematch(a, pair)
    assert counts(a, pair) == {("open_opportunity", "open_opportunity"): 1}


def test_a_csv_with_bad_lines_is_rejected_whole_with_every_line_named(world):
    data = (
        b"Population,Website,Account Name,Account ID\n"
        b"customer,https://www.Acme.co.uk/about,Acme,1\n"
        b"galaxy,beta.example,Beta,2\n"
        b"prospect,not a domain,Gamma,3\n"
        b"customer,emea.acme.co.uk,Acme EMEA,4\n"
    )
    with pytest.raises(ListRejected) as rejected:
        rows_from_csv(data)
    assert [(e.line, e.column) for e in rejected.value.errors] == [(3, "population"), (4, "domain"), (5, "domain")]
    rows = rows_from_csv(b"domain,name\nhttps://www.Acme.co.uk/x,Acme\n", default_population="prospect")
    assert [(r.population, r.domain, r.name) for r in rows] == [("prospect", "acme.co.uk", "Acme")]


def test_a_partner_reads_neither_the_vendors_list_nor_another_partners_pair(world):
    a = world.a
    load_lists(a)
    pair = active_pair(a, vendor_sharing={"customer": "overlaps"})
    with tenant_context(a.tenant.pk, partner_id=a.partner2.pk):
        assert not MappingAccount.objects.exists()
        assert not MappingPartnership.objects.exists()
        assert not AccountOverlap.objects.exists() and not OverlapCount.objects.exists()
        with pytest.raises(NotFoundError):
            access_partnership(tenant=a.tenant, partner_id=a.partner2.pk, public_id=pair.public_id)
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        assert set(MappingAccount.objects.values_list("partner_id", flat=True)) == {a.partner1.pk}
        assert not MappingPairSecret.objects.exists()  # staff-only, even for a side of the pair


def test_the_vendor_list_syncs_customers_and_open_opportunities_from_crm_data(world):
    from deals.models import DealRegistration
    from deals.tests.support import product_lines_for, submit_as

    from ..lists import vendor_list_sync_from_crm

    a = world.a
    product_lines_for(a.tenant)
    won = submit_as(a.tenant, a.partner1, a.partner1_admin, customer_name="Won Co", customer_domain="www.won.example")
    submit_as(a.tenant, a.partner2, a.partner2_admin, customer_name="Open Co", customer_domain="emea.open.example")
    with tenant_context(a.tenant.pk):
        DealRegistration.objects.filter(pk=won.registration.pk).update(stage="closed_won", status="approved")
        account_list_replace(
            tenant=a.tenant,
            actor=a.owner,
            partner_id=None,
            rows=clean_rows([{"domain": "kept.example"}], default_population="prospect")[0],
        )
        written = vendor_list_sync_from_crm(tenant=a.tenant, actor=a.owner)
        listed = sorted(MappingAccount.objects.filter(partner__isnull=True).values_list("population", "domain"))
    assert written.populations == ["customer", "open_opportunity"]
    assert listed == [("customer", "won.example"), ("open_opportunity", "open.example"), ("prospect", "kept.example")]


def test_two_partners_compare_lists_and_each_sees_only_what_the_other_shares(world):
    a = world.a
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        account_list_replace(
            tenant=a.tenant,
            actor=a.partner1_admin,
            partner_id=a.partner1.pk,
            rows=clean_rows(
                [{"domain": "both.example", "name": "Both (p1)"}, {"domain": "p1-only.example"}], default_population="customer"
            )[0],
        )
        pair = partnership_invite(
            tenant=a.tenant,
            actor=a.partner1_admin,
            partner_id=a.partner1.pk,
            counterpart=a.partner2,
            sharing={"customer": "overlaps"},
        )
    with tenant_context(a.tenant.pk, partner_id=a.partner2.pk):
        account_list_replace(
            tenant=a.tenant,
            actor=a.partner2_admin,
            partner_id=a.partner2.pk,
            rows=clean_rows([{"domain": "both.example", "name": "Both (p2)"}], default_population="prospect")[0],
        )
        partnership_accept(tenant=a.tenant, actor=a.partner2_admin, partner_id=a.partner2.pk, partnership=pair)
    rematch(a, pair)
    with tenant_context(a.tenant.pk, partner_id=a.partner2.pk):
        view = access_partnership(tenant=a.tenant, partner_id=a.partner2.pk, public_id=pair.public_id)
        records = [
            (r.my_name, r.other_name) for r in (as_record(row, view=view) for row in overlap_rows(tenant=a.tenant, view=view))
        ]
        assert records == [("Both (p2)", "Both (p1)")]
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        view = access_partnership(tenant=a.tenant, partner_id=a.partner1.pk, public_id=pair.public_id)
        assert not overlap_rows(tenant=a.tenant, view=view).exists()  # partner 2 shares counts only
        cells = {
            (c.my_population, c.other_population): c.overlaps for row in overlap_matrix(view=view, tenant=a.tenant) for c in row
        }
        assert cells[("customer", "prospect")] == 1
    with tenant_context(a.tenant.pk), pytest.raises(NotFoundError):  # the vendor is no side of it
        access_partnership(tenant=a.tenant, partner_id=None, public_id=pair.public_id)


def test_the_invited_sides_admins_are_emailed_after_commit(world, django_capture_on_commit_callbacks, mailoutbox):
    a = world.a
    with django_capture_on_commit_callbacks(execute=True), tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        pair = partnership_invite(
            tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, counterpart=None, message="Compare?"
        )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == sorted([a.owner.email, a.manager.email])
    assert (
        a.partner1.name in message.subject
        and f"/t/{a.tenant.slug}/account-mapping/partnerships/{pair.public_id}/" in message.body
    )


@pytest.mark.django_db
def test_the_list_lock_takes_any_tenant_and_partner_id():
    """Tenant ids grow past what a 32-bit lock key holds (the browser tests' tenants did): the lock still works."""
    from types import SimpleNamespace

    from deals.mapping.lists import _lock_side

    for tenant_id, partner_id in ((1, None), (2_497, 9_999_999), (2**40, 2**40)):
        _lock_side(tenant=SimpleNamespace(pk=tenant_id), partner_id=partner_id)
