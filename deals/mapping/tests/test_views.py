"""Account-mapping pages in both portals: opt-in, counts-only shows no record anywhere, revoke empties the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deals.models import Lead
from ecosystem.tenancy.context import tenant_context

from ..models import MappingAccount, MappingPartnership
from .support import SECRET_DOMAIN, SECRET_NAME, active_pair, load_lists


def vendor_url(world, name, **kwargs):
    return reverse(f"mapping:{name}", kwargs={"tenant_slug": world.a.tenant.slug, **kwargs})


def partner_url(world, name, **kwargs):
    return reverse(f"partner_mapping:{name}", kwargs={"tenant_slug": world.a.tenant.slug, **kwargs})


@pytest.fixture
def mfa_off(world):
    from ecosystem.tenancy.models import Tenant

    Tenant.objects.filter(pk=world.a.tenant.pk).update(require_staff_mfa=False)


def test_a_partner_admin_uploads_its_list_and_a_bad_file_changes_nothing(client, world, mfa_off):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.a.partner1_admin)
    good = SimpleUploadedFile("list.csv", b"domain,name\nacme.example,Acme\nbeta.example,Beta\n", content_type="text/csv")
    response = client.post(partner_url(world, "list"), {"file": good, "population": "customer"})
    assert response.status_code == 302
    bad = SimpleUploadedFile("list.csv", b"domain,name\ngamma.example,Gamma\nnot a domain,Bad\n", content_type="text/csv")
    response = client.post(partner_url(world, "list"), {"file": bad, "population": "customer"})
    assert response.status_code == 400
    assert "Line 3, domain" in response.content.decode()
    with tenant_context(world.a.tenant.pk):
        assert sorted(MappingAccount.objects.values_list("domain", flat=True)) == ["acme.example", "beta.example"]
    export = client.get(partner_url(world, "list") + "?format=csv")
    assert export.content.decode().splitlines()[1:] == ["customer,acme.example,Acme,", "customer,beta.example,Beta,"]


def test_a_partner_rep_reads_the_list_but_cannot_upload(client, world, mfa_off):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.a.partner1_rep)
    assert client.get(partner_url(world, "list")).status_code == 200
    upload = SimpleUploadedFile("list.csv", b"domain,name\nacme.example,Acme\n", content_type="text/csv")
    assert client.post(partner_url(world, "list"), {"file": upload, "population": "customer"}).status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert not MappingAccount.objects.exists()


def test_both_sides_opt_in_through_the_portals(client, world, mfa_off):
    client.force_login(world.a.manager)
    from ..selectors import counterpart_token

    token = counterpart_token(tenant=world.a.tenant, public_id=world.a.partner1.public_id)
    response = client.post(vendor_url(world, "invite"), {"counterpart": token}, follow=True)
    assert "Invitation sent" in response.content.decode(), response.content.decode()[-3000:]
    with tenant_context(world.a.tenant.pk):
        pair = MappingPartnership.objects.get()
    assert pair.status == "invited"
    # the inviting side cannot accept for the other
    client.post(vendor_url(world, "accept", partnership_id=pair.public_id))
    with tenant_context(world.a.tenant.pk):
        pair.refresh_from_db()
    assert pair.status == "invited"
    client.force_login(world.a.partner1_admin)
    page = client.get(partner_url(world, "partnership", partnership_id=pair.public_id))
    assert "Accept and compare" in page.content.decode()
    client.post(partner_url(world, "accept", partnership_id=pair.public_id))
    with tenant_context(world.a.tenant.pk):
        pair.refresh_from_db()
    assert pair.status == "active"


def scan(client, urls) -> str:
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        bodies.append(response.content.decode())
    return "\n".join(bodies)


def test_counts_only_never_shows_a_record_on_any_page_filter_or_export(client, world, mfa_off):
    load_lists(world.a)
    pair = active_pair(world.a)  # both sides: counts only
    client.force_login(world.a.owner)
    base = vendor_url(world, "partnership", partnership_id=pair.public_id)
    body = scan(
        client,
        [
            vendor_url(world, "home"),
            base,
            base + "?mine=prospect&theirs=customer",
            base + "?q=shared",
            base + "?theirs=customer&q=prospect-overlap",
            vendor_url(world, "export", partnership_id=pair.public_id),
            vendor_url(world, "shared_list", partnership_id=pair.public_id, population="customer"),
        ],
    )
    assert 'data-testid="overlap-record"' not in body
    for partner_text in ("(partner)", SECRET_DOMAIN, SECRET_NAME):
        assert partner_text not in body
    assert "1 of your prospects are customers of" in body  # the count itself is shared
    export = client.get(vendor_url(world, "export", partnership_id=pair.public_id)).content.decode()
    assert export.splitlines()[0] == "my_population,their_population,overlaps"


def test_overlaps_show_the_other_sides_label_and_the_vendor_offers_a_lead(client, world, mfa_off):
    from deals.tests.support import product_lines_for

    product_lines_for(world.a.tenant)
    load_lists(world.a)
    pair = active_pair(world.a, partner_sharing={"customer": "overlaps"})
    client.force_login(world.a.owner)
    page = client.get(vendor_url(world, "partnership", partnership_id=pair.public_id) + "?mine=prospect")
    body = page.content.decode()
    assert body.count('data-testid="overlap-record"') == 1
    assert "Prospect Overlap (partner)" in body and SECRET_DOMAIN not in body
    record = page.context["records"][0]
    response = client.post(vendor_url(world, "lead", partnership_id=pair.public_id, overlap_id=record.public_id), follow=True)
    assert "offered to" in response.content.decode()
    with tenant_context(world.a.tenant.pk):
        lead = Lead.objects.get()
    assert (lead.company_name, lead.domain, lead.offered_to_id) == (
        "Prospect Overlap Ltd",
        "prospect-overlap.example",
        world.a.partner1.pk,
    )
    # the partner side sees nothing of the vendor's prospects: the vendor shares counts only
    client.force_login(world.a.partner1_admin)
    body = client.get(partner_url(world, "partnership", partnership_id=pair.public_id)).content.decode()
    assert 'data-testid="overlap-record"' not in body and "Prospect Overlap Ltd" not in body


def test_revoking_empties_both_sides_pages(client, world, mfa_off):
    load_lists(world.a)
    pair = active_pair(world.a, vendor_sharing={"prospect": "all"}, partner_sharing={"customer": "all"})
    client.force_login(world.a.partner1_admin)
    before = client.get(partner_url(world, "partnership", partnership_id=pair.public_id)).content.decode()
    assert "Prospect Overlap Ltd" in before  # the vendor's label of the overlapping prospect it shares
    shared = client.get(partner_url(world, "shared_list", partnership_id=pair.public_id, population="prospect"))
    assert "Vendor Only Prospect" in shared.content.decode()  # "all": the whole population, read live
    client.post(partner_url(world, "revoke", partnership_id=pair.public_id))
    for user, url in (
        (world.a.partner1_admin, partner_url),
        (world.a.owner, vendor_url),
    ):
        client.force_login(user)
        body = client.get(url(world, "partnership", partnership_id=pair.public_id)).content.decode()
        assert 'data-testid="overlap-record"' not in body and 'data-testid="overlap-matrix"' not in body
        assert client.get(url(world, "shared_list", partnership_id=pair.public_id, population="prospect")).status_code == 404
        assert client.get(url(world, "shared_list", partnership_id=pair.public_id, population="customer")).status_code == 404


def test_the_partnership_page_has_a_constant_number_of_queries(client, world, mfa_off, django_assert_max_num_queries):
    load_lists(world.a)
    pair = active_pair(world.a, partner_sharing={"customer": "overlaps"})
    client.force_login(world.a.owner)
    url = vendor_url(world, "partnership", partnership_id=pair.public_id)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    more = [
        *(
            __import__("deals.mapping.lists", fromlist=["ListRow"]).ListRow(
                "prospect", f"extra{i}.example", f"Extra {i}", f"x-{i}"
            )
            for i in range(30)
        )
    ]
    from ..lists import account_list_upsert

    with tenant_context(world.a.tenant.pk):
        account_list_upsert(tenant=world.a.tenant, actor=world.a.owner, partner_id=None, rows=more)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        account_list_upsert(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            partner_id=world.a.partner1.pk,
            rows=[r.__class__("customer", r.domain, r.name, "p" + r.external_id) for r in more],
        )
    from .support import rematch

    rematch(world.a, pair)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["records"]) == 25
    assert len(many) == len(few)


def test_the_home_page_reads_every_pair_at_once(client, world, mfa_off):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    load_lists(world.a)
    active_pair(world.a, partner_sharing={"customer": "overlaps"})
    client.force_login(world.a.owner)
    url = vendor_url(world, "home")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).context["recommendations"]
    active_pair(world.a, partner_org=world.a.partner2)
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(url).context["pairs"]) == 2
    assert len(two) == len(one)
